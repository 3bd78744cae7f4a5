#include "broker_socket_nodelay.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/url_parts.hpp"

namespace switchboard {
namespace {

bool same_endpoint(const sockaddr_storage& a, const sockaddr_storage& b) {
    if (a.ss_family != b.ss_family) return false;
    if (a.ss_family == AF_INET) {
        const auto& x = reinterpret_cast<const sockaddr_in&>(a);
        const auto& y = reinterpret_cast<const sockaddr_in&>(b);
        return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
    }
    if (a.ss_family == AF_INET6) {
        const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
        const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
        return x.sin6_port == y.sin6_port &&
               std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
    }
    return false;
}

// The broker's addresses, from its URL as the bridge reads it
// (core/url_parts.hpp: IPv6 hosts in brackets, each scheme's default port).
std::vector<sockaddr_storage> broker_addresses(const std::string& url) {
    const url_parts broker = parse_bridge_url(url);
    const std::string port = std::to_string(broker.port);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(broker.host.c_str(), port.c_str(), &hints, &found) != 0) return {};
    std::vector<sockaddr_storage> out;
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
        sockaddr_storage s{};
        std::memcpy(&s, a->ai_addr, a->ai_addrlen);
        out.push_back(s);
    }
    freeaddrinfo(found);
    return out;
}

}  // namespace

int set_broker_socket_nodelay(const std::string& url) noexcept {
    try {
        auto brokers = broker_addresses(url);
        if (brokers.empty()) return 0;
        DIR* fds = opendir("/proc/self/fd");
        if (fds == nullptr) return 0;
        int set = 0;
        while (dirent* entry = readdir(fds)) {
            char* end = nullptr;
            long fd = std::strtol(entry->d_name, &end, 10);
            if (end == entry->d_name || *end != '\0') continue;
            sockaddr_storage peer{};
            socklen_t length = sizeof peer;
            if (getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &length) != 0)
                continue;
            for (const auto& broker : brokers) {
                if (!same_endpoint(peer, broker)) continue;
                int on = 1;
                if (setsockopt(static_cast<int>(fd), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0)
                    ++set;
                break;
            }
        }
        closedir(fds);
        return set;
    } catch (...) {
        return 0;  // a bad URL, or no memory: a best effort, without it only latency suffers
    }
}

}  // namespace switchboard
