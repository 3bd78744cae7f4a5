#pragma once
// What every connection of one gateway shares: the router, the limits, the
// counters, the list of live sessions and the security policy (credentials,
// origins, connection caps, TLS context). Owned by `gateway`, outlives every
// session. Thread-safe as its members are.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/authenticator.hpp"
#include "core/connection_limiter.hpp"
#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/frame_intake.hpp"
#include "core/gateway_config.hpp"
#include "core/log_text.hpp"
#include "core/origin_policy.hpp"
#include "core/router.hpp"

namespace boost::asio::ssl {
class context;
}

namespace switchboard {

// Every open WebSocket session, so that shutdown can close them all.
// Thread-safe.
class session_list {
public:
    void add(const std::shared_ptr<endpoint>& session);
    void remove(const endpoint* session);
    std::vector<std::shared_ptr<endpoint>> snapshot() const;
    std::size_t size() const;

private:
    mutable std::mutex mutex_;
    std::unordered_map<const endpoint*, std::weak_ptr<endpoint>> sessions_;
};

struct session_context {
    router& routing;
    const gateway_config& config;
    counters& stats;
    session_list& sessions;
    const authenticator& auth;
    const origin_policy& origins;
    connection_limiter& connections;
    const frame_intake& intake;                // every frame a session reads goes through it
    boost::asio::ssl::context* tls = nullptr;  // null: TLS off

    // The MQTT bridge's state as a JSON object for /healthz; unset when the
    // gateway runs without a bridge. Set before the gateway starts; called
    // from any I/O thread, so it must be thread-safe.
    std::function<std::string()> mqtt_health{};

    // A new session name: unique for this process, unguessable across runs.
    std::string next_session_id();

    std::uint64_t session_salt = 0;
    std::atomic<std::uint64_t> session_seq{0};

    // Lines a client can cause (refusals, protocol errors) pass here first.
    log_limiter logs{};
};

}  // namespace switchboard
