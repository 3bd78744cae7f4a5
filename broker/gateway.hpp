#pragma once
// One running gateway: the I/O threads, the listener, the router and the
// clock that expires commands. Used by main() and, in process, by the
// integration tests. start() and stop() are called from one controlling
// thread (main, or a test).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>

#include "core/authenticator.hpp"
#include "core/connection_limiter.hpp"
#include "core/counters.hpp"
#include "core/frame_intake.hpp"
#include "core/gateway_config.hpp"
#include "core/origin_policy.hpp"
#include "core/router.hpp"
#include "io_pool.hpp"
#include "session_context.hpp"

namespace boost::asio::ssl {
class context;
}

namespace switchboard {

class listener;

class gateway {
public:
    // Throws config_error when the config is unsafe or unusable
    // (check_security), and on a TLS certificate or key that cannot be loaded.
    explicit gateway(gateway_config config);
    ~gateway();

    // Binds the listener (throws if it cannot) and starts serving.
    void start();

    // Closes every connection with 1001, waits up to `grace` for them to
    // finish, and stops the I/O threads. Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

    // Reports the MQTT bridge's state at /healthz. Call before start();
    // `source` must be thread-safe.
    void set_mqtt_health(std::function<std::string()> source) {
        context_.mqtt_health = std::move(source);
    }

    unsigned short port() const noexcept { return port_; }
    router& routing() noexcept { return router_; }
    counters& stats() noexcept { return stats_; }
    const gateway_config& config() const noexcept { return config_; }
    io_pool& pool() noexcept { return pool_; }
    std::size_t open_sessions() const { return sessions_.size(); }

private:
    void schedule_tick();

    gateway_config config_;
    counters stats_;
    router router_;
    frame_intake intake_;
    session_list sessions_;
    authenticator auth_;
    origin_policy origins_;
    connection_limiter connections_;
    std::unique_ptr<boost::asio::ssl::context> tls_;
    session_context context_;
    io_pool pool_;
    boost::asio::steady_timer tick_;
    std::shared_ptr<listener> listener_;
    unsigned short port_ = 0;
    bool stopped_ = false;
};

}  // namespace switchboard
