#pragma once
// Where an accepted command is in its life: the `state` of a `status` answer
// (docs/protocol.md §4). Only the states the gateway can reach and tell
// apart: the ledger (command_ledger) holds a command `queued` while it waits
// for its offline device (ttl_ms), `sent` while it is in flight, and its
// terminal state for a while after it ended. `accepted` passes within one
// call and is never reported; `delivered` (the device's transport took it) is
// not a state: a WebSocket write completing or a broker's PUBACK does not
// say the device holds the command.

#include <string_view>

namespace switchboard {

enum class command_state {
    queued,               // waiting for its offline device (ttl_ms)
    sent,                 // handed to the device's connection; no answer yet
    succeeded,            // the device answered ok: true
    failed,               // the device answered ok: false
    timeout,              // no answer within its timeout
    device_disconnected,  // its device left before answering: delivered, result unknown
    expired,              // still queued when its ttl_ms passed: never sent
    cancelled,            // cancelled by its controller while queued: never sent
};

constexpr bool is_terminal(command_state state) noexcept {
    return state != command_state::queued && state != command_state::sent;
}

constexpr std::string_view to_string(command_state state) noexcept {
    switch (state) {
        case command_state::queued:
            return "queued";
        case command_state::sent:
            return "sent";
        case command_state::succeeded:
            return "succeeded";
        case command_state::failed:
            return "failed";
        case command_state::timeout:
            return "timeout";
        case command_state::device_disconnected:
            return "device_disconnected";
        case command_state::expired:
            return "expired";
        case command_state::cancelled:
            return "cancelled";
    }
    return "sent";
}

}  // namespace switchboard
