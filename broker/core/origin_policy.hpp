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
};

class origin_policy {
public:
    explicit origin_policy(origin_options options);

    // `origin` is null when the header is absent.
    bool allows(const std::string* origin, std::string_view host) const;

    // Whether `origin` is shaped like scheme://host[:port] (for config checks).
    static bool is_well_formed(std::string_view origin) noexcept;

private:
    origin_options options_;
};

}  // namespace switchboard
