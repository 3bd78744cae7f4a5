#pragma once
// What every connection of one gateway shares: the router, the limits, the
// counters and the list of live sessions. Owned by `gateway`, outlives every
// session. Thread-safe as its members are.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/counters.hpp"
#include "core/gateway_config.hpp"
#include "core/router.hpp"

namespace switchboard {

class websocket_session;

// Every open WebSocket session, so that shutdown can close them all.
// Thread-safe.
class session_list {
public:
    void add(const std::shared_ptr<websocket_session>& session);
    void remove(const websocket_session* session);
    std::vector<std::shared_ptr<websocket_session>> snapshot() const;
    std::size_t size() const;

private:
    mutable std::mutex mutex_;
    std::unordered_map<const websocket_session*, std::weak_ptr<websocket_session>> sessions_;
};

struct session_context {
    router& routing;
    const gateway_config& config;
    counters& stats;
    session_list& sessions;

    // The MQTT bridge's state as a JSON object for /healthz; unset when the
    // gateway runs without a bridge. Set before the gateway starts; called
    // from any I/O thread, so it must be thread-safe.
    std::function<std::string()> mqtt_health{};

    // A new session name: unique for this process, unguessable across runs.
    std::string next_session_id();

    std::uint64_t session_salt = 0;
    std::atomic<std::uint64_t> session_seq{0};
};

}  // namespace switchboard
