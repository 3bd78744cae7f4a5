#pragma once
// The URLs the client connects to, checked by core's strict rules
// (core/url_parts.hpp, shared with the gateway's bridge URL): the WebSocket
// URL (parse_ws_url) and the MQTT URL, so a typo such as an empty port is
// refused with its reason at start-up, never found later on an I/O thread.
// Plain logic, no sockets.

#include <string>

#include "core/url_parts.hpp"

namespace switchboard::client {

using switchboard::parse_url;
using switchboard::url_parts;

// The broker address of an MQTT device: "tcp://HOST[:PORT]" or
// "mqtt://HOST[:PORT]" (libmosquitto's; port default 1883), no path. Throws
// std::invalid_argument "'URL': why".
struct mqtt_address {
    std::string host;
    int port = 1883;
};
mqtt_address parse_mqtt_url(const std::string& url);

}  // namespace switchboard::client
