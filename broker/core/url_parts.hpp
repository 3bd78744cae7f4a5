#pragma once
// A URL split into scheme, host, port and path, checked strictly: a scheme
// from a given list, a host, a port of 1-65535 written in digits alone. The
// gateway's bridge URL (mqtt.url, --mqtt-url) and the simulator's URLs
// (device-sim/client/client_url.hpp) go through these rules, so a typo such
// as an empty port is refused with its reason at start-up, never found later
// when a connection fails. Plain logic, no sockets.

#include <initializer_list>
#include <string>
#include <string_view>

namespace switchboard {

struct url_parts {
    std::string scheme;     // "ws", "wss", "tcp", ... (without "://")
    std::string host;       // an IPv6 address without its brackets
    int port = 0;           // 1-65535
    std::string authority;  // "HOST:PORT" as written (the HTTP Host header)
    std::string path;       // from the first '/' on; empty when there is none
};

// Splits SCHEME://HOST[:PORT][/PATH] with SCHEME one of `schemes` ("ws",
// "wss"); HOST may be "[v6 address]". Without a port, `default_port`, or
// refused when that is 0. Throws std::invalid_argument "'URL': why".
url_parts parse_url(const std::string& url, std::initializer_list<std::string_view> schemes,
                    int default_port = 0);

// An MQTT broker's URL, SCHEME://HOST[:PORT] with SCHEME one of `schemes`
// out of tcp, mqtt, ssl, mqtts, ws and wss. Without a port, the scheme's
// standard one (1883, 8883 for ssl and mqtts, 80 for ws, 443 for wss); a
// path only on ws and wss (MQTT over WebSocket has one), "/" alone on any.
// Throws std::invalid_argument "'URL': why".
url_parts parse_broker_url(const std::string& url, std::initializer_list<std::string_view> schemes);

// The gateway bridge's broker URL (mqtt.url, --mqtt-url): parse_broker_url
// with every scheme Paho speaks and the gateway accepts: tcp, mqtt, ssl,
// mqtts, ws, wss.
url_parts parse_bridge_url(const std::string& url);

}  // namespace switchboard
