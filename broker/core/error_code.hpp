#pragma once
// Protocol error codes (docs/protocol.md, "Errors"): the `code` of an `error`
// frame, or of the `error` object in a server-made `response`.

#include <string_view>

namespace switchboard {

enum class error_code {
    bad_request,
    unauthorized,
    forbidden,
    not_registered,
    id_taken,
    offline,
    too_large,
    rate_limited,
    timeout,
    unknown_command,
    expired,
    overloaded,
    internal,
};

std::string_view to_string(error_code code) noexcept;

// WebSocket close codes the gateway sends (RFC 6455 and PROTOCOL.md §2).
namespace close_code {
inline constexpr unsigned short going_away = 1001;
inline constexpr unsigned short policy_violation = 1008;
inline constexpr unsigned short too_big = 1009;
inline constexpr unsigned short unauthorized = 4001;
inline constexpr unsigned short not_registered = 4002;
inline constexpr unsigned short replaced = 4003;
inline constexpr unsigned short rate_limited = 4008;
}  // namespace close_code

}  // namespace switchboard
