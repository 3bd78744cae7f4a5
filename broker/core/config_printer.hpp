#pragma once
// The effective config (file, defaults and flags merged) as the JSON a config
// file would hold, for `--print-config`. Secrets (tokens, the JWT secret,
// passwords, the metrics bearer token) are masked: the output may be pasted
// into a ticket. Secrets read from files (auth.tokens_file,
// auth.jwt.secret_file, metrics.token_file) print where they went: in
// auth.tokens, auth.jwt.secret and metrics.bearer_token.

#include <nlohmann/json.hpp>
#include <string_view>

#include "gateway_config.hpp"

namespace switchboard {

// What a set secret prints as; an empty one prints as "".
inline constexpr std::string_view masked_secret = "********";

// Keys in the order docs/configuration.md and the shipped files list them.
nlohmann::ordered_json printable_config(const gateway_config& config);

}  // namespace switchboard
