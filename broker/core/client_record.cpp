#include "client_record.hpp"

namespace switchboard {

std::string_view to_string(client_role role) noexcept {
    return role == client_role::device ? "device" : "controller";
}

std::optional<client_role> parse_role(std::string_view text) noexcept {
    if (text == "device") return client_role::device;
    if (text == "controller") return client_role::controller;
    return std::nullopt;
}

}  // namespace switchboard
