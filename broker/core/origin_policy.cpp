#include "origin_policy.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace switchboard {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool authority_char(char c) noexcept {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']';
}

// An IP address in binary: its family and its 4 or 16 bytes.
struct ip_address {
    int family = 0;
    std::array<unsigned char, 16> bytes{};
    bool operator==(const ip_address&) const = default;
};

std::optional<ip_address> parse_ip(const std::string& name) {
    ip_address ip;
    for (int family : {AF_INET, AF_INET6}) {
        if (inet_pton(family, name.c_str(), ip.bytes.data()) == 1) {
            ip.family = family;
            return ip;
        }
    }
    return std::nullopt;
}

bool same_name(std::string_view a, std::string_view b) {
    if (a == b) return true;
    // Two spellings of one address ("::1" and "0:0::1").
    auto ia = parse_ip(std::string(a));
    auto ib = parse_ip(std::string(b));
    return ia && ib && *ia == *ib;
}

}  // namespace

origin_policy::origin_policy(origin_options options) : options_(std::move(options)) {
    for (auto& o : options_.allowed) o = lower(o);
    for (auto& n : options_.server_names) n = host_name(n);
    options_.listen_address = host_name(options_.listen_address);
}

std::string origin_policy::host_name(std::string_view host) {
    std::string name;
    if (host.starts_with('[')) {
        std::size_t close = host.find(']');
        if (close == std::string_view::npos) return {};
        std::string_view after = host.substr(close + 1);
        if (!after.empty() && !after.starts_with(':')) return {};
        name = lower(host.substr(1, close - 1));
        if (name.find(':') == std::string::npos) return {};
    } else if (std::count(host.begin(), host.end(), ':') > 1) {
        name = lower(host);  // a bare IPv6 address (listen.address, server_names)
    } else {
        name = lower(host.substr(0, host.find(':')));
        if (name.ends_with('.')) name.pop_back();
    }
    if (name.empty() || !std::all_of(name.begin(), name.end(), authority_char) ||
        name.find_first_of("[]") != std::string::npos) {
        return {};
    }
    return name;
}

bool origin_policy::is_loopback(std::string_view name) {
    if (name == "localhost" || name.ends_with(".localhost")) return true;
    auto ip = parse_ip(std::string(name));
    if (!ip) return false;
    const auto& bytes = ip->bytes;
    if (ip->family == AF_INET) return bytes[0] == 127;
    // ::1, or an IPv4 loopback address mapped into IPv6 (::ffff:127.x.y.z).
    static constexpr std::array<unsigned char, 16> loopback6{0, 0, 0, 0, 0, 0, 0, 0,
                                                             0, 0, 0, 0, 0, 0, 0, 1};
    static constexpr std::array<unsigned char, 12> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    return bytes == loopback6 ||
           (std::equal(mapped.begin(), mapped.end(), bytes.begin()) && bytes[12] == 127);
}

bool origin_policy::is_valid_server_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    if (parse_ip(std::string(name))) return true;
    return std::all_of(name.begin(), name.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '-'; });
}

bool origin_policy::answers_to(std::string_view host, std::string_view local_address) const {
    std::string name = host_name(host);
    if (name.empty()) return false;
    if (is_loopback(name)) return true;
    if (!options_.listen_address.empty() && same_name(name, options_.listen_address)) return true;
    if (!local_address.empty() && same_name(name, host_name(local_address))) return true;
    return std::any_of(options_.server_names.begin(), options_.server_names.end(),
                       [&](const std::string& n) { return same_name(name, n); });
}

bool origin_policy::is_well_formed(std::string_view origin) noexcept {
    std::string_view rest;
    if (origin.starts_with("http://")) {
        rest = origin.substr(7);
    } else if (origin.starts_with("https://")) {
        rest = origin.substr(8);
    } else {
        return false;
    }
    // No path, query, user info or anything else a look-alike could hide in.
    return !rest.empty() && std::all_of(rest.begin(), rest.end(), authority_char);
}

bool origin_policy::allows(const std::string* origin, std::string_view host,
                           std::string_view local_address) const {
    if (origin == nullptr) return options_.allow_missing;
    std::string o = lower(*origin);
    if (!options_.allowed.empty()) {
        return std::find(options_.allowed.begin(), options_.allowed.end(), o) !=
               options_.allowed.end();
    }
    // Same host only: "null", other schemes and anything with a path fail here.
    if (!is_well_formed(o) || host.empty()) return false;
    std::string_view authority = std::string_view(o).substr(o.find("://") + 3);
    // ... and only a host that is this gateway's: under DNS rebinding both
    // the origin and Host carry the attacker's name.
    return authority == lower(host) && answers_to(host, local_address);
}

}  // namespace switchboard
