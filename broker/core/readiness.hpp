#pragma once
// Whether the gateway should get traffic (/readyz, switchboard_ready): not
// while starting, not while draining for shutdown, not while a configured
// MQTT bridge is not connected, since its clients are then offline. Each
// reason is named for the JSON body. Plain logic; any thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard {

// Where the gateway is in its life: starting until the listener serves,
// draining from SIGTERM (or stop()) on.
enum class gateway_phase { starting, serving, draining };

std::string_view to_string(gateway_phase phase) noexcept;

struct readiness {
    bool ready = false;
    std::vector<std::string> reasons;  // why not; empty when ready
};

// `bridge_state` is the MQTT bridge's state name, nullopt without a bridge.
readiness assess_readiness(gateway_phase phase, std::optional<std::string_view> bridge_state);

// {"ready":true|false,"phase":"serving","mqtt":"connected","reasons":[...]}
std::string readiness_json(const readiness& r, gateway_phase phase,
                           std::optional<std::string_view> bridge_state);

}  // namespace switchboard
