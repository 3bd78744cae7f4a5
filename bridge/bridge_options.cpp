#include "bridge_options.hpp"

#include "core/node_name.hpp"

namespace switchboard {

bridge_options bridge_options::from_config(const gateway_config& config) {
    bridge_options o;
    o.mqtt = config.mqtt;
    o.server_uri = config.mqtt.url;
    // Paho C names these tcp:// and ssl://; accept the names people type.
    if (o.server_uri.starts_with("mqtt://")) {
        o.server_uri = "tcp://" + o.server_uri.substr(7);
    } else if (o.server_uri.starts_with("mqtts://")) {
        o.server_uri = "ssl://" + o.server_uri.substr(8);
    }
    o.tls = o.server_uri.starts_with("ssl://") || o.server_uri.starts_with("wss://");
    std::string node = node_of(config);
    o.node = node;
    o.client_id = config.mqtt.client_id.empty() ? "switchboard-" + node : config.mqtt.client_id;
    o.limits = intake_limits_of(config);
    o.rate = config.session.rate;
    return o;
}

}  // namespace switchboard
