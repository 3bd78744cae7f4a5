#pragma once
// A gateway in this process bridged to a test's mosquitto: the gateway on a
// free loopback port, the bridge on its first io_context. The constructor
// returns once the bridge has subscribed at that broker (bounded), so a
// test's first publish cannot race the bridge's SUBACK. Stops in the order
// main() does: bridge, I/O threads, then the bridge is released.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "bridge_options.hpp"
#include "eventually.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_bridge.hpp"
#include "running_gateway.hpp"

namespace switchboard::test {

inline void bridge_to(gateway_config& c, const mosquitto_broker& broker, mqtt_version version) {
    c.mqtt.enabled = true;
    c.mqtt.url = broker.url();
    c.mqtt.username = mosquitto_broker::gateway_user;
    c.mqtt.password = mosquitto_broker::gateway_password;
    c.mqtt.version = version;
    c.mqtt.reconnect_min = std::chrono::milliseconds(20);
    c.mqtt.reconnect_max = std::chrono::milliseconds(250);
}

class bridged_gateway {
public:
    explicit bridged_gateway(const mosquitto_broker& broker,
                             mqtt_version version = mqtt_version::v5,
                             const std::function<void(gateway_config&)>& tune = {}) {
        spdlog::set_level(spdlog::level::warn);
        gateway_config c = test_config();
        bridge_to(c, broker, version);
        if (tune) tune(c);
        gateway_ = std::make_unique<gateway>(c);
        bridge_ = mqtt_bridge::create(gateway_->routing(), gateway_->pool().first().get_executor(),
                                      bridge_options::from_config(gateway_->config()));
        gateway_->set_bridge(bridge_.get());
        gateway_->start();
        bridge_->start();
        // A test that points the bridge elsewhere (a faulty broker) waits itself.
        if (gateway_->config().mqtt.url != broker.url()) return;
        for (int i = 0; i < 500 && !bridge_->stats().subscribed; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    ~bridged_gateway() {
        bridge_->stop();
        gateway_->stop(std::chrono::milliseconds(1000));
        bridge_.reset();
    }

    unsigned short port() const { return gateway_->port(); }
    gateway& get() { return *gateway_; }
    mqtt_bridge& bridge() { return *bridge_; }

private:
    std::unique_ptr<gateway> gateway_;
    std::shared_ptr<mqtt_bridge> bridge_;
};

// A cluster node (docs/scaling.md) named `name`, bridged to `broker` over
// `version`, with `duplicates` as its duplicate-ID policy.
inline std::unique_ptr<bridged_gateway> cluster_node(
    const mosquitto_broker& broker, const std::string& name,
    mqtt_version version = mqtt_version::v5,
    duplicate_policy duplicates = duplicate_policy::takeover) {
    return std::make_unique<bridged_gateway>(broker, version, [&](gateway_config& c) {
        c.node = name;
        c.duplicates = duplicates;
    });
}

// Whether `gw`'s registry holds `id` (any transport), within a generous deadline.
inline bool knows(bridged_gateway& gw, const std::string& id) {
    return eventually([&] { return gw.get().routing().clients().find(id) != nullptr; },
                      std::chrono::seconds(20));
}

// The number `key` of `gw`'s bridge health (/stats "mqtt"); -1 if absent.
inline std::int64_t health(bridged_gateway& gw, const char* key) {
    auto h = nlohmann::json::parse(gw.bridge().health_json());
    return h.contains(key) ? h[key].get<std::int64_t>() : -1;
}

}  // namespace switchboard::test
