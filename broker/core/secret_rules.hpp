#pragma once
// What a secret the gateway is given (a static token, the JWT secret, a
// password) must be like: not the placeholder of an example file, not short,
// not a run of few characters. Pure functions; any thread.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard {

constexpr std::size_t min_token_bytes = 16;       // auth.tokens[].token
constexpr std::size_t min_jwt_secret_bytes = 32;  // auth.jwt.secret (HS256 key)
// Distinct byte values a token or JWT secret must hold: refuses "aaaa...",
// "abababab..." and "1234123412341234"; a random base64 or hex string of the
// minimum length clears it.
constexpr std::size_t min_distinct_secret_bytes = 8;

// Why `secret` is unfit, as the end of a sentence ("is a placeholder ..."),
// or nothing. Any value holding "REPLACE" (any case) is the unedited
// placeholder of an example. With `min_bytes` > 0 the value must also be
// that long and hold min_distinct_secret_bytes distinct bytes.
std::optional<std::string> secret_weakness(std::string_view secret, std::size_t min_bytes);

// The content of a secret file: trailing spaces and line ends removed.
std::string trim_secret(std::string text);

}  // namespace switchboard
