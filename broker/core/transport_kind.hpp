#pragma once

#include <string_view>

namespace switchboard {

// How a client reaches the gateway: its own WebSocket, or MQTT through the
// broker and the bridge. The simulator's clients use the same two words.
enum class transport_kind { ws, mqtt };

constexpr std::string_view to_string(transport_kind kind) noexcept {
    return kind == transport_kind::ws ? "ws" : "mqtt";
}

}  // namespace switchboard
