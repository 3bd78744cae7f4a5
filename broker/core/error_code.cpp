#include "error_code.hpp"

namespace switchboard {

std::string_view to_string(error_code code) noexcept {
    switch (code) {
        case error_code::bad_request:
            return "bad_request";
        case error_code::unauthorized:
            return "unauthorized";
        case error_code::forbidden:
            return "forbidden";
        case error_code::not_registered:
            return "not_registered";
        case error_code::id_taken:
            return "id_taken";
        case error_code::offline:
            return "offline";
        case error_code::too_large:
            return "too_large";
        case error_code::rate_limited:
            return "rate_limited";
        case error_code::timeout:
            return "timeout";
        case error_code::device_disconnected:
            return "device_disconnected";
        case error_code::unknown_command:
            return "unknown_command";
        case error_code::expired:
            return "expired";
        case error_code::cancelled:
            return "cancelled";
        case error_code::already_sent:
            return "already_sent";
        case error_code::overloaded:
            return "overloaded";
        case error_code::internal:
            return "internal";
    }
    return {};
}

}  // namespace switchboard
