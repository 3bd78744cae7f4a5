#pragma once
// Where an accepted command is in its life: the `state` of a `status` answer
// (docs/protocol.md §4). Only the states the gateway can reach today; the
// ledger (command_ledger) holds a command `sent` while it is in flight and
// its terminal state for a while after it ended.

#include <string_view>

namespace switchboard {

enum class command_state {
    sent,                 // handed to the device's connection; no answer yet
    succeeded,            // the device answered ok: true
    failed,               // the device answered ok: false
    timeout,              // no answer within its timeout
    device_disconnected,  // its device left before answering: delivered, result unknown
};

constexpr bool is_terminal(command_state state) noexcept { return state != command_state::sent; }

constexpr std::string_view to_string(command_state state) noexcept {
    switch (state) {
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
    }
    return "sent";
}

}  // namespace switchboard
