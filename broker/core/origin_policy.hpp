#pragma once
// Which browser pages may open a WebSocket to us (cross-site WebSocket
// hijacking). A browser always sends `Origin` on an upgrade; a page on
// another site must not be able to act with the user's cookies or network
// position. Immutable after construction; shared read-only by all threads.

#include <string>
#include <string_view>
#include <vector>

namespace switchboard {

struct origin_options {
    // Exact origins ("https://ops.example.com", "http://127.0.0.1:8080"),
    // compared case-insensitively. Empty: only pages served by this host
    // (Origin's host[:port] equal to the request's Host).
    std::vector<std::string> allowed;
    // Upgrades without Origin come from devices and services, not browsers.
    bool allow_missing = true;
    // Host names (no port) the gateway answers to besides loopback
    // (localhost, 127.0.0.0/8, ::1), the listen address and the address a
    // connection arrived on (`server_names`). With an empty `allowed` list a
    // browser's upgrade must carry one of them in Host: under DNS rebinding
    // the page's origin and Host are the attacker's own name.
    std::vector<std::string> server_names;
    std::string listen_address;  // copied from listen.address by finalize()

    bool operator==(const origin_options&) const = default;
};

class origin_policy {
public:
    explicit origin_policy(origin_options options);

    // `origin` is null when the header is absent; `host` is the Host header;
    // `local_address` the address the connection arrived on (may be empty).
    bool allows(const std::string* origin, std::string_view host,
                std::string_view local_address = {}) const;

    // Whether a Host header names this gateway (see server_names).
    bool answers_to(std::string_view host, std::string_view local_address = {}) const;

    // The name or address in a Host header: port and IPv6 brackets removed,
    // lower case, one trailing dot dropped. Empty when malformed.
    static std::string host_name(std::string_view host);

    // Whether `name` (as host_name gives it) is a loopback name or address.
    static bool is_loopback(std::string_view name);

    // Whether `name` is a plain DNS name or an IP address (for config checks).
    static bool is_valid_server_name(std::string_view name);

    // Whether `origin` is shaped like scheme://host[:port] (for config checks).
    static bool is_well_formed(std::string_view origin) noexcept;

private:
    origin_options options_;
};

}  // namespace switchboard
