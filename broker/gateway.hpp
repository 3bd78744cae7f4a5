#pragma once
// One running gateway: the I/O threads, the listener, the router and the
// clock that expires commands. Used by main() and, in process, by the
// integration tests. start(), reload() and stop() are called from one
// controlling thread (main, or a test).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>

#include "core/authenticator.hpp"
#include "core/connection_limiter.hpp"
#include "core/counters.hpp"
#include "core/frame_intake.hpp"
#include "core/gateway_config.hpp"
#include "core/heap_trim.hpp"
#include "core/origin_policy.hpp"
#include "core/reload_plan.hpp"
#include "core/router.hpp"
#include "core/snapshot_cell.hpp"
#include "io_pool.hpp"
#include "metrics.hpp"
#include "session_context.hpp"
#include "sqlite_command_store.hpp"
#include "trace_hop_log.hpp"

namespace boost::asio::ssl {
class context;
}

namespace switchboard {

class listener;

class gateway {
public:
    // Throws config_error when the config is unsafe or unusable
    // (check_security), on a TLS certificate or key that cannot be loaded,
    // and on a store (store.path) that cannot be opened. Queues again what
    // the store holds before anything is accepted.
    explicit gateway(gateway_config config);
    ~gateway();

    // Binds the listener (throws if it cannot) and starts serving.
    void start();

    // Closes every connection with 1001, waits up to `grace` for them to
    // finish, and stops the I/O threads. Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

    // Applies a newly read config to the running gateway (SIGHUP): the TLS
    // certificate and key for new handshakes, credentials, ACL rules,
    // origins, limits, timeouts and who may read /metrics, without closing a
    // connection (the log level and the MQTT bridge's caps are the caller's).
    // When the plan is refused (a key that cannot change live differs),
    // nothing changes. Throws config_error, changing nothing, when the config
    // is unsafe (check_security) or its files fail the start-up checks
    // (check_files).
    reload_plan reload(gateway_config next);

    // The MQTT bridge whose state /readyz, /metrics and /stats report. Call
    // before start(); it must outlive stop().
    void set_bridge(const bridge_status* bridge) noexcept { context_.bridge = bridge; }

    // Stops taking new WebSocket upgrades (they get 503) and turns /readyz
    // to 503 "draining", so load balancers move traffic away before stop()
    // closes the connections; main waits timeouts.drain_ms in between.
    // Open connections keep working. Any thread; idempotent.
    void begin_drain();

    gateway_phase phase() const noexcept { return context_.phase.load(); }

    unsigned short port() const noexcept { return port_; }
    router& routing() noexcept { return router_; }
    counters& stats() noexcept { return stats_; }
    // The config the gateway started with (keys that cannot change live).
    const gateway_config& config() const noexcept { return config_; }
    // The config in force: the start-up one with every reload applied.
    // Controlling thread only.
    const gateway_config& running_config() const noexcept { return running_; }
    io_pool& pool() noexcept { return pool_; }
    std::size_t open_sessions() const { return sessions_.size(); }

private:
    void schedule_tick();
    // Logs outcomes controller recovery could not keep (on the tick's thread).
    void log_recovery_overflow();
    // Gives the heap's free pages back after a burst of connections (core/heap_trim.hpp).
    void trim_heap_after_bursts();

    gateway_config config_;
    gateway_config running_;
    counters stats_;
    trace_hop_log hop_log_;  // before the router, which points at it
    // store.path's; stopped in stop(), before the router its thread calls.
    std::unique_ptr<sqlite_command_store> store_;
    router router_;
    frame_intake intake_;
    session_list sessions_;
    connection_limiter connections_;
    snapshot_cell<session_settings> settings_;
    session_context context_;
    gateway_metrics metrics_;
    io_pool pool_;
    boost::asio::steady_timer tick_;
    // What log_recovery_overflow() last reported, and when (tick's thread only).
    std::uint64_t overflow_logged_ = 0;
    std::chrono::steady_clock::time_point overflow_logged_at_{};
    // When trim_heap_after_bursts() last checked, and its rule (tick's thread only).
    std::chrono::steady_clock::time_point trim_checked_at_{};
    heap_trim heap_trim_;
    std::shared_ptr<listener> listener_;
    unsigned short port_ = 0;
    bool stopped_ = false;
};

}  // namespace switchboard
