#pragma once
// Why a client's presence changed: the `reason` of a `presence` frame
// (docs/protocol.md §3), so a follower can tell a device that left from one
// that timed out or whose broker link went away.

#include <string_view>

namespace switchboard {

enum class presence_reason {
    registered,   // online: registered while its ID was free
    took_over,    // online: registered in place of an older connection with its ID
    closed,       // offline: its connection closed (by it, by a fault or by the gateway)
    timed_out,    // offline: its connection went quiet past the keepalive
    last_will,    // offline: an MQTT client's status went offline (its Last Will, or published)
    broker_lost,  // offline: the MQTT bridge lost the broker it was reached through
    node_lost,    // offline: the gateway node it was connected to stopped or died (scale-out)
};

constexpr std::string_view to_string(presence_reason reason) noexcept {
    switch (reason) {
        case presence_reason::registered:
            return "register";
        case presence_reason::took_over:
            return "takeover";
        case presence_reason::closed:
            return "close";
        case presence_reason::timed_out:
            return "timeout";
        case presence_reason::last_will:
            return "lwt";
        case presence_reason::broker_lost:
            return "broker_lost";
        case presence_reason::node_lost:
            return "node_lost";
    }
    return "close";
}

}  // namespace switchboard
