#pragma once
// What the MQTT bridge needs to know, resolved from the gateway's config:
// the `mqtt` section with its defaults filled in (client ID from the node
// name, URL schemes Paho understands) plus the frame size limit shared with
// the WebSocket side. Plain data, built once at start-up.

#include <cstddef>
#include <string>

#include "core/gateway_config.hpp"

namespace switchboard {

struct bridge_options {
    mqtt_config mqtt;
    std::string server_uri;   // mqtt.url with mqtt:// and mqtts:// spelled tcp:// and ssl://
    std::string client_id;    // mqtt.client_id, or "switchboard-" + node
    std::string node;         // this gateway node's name (scale-out: docs/scaling.md)
    bool tls = false;         // ssl:// or wss://
    intake_limits limits;     // frame and meta size caps, shared with the WebSocket side
    rate_limit_options rate;  // each MQTT ID's token bucket, as a WebSocket connection's

    // `config` has been finalized (its node is set).
    static bridge_options from_config(const gateway_config& config);
};

}  // namespace switchboard
