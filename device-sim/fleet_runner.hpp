#pragma once
// Runs a fleet of simulated devices described by a scenario: creates them
// over a few I/O threads, ramps their connections up, drives churn and
// duplicate-ID storms, prints a live progress line and a summary, and stops
// every device cleanly.
//
// Owned by main() (or a test). start(), stop(), run() are called from one
// controlling thread; request_stop() from any thread (a signal handler's).
// Devices live on the I/O threads; the runner only posts to them.

#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/ws_transport.hpp"
#include "core/splitmix64.hpp"
#include "fleet_stats.hpp"
#include "io_pool.hpp"
#include "scenario.hpp"
#include "simulated_device.hpp"

namespace switchboard::client {
struct mqtt_options;
}  // namespace switchboard::client

namespace switchboard::sim {

// How the fleet's devices prove who they are (docs/simulator.md, "Credentials").
struct fleet_credentials {
    std::string token;       // WebSocket devices send it in `register` (--token)
    std::string jwt_secret;  // or a JWT per device ID minted with it (--jwt-secret)
    std::chrono::seconds jwt_lifetime{30 * 24 * 3600};
    // MQTT: one login for every device (--mqtt-username/--mqtt-password), or
    // per device: username = its ID, password = the token or its JWT.
    enum class mqtt_login { shared, token, jwt };
    mqtt_login mqtt = mqtt_login::shared;
    std::string mqtt_username, mqtt_password;
};

struct fleet_options {
    scenario plan;
    fleet_credentials credentials;
    client::tls_trust tls;  // wss:// only
    unsigned threads = 1;
    std::vector<boost::asio::ip::address>
        source_addresses;        // WebSocket connections rotate over these
    double connect_rate = 5000;  // new connections per second during the ramp
    std::chrono::milliseconds progress_interval{1000};
    std::ostream* progress = nullptr;  // the live line; none when null
    std::ostream* report = nullptr;    // "fleet ready" and the summary; none when null
};

class fleet_runner {
public:
    explicit fleet_runner(fleet_options options);
    ~fleet_runner();

    fleet_runner(const fleet_runner&) = delete;
    fleet_runner& operator=(const fleet_runner&) = delete;

    // Creates the devices and starts connecting them. Throws on a bad URL.
    void start();
    // Until every device has registered once (true) or the deadline (false).
    bool wait_all_online(std::chrono::milliseconds timeout);
    // Until `n` devices are online at once (true) or the deadline.
    bool wait_online_at_least(std::int64_t n, std::chrono::milliseconds timeout);
    // Until `done(stats)` holds (true) or the deadline; re-checked on every
    // registration and disconnection.
    bool wait_until(const std::function<bool(const fleet_stats&)>& done,
                    std::chrono::milliseconds timeout);
    // Ends churn and duplicate storms (devices away still come back).
    void calm();
    // Stops every device (graceful close), waits up to `grace`, stops the threads.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

    // start(), progress until the scenario's duration or request_stop(), stop(), summary.
    // Returns the exit status (0, or one of the statuses below, explained on `report`).
    int run();
    static constexpr int exit_never_online = 4;      // no device ever came online
    static constexpr int exit_broker_unreached = 5;  // devices came online, no MQTT one did
    // The exit status the run has earned so far, and why when it is not 0.
    int exit_status(std::string& why) const;
    void request_stop();

    const fleet_stats& stats() const noexcept { return stats_; }
    std::size_t device_count() const noexcept { return devices_.size(); }
    std::vector<std::string> device_ids() const;
    // Time from start() until every device had registered once.
    std::optional<std::chrono::milliseconds> ramp_time() const;
    std::string progress_line() const;
    std::string summary() const;

private:
    void ramp_tick();
    void control_tick();
    void churn(double seconds);
    void storm();
    void note_progress();

    fleet_options options_;
    fleet_stats stats_;
    device_environment env_;
    std::vector<std::shared_ptr<const client::ws_options>> ws_options_;
    std::shared_ptr<const client::mqtt_options> mqtt_options_;
    std::size_t mqtt_devices_ = 0;
    std::atomic<std::size_t> next_ws_{0};
    io_pool io_;
    std::unique_ptr<boost::asio::steady_timer> ramp_timer_, control_timer_;  // on thread 0
    std::vector<std::unique_ptr<simulated_device>> devices_;
    std::vector<const device_group*> group_of_;
    std::size_t ramped_ = 0;  // devices started so far (thread 0)
    splitmix64 rng_{0x5eed};  // thread 0
    std::chrono::steady_clock::time_point started_at_, last_control_, next_storm_;
    std::atomic<std::int64_t> ramp_ms_{-1};

    std::mutex duplicates_mutex_;
    std::vector<std::unique_ptr<simulated_device>> duplicates_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool stop_requested_ = false;
    std::atomic<bool> calm_{false};
    bool stopped_ = false;
};

}  // namespace switchboard::sim
