#pragma once
// What every connection of one gateway shares: the router, the limits, the
// counters, the list of live sessions and the security policy (credentials,
// origins, connection caps, TLS context). Owned by `gateway`, outlives every
// session. Thread-safe as its members are. What a reload may replace is in
// `settings`, one snapshot per decision.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/authenticator.hpp"
#include "core/bridge_status.hpp"
#include "core/connection_limiter.hpp"
#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/frame_intake.hpp"
#include "core/gateway_config.hpp"
#include "core/log_text.hpp"
#include "core/metrics_access.hpp"
#include "core/origin_policy.hpp"
#include "core/readiness.hpp"
#include "core/router.hpp"
#include "core/snapshot_cell.hpp"

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

// What a connection consults that a reload replaces (gateway::reload): its
// transport limits, the credentials, the Origin rules, who may read /metrics
// and the TLS context for new handshakes. A connection loads one snapshot
// for each decision; a WebSocket session keeps the one it was upgraded with
// for its transport limits (docs/operations.md, "Reload").
struct session_settings {
    session_limits limits;
    authenticator auth;
    origin_policy origins;
    metrics_access metrics;
    // The certificate and key for new TLS handshakes; null: TLS off. A TLS
    // stream holds the context it was made with (streams.hpp), so a reload
    // never pulls it from under an open connection.
    std::shared_ptr<boost::asio::ssl::context> tls;
};

class gateway_metrics;

struct session_context {
    router& routing;
    // The config the gateway started with. Read from it only keys that
    // cannot change while running (core/reload_plan: node, dashboard_dir,
    // tls.enabled, tls.allow_plain, ...); the rest is in `settings`.
    const gateway_config& config;
    counters& stats;
    session_list& sessions;
    connection_limiter& connections;
    const frame_intake& intake;  // every frame a session reads goes through it
    const snapshot_cell<session_settings>& settings;
    const gateway_metrics& metrics;

    // The MQTT bridge, for /stats, /metrics and /readyz; null when the
    // gateway runs without one. Set before the gateway starts.
    const bridge_status* bridge = nullptr;

    std::atomic<gateway_phase> phase{gateway_phase::starting};

    // A new session name: unique for this process, unguessable across runs.
    std::string next_session_id();

    std::uint64_t session_salt = 0;
    std::atomic<std::uint64_t> session_seq{0};

    // Lines a client can cause (refusals, protocol errors) pass here first.
    log_limiter logs{};
};

}  // namespace switchboard
