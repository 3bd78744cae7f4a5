#include "url_parts.hpp"

#include <algorithm>
#include <stdexcept>

namespace switchboard {

namespace {

[[noreturn]] void refuse(const std::string& url, const std::string& why) {
    throw std::invalid_argument("'" + url + "': " + why);
}

// "ws://, wss:// or socketio://"
std::string scheme_list(std::initializer_list<std::string_view> schemes) {
    std::string out;
    std::size_t i = 0;
    for (std::string_view s : schemes) {
        if (i > 0) out += i + 1 == schemes.size() ? " or " : ", ";
        out += std::string(s) + "://";
        ++i;
    }
    return out;
}

int parse_port(const std::string& url, std::string_view text) {
    if (text.empty()) refuse(url, "the port is empty");
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        refuse(url, "the port '" + std::string(text) + "' is not a number");
    }
    // More than five digits is out of range whatever they are (and would overflow).
    int port = text.size() > 5 ? 0 : std::stoi(std::string(text));
    if (port < 1 || port > 65535) {
        refuse(url, "port " + std::string(text) + " is out of range (1-65535)");
    }
    return port;
}

// The port a broker URL without one means (Paho's and libmosquitto's defaults).
int standard_port(std::string_view scheme) {
    if (scheme == "ssl" || scheme == "mqtts") return 8883;
    if (scheme == "ws") return 80;
    if (scheme == "wss") return 443;
    return 1883;
}

}  // namespace

url_parts parse_url(const std::string& url, std::initializer_list<std::string_view> schemes,
                    int default_port) {
    const std::size_t sep = url.find("://");
    if (sep == std::string::npos) {
        refuse(url, "not a URL: expected " + scheme_list(schemes) + "HOST:PORT");
    }
    url_parts parts;
    parts.scheme = url.substr(0, sep);
    if (std::find(schemes.begin(), schemes.end(), parts.scheme) == schemes.end()) {
        refuse(url, "unknown scheme '" + parts.scheme + "://': expected " + scheme_list(schemes));
    }
    std::string rest = url.substr(sep + 3);
    if (auto slash = rest.find('/'); slash != std::string::npos) {
        parts.path = rest.substr(slash);
        rest.resize(slash);
    }
    parts.authority = rest;
    std::string_view after_host;
    if (rest.starts_with('[')) {
        const std::size_t close = rest.find(']');
        if (close == std::string::npos) refuse(url, "the host's '[' is not closed");
        parts.host = rest.substr(1, close - 1);
        after_host = std::string_view(rest).substr(close + 1);
        if (!after_host.empty() && !after_host.starts_with(':')) {
            refuse(url, "'" + std::string(after_host) + "' after the host");
        }
    } else {
        const std::size_t colon = rest.find(':');
        parts.host = rest.substr(0, colon);
        if (colon != std::string::npos) after_host = std::string_view(rest).substr(colon);
    }
    if (parts.host.empty()) refuse(url, "no host");
    if (after_host.empty()) {
        if (default_port == 0) refuse(url, "no port (HOST:PORT)");
        parts.port = default_port;
    } else {
        parts.port = parse_port(url, after_host.substr(1));
    }
    return parts;
}

url_parts parse_broker_url(const std::string& url,
                           std::initializer_list<std::string_view> schemes) {
    // The scheme decides the default port, so it is read first; parse_url
    // refuses a missing or unknown one.
    const std::size_t sep = url.find("://");
    const std::string_view scheme =
        sep == std::string::npos ? std::string_view() : std::string_view(url).substr(0, sep);
    url_parts parts = parse_url(url, schemes, standard_port(scheme));
    const bool websocket = parts.scheme == "ws" || parts.scheme == "wss";
    if (!websocket && !parts.path.empty() && parts.path != "/") {
        refuse(url, "an MQTT broker URL has no path ('" + parts.path + "')");
    }
    return parts;
}

url_parts parse_bridge_url(const std::string& url) {
    return parse_broker_url(url, {"tcp", "mqtt", "ssl", "mqtts", "ws", "wss"});
}

}  // namespace switchboard
