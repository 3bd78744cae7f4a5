#pragma once
// One simulated device: it registers (WebSocket) or connects (MQTT), keeps a
// little state, answers the built-in commands (echo, get_state, set, reboot,
// fail, slow; anything else gets ok:false "unsupported") once each: a
// command it gets again (same from and id, as the gateway re-sends after a
// restart) is answered as before, not executed again (recent_commands), sends telemetry
// events at its group's rate, and reconnects with capped, jittered backoff
// when it is dropped.
//
// Owned by the fleet_runner (or a test), which keeps it alive until its I/O
// thread has stopped. Runs on one io_context thread: every method is called
// there (other threads post to executor()).

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "client/protocol_client.hpp"
#include "core/splitmix64.hpp"
#include "fleet_stats.hpp"
#include "recent_commands.hpp"
#include "scenario.hpp"

namespace switchboard::sim {

// What every device of a fleet shares.
struct device_environment {
    fleet_stats* stats = nullptr;
    std::chrono::milliseconds reconnect_initial{100};
    std::chrono::milliseconds reconnect_max{10000};
    // Makes the transport for a device (WebSocket or MQTT) on `io`.
    std::function<std::shared_ptr<client::transport>(boost::asio::io_context& io,
                                                     const std::string& id, transport_kind kind,
                                                     const std::string& meta)>
        make_transport;
    // The token a WebSocket device registers with (`register.token`); may be empty.
    std::function<std::string(const std::string& id)> token_for;
    // Told after every registration and disconnection (on the device's thread); may be empty.
    std::function<void()> on_change;
};

class simulated_device final : private client::protocol_listener {
public:
    enum class kind { normal, duplicate };

    simulated_device(boost::asio::io_context& io, const device_environment& env,
                     const device_group& group, std::string id, transport_kind transport,
                     std::uint64_t seed, kind role = kind::normal);
    ~simulated_device() override;

    // A storm duplicate holds its ID this long once registered, then leaves.
    void set_hold(std::chrono::milliseconds hold) { away_for_ = hold; }
    void start();
    // Leaves for good (graceful close); on_stopped is called once it is gone.
    void stop(std::function<void()> on_stopped = {});
    // Churn: leaves gracefully and comes back after `offline`.
    void leave_for(std::chrono::milliseconds offline);

    bool online() const noexcept { return client_ && client_->registered(); }
    bool stopped() const noexcept { return phase_ == phase::stopped; }
    const std::string& id() const noexcept { return id_; }
    transport_kind transport() const noexcept { return transport_; }
    boost::asio::io_context& io() noexcept { return io_; }
    std::uint64_t boots() const noexcept { return boots_; }

private:
    enum class phase { idle, connecting, online, away, stopping, stopped };

    void connect();
    void schedule_connect(std::chrono::milliseconds delay);
    void schedule_telemetry();
    void send_telemetry();

    void on_registered(const client::frame_view& registered) override;
    void on_frame(const client::frame_view& frame) override;
    void on_refused(std::string_view code, std::string_view message) override;
    void on_disconnected(const client::close_info& info, bool was_registered) override;

    void handle_command(const client::frame_view& frame);
    // Computes the answer to one command; `ok` false fills error code and message.
    struct answer {
        bool ok = true;
        std::string result;  // JSON
        std::string code, message;
        std::chrono::milliseconds delay{0};
        bool reboot_after = false;
        std::string traceparent;  // the command's, echoed; empty when it had none
    };
    answer compute_answer(std::string_view name, std::string_view args);
    void send_answer(const std::string& to, const std::string& id, const answer& a);
    std::string state_json() const;

    boost::asio::io_context& io_;
    const device_environment& env_;
    const device_group& group_;
    std::string id_;
    transport_kind transport_;
    kind role_;
    splitmix64 rng_;  // eight bytes per device
    std::unique_ptr<client::protocol_client> client_;
    boost::asio::steady_timer timer_;  // reconnect, reboot, return from churn, storm hold
    std::unique_ptr<boost::asio::steady_timer> telemetry_;  // only when it sends events
    phase phase_ = phase::idle;
    unsigned attempts_ = 0;  // failed attempts since the last registration
    bool ever_registered_ = false;
    std::chrono::milliseconds away_for_{0};  // set by reboot or churn before closing
    std::string refusal_;  // the gateway's answer to a refused `register`, until the close
    std::function<void()> on_stopped_;
    // The last commands executed and their answers (docs/protocol.md, "Devices
    // dedupe by command ID"); 32 span a gateway restart at simulated rates.
    recent_commands<answer> recent_{32};

    // The device's own state: what `set` stored, what `get_state` shows.
    nlohmann::json settings_ = nlohmann::json::object();
    std::uint64_t boots_ = 1;
    std::uint64_t event_seq_ = 0;
    double temperature_ = 20.0;
    double pressure_ = 101.3;
    double battery_ = 100.0;
    std::chrono::steady_clock::time_point booted_at_;
};

}  // namespace switchboard::sim
