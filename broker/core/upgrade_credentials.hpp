#pragma once
// Where a WebSocket client may put its token on the upgrade request:
// `Authorization: Bearer <token>`, or `?token=<token>` on the URL because
// browsers cannot set headers on a WebSocket. Pure functions over the
// request's text; any thread.

#include <optional>
#include <string>
#include <string_view>

namespace switchboard {

// The token of an `Authorization: Bearer ...` value (scheme case-insensitive).
std::optional<std::string> bearer_token(std::string_view authorization);

// The percent-decoded value of the first `token` parameter of a request
// target's query; nullopt when absent or badly encoded.
std::optional<std::string> query_token(std::string_view target);

}  // namespace switchboard
