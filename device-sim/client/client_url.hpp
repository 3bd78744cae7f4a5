#pragma once
// The URLs the client connects to, split and checked strictly: a scheme from
// a given list, a host, a port of 1-65535 written in digits alone, and what
// follows. The WebSocket URL (parse_ws_url) and the MQTT URL go through the
// same rules, so a typo such as an empty port is refused with its reason at
// start-up, never found later on an I/O thread. Plain logic, no sockets.

#include <initializer_list>
#include <string>
#include <string_view>

namespace switchboard::client {

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

// The broker address of an MQTT device: "tcp://HOST[:PORT]" or
// "mqtt://HOST[:PORT]" (port default 1883), no path. Throws
// std::invalid_argument "'URL': why".
struct mqtt_address {
    std::string host;
    int port = 1883;
};
mqtt_address parse_mqtt_url(const std::string& url);

}  // namespace switchboard::client
