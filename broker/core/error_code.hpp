#pragma once
// Protocol error codes (docs/protocol.md §3, "Error codes"): the `code` of an
// `error` frame, or of the `error` object in a server-made `response`; and the
// WebSocket close codes the gateway sends (§2). tests/unit/docs_test.cpp
// checks both tables of protocol.md against this file.

#include <array>
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
    device_disconnected,
    unknown_command,
    expired,
    cancelled,
    already_sent,
    overloaded,
    internal,
};

// The code's name; empty for a value outside the enum (so the codes can be
// walked from 0 until it is empty).
std::string_view to_string(error_code code) noexcept;

// WebSocket close codes the gateway sends (RFC 6455 §7.4 and docs/protocol.md §2).
namespace close_code {
inline constexpr unsigned short going_away = 1001;      // shutting down
inline constexpr unsigned short protocol_error = 1002;  // broken framing
inline constexpr unsigned short invalid_data = 1007;    // text (or a close reason) not UTF-8
inline constexpr unsigned short too_big = 1009;         // a message over the size limit
inline constexpr unsigned short unauthorized = 4001;
inline constexpr unsigned short not_registered = 4002;
inline constexpr unsigned short replaced = 4003;
inline constexpr unsigned short rate_limited = 4008;

// Every code above; a code added above belongs here too.
inline constexpr std::array all = {going_away,   protocol_error, invalid_data, too_big,
                                   unauthorized, not_registered, replaced,     rate_limited};
}  // namespace close_code

}  // namespace switchboard
