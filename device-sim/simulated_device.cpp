#include "simulated_device.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/outbound_frame.hpp"

namespace switchboard::sim {

namespace asio = boost::asio;
using client::close_info;
using client::frame_view;
using namespace std::chrono_literals;

namespace {
constexpr std::string_view known_commands = "echo, get_state, set, reboot, fail, slow";
constexpr std::chrono::milliseconds max_slow = 60s;
}  // namespace

simulated_device::simulated_device(asio::io_context& io, const device_environment& env,
                                   const device_group& group, std::string id,
                                   transport_kind transport, std::uint64_t seed, kind role)
    : io_(io),
      env_(env),
      group_(group),
      id_(std::move(id)),
      transport_(transport),
      role_(role),
      rng_{seed},
      timer_(io) {
    temperature_ = 18.0 + 6.0 * rng_.uniform();
    battery_ = 60.0 + 40.0 * rng_.uniform();
}

simulated_device::~simulated_device() = default;

void simulated_device::start() {
    booted_at_ = std::chrono::steady_clock::now();
    client::identity who{id_, "device", group_.meta_json,
                         env_.token_for ? env_.token_for(id_) : std::string()};
    client_ = std::make_unique<client::protocol_client>(
        env_.make_transport(io_, id_, transport_, group_.meta_json), who);
    if (group_.events_per_s > 0) telemetry_ = std::make_unique<asio::steady_timer>(io_);
    connect();
}

void simulated_device::connect() {
    if (phase_ == phase::stopping || phase_ == phase::stopped) return;
    phase_ = phase::connecting;
    if (ever_registered_ || attempts_ > 0) fleet_stats::add(env_.stats->reconnects);
    client_->connect(*this);
}

void simulated_device::schedule_connect(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) connect();
    });
}

void simulated_device::on_registered(const frame_view&) {
    phase_ = phase::online;
    attempts_ = 0;
    ever_registered_ = true;
    env_.stats->online.fetch_add(1, std::memory_order_relaxed);
    fleet_stats::add(env_.stats->registrations);
    if (transport_ == transport_kind::mqtt) fleet_stats::add(env_.stats->mqtt_registrations);
    if (env_.on_change) env_.on_change();
    if (role_ == kind::duplicate) {
        // A storm's second connection holds the ID for a while, then goes.
        timer_.expires_after(std::chrono::milliseconds(away_for_));
        timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) stop();
        });
        return;
    }
    schedule_telemetry();
}

void simulated_device::on_refused(std::string_view code, std::string_view) {
    fleet_stats::add(env_.stats->refused);
    // Counted when the connection ends, whichever side closes it first.
    refusal_ = "register refused: " + std::string(code);
}

void simulated_device::on_disconnected(const close_info& info, bool was_registered) {
    if (was_registered) {
        env_.stats->online.fetch_sub(1, std::memory_order_relaxed);
        fleet_stats::add(env_.stats->disconnects);
    } else if (phase_ == phase::connecting) {
        fleet_stats::add(env_.stats->connect_failures);
    }
    if (telemetry_) telemetry_->cancel();
    if (info.code == 4003) fleet_stats::add(env_.stats->takeovers);
    env_.stats->endings.add(refusal_.empty() ? ending_kind(info) : refusal_);
    refusal_.clear();
    if (env_.on_change) env_.on_change();

    if (phase_ == phase::stopping || phase_ == phase::stopped || role_ == kind::duplicate) {
        timer_.cancel();
        phase_ = phase::stopped;
        if (on_stopped_) std::exchange(on_stopped_, nullptr)();
        return;
    }
    if (phase_ == phase::away) {
        // Rebooting or churned out on purpose: back after the chosen time.
        schedule_connect(away_for_);
        return;
    }
    // Dropped: capped exponential backoff with full jitter, so a fleet that
    // lost its gateway does not come back as one thundering herd.
    phase_ = phase::connecting;
    auto cap = env_.reconnect_initial * (std::int64_t(1) << std::min(attempts_, 20u));
    cap = std::min<std::chrono::milliseconds>(cap, env_.reconnect_max);
    ++attempts_;
    auto delay = std::chrono::milliseconds(
        static_cast<std::int64_t>(rng_.uniform() * double(cap.count())) + 1);
    schedule_connect(delay);
}

void simulated_device::stop(std::function<void()> on_stopped) {
    if (phase_ == phase::stopped) {
        if (on_stopped) on_stopped();
        return;
    }
    on_stopped_ = std::move(on_stopped);
    bool connected = client_ && phase_ != phase::away && phase_ != phase::idle;
    phase_ = phase::stopping;
    timer_.cancel();
    if (telemetry_) telemetry_->cancel();
    if (connected) {
        // on_disconnected follows; if a connect attempt is in its backoff, there is nothing to
        // close.
        if (client_->registered()) {
            client_->close();
            return;
        }
        client_->cut();
        if (phase_ == phase::stopped) return;  // cut reported at once
    }
    phase_ = phase::stopped;
    if (on_stopped_) std::exchange(on_stopped_, nullptr)();
}

void simulated_device::leave_for(std::chrono::milliseconds offline) {
    if (phase_ != phase::online) return;
    fleet_stats::add(env_.stats->churn_leaves);
    phase_ = phase::away;
    away_for_ = offline;
    client_->close();
}

void simulated_device::schedule_telemetry() {
    if (!telemetry_ || group_.events_per_s <= 0) return;
    // Poisson arrivals: the fleet's events do not march in lockstep.
    double mean_ms = 1000.0 / group_.events_per_s;
    double wait = -std::log(1.0 - rng_.uniform()) * mean_ms;
    telemetry_->expires_after(std::chrono::microseconds(static_cast<std::int64_t>(wait * 1000.0)));
    telemetry_->async_wait([this](boost::system::error_code ec) {
        if (ec || phase_ != phase::online) return;
        send_telemetry();
        schedule_telemetry();
    });
}

void simulated_device::send_telemetry() {
    // A slow random walk around plausible values for a pump.
    temperature_ = std::clamp(temperature_ + (rng_.uniform() - 0.5) * 0.4, -10.0, 90.0);
    pressure_ = std::clamp(pressure_ + (rng_.uniform() - 0.5) * 0.6, 80.0, 200.0);
    battery_ = std::max(0.0, battery_ - 0.01 * rng_.uniform());
    int rpm = 1400 + static_cast<int>(rng_.uniform() * 200);
    char data[192];
    int n = std::snprintf(data, sizeof data,
                          "{\"seq\":%llu,\"temperature_c\":%.2f,\"pressure_kpa\":%.1f,"
                          "\"rpm\":%d,\"battery_pct\":%.2f}",
                          static_cast<unsigned long long>(++event_seq_), temperature_, pressure_,
                          rpm, battery_);
    if (client_->event("telemetry", std::string_view(data, static_cast<std::size_t>(n)))) {
        fleet_stats::add(env_.stats->events);
    } else {
        fleet_stats::add(env_.stats->send_failures);
    }
}

void simulated_device::on_frame(const frame_view& frame) {
    std::string_view type = frame.type();
    if (type == "command") {
        handle_command(frame);
    } else if (type == "error") {
        fleet_stats::add(env_.stats->errors_received);
    }
    // presence, message, ack: nothing to do for a device.
}

void simulated_device::handle_command(const frame_view& frame) {
    fleet_stats::add(env_.stats->commands);
    auto from = frame.string("from");
    auto id = frame.string("id");
    auto name = frame.string("name");
    if (!from || !id) return;  // cannot be answered
    if (const answer* before = recent_.find(*from, *id)) {
        // Sent again (at-least-once): answered as the first time, not run twice.
        fleet_stats::add(env_.stats->commands_repeated);
        answer again = *before;
        again.delay = std::chrono::milliseconds(0);
        again.reboot_after = false;
        return send_answer(*from, *id, again);
    }
    answer a = compute_answer(name.value_or(""), frame.raw("args"));
    // Echoed so a simulated fleet shows whole traces (docs/mqtt.md, "Tracing").
    if (auto trace = frame.plain_string("traceparent")) a.traceparent = *trace;
    recent_.remember(*from, *id, a);
    if (a.delay.count() <= 0) return send_answer(*from, *id, a);
    auto timer = std::make_shared<asio::steady_timer>(io_, a.delay);
    timer->async_wait([this, timer, to = std::move(*from), cid = std::move(*id),
                       a = std::move(a)](boost::system::error_code ec) {
        if (!ec && phase_ == phase::online) send_answer(to, cid, a);
    });
}

simulated_device::answer simulated_device::compute_answer(std::string_view name,
                                                          std::string_view args) {
    answer a;
    if (!group_.answer_delay.always_zero()) a.delay = group_.answer_delay.sample(rng_);
    auto fail = [&](std::string code, std::string message) {
        a.ok = false;
        a.code = std::move(code);
        a.message = std::move(message);
        return a;
    };
    bool known = name == "echo" || name == "get_state" || name == "set" || name == "reboot" ||
                 name == "fail" || name == "slow";
    if (!known) {
        fleet_stats::add(env_.stats->unsupported);
        return fail("unsupported", id_ + " has no command '" + std::string(name) + "'; it knows " +
                                       std::string(known_commands));
    }
    if (name == "fail") return fail("device_failure", "failed on purpose (the fail command)");
    if (group_.failure_rate > 0 && rng_.uniform() < group_.failure_rate) {
        return fail("device_error", "simulated failure (failure_rate of the scenario)");
    }
    if (name == "echo") {
        a.result = args.empty() ? "{}" : std::string(args);
    } else if (name == "get_state") {
        a.result = state_json();
    } else if (name == "set") {
        auto parsed = nlohmann::json::parse(args, nullptr, false);
        if (args.empty() || parsed.is_discarded() || !parsed.is_object()) {
            return fail("bad_args", "set takes an object of {key: value}");
        }
        for (auto& [key, value] : parsed.items()) settings_[key] = std::move(value);
        a.result = "{\"state\":" + settings_.dump() + "}";
    } else if (name == "reboot") {
        a.result =
            "{\"rebooting\":true,\"back_in_ms\":" + std::to_string(group_.reboot.count()) + "}";
        a.reboot_after = true;
    } else if (name == "slow") {
        auto delay = group_.slow;
        auto parsed = args.empty() ? nlohmann::json() : nlohmann::json::parse(args, nullptr, false);
        if (parsed.is_object() && parsed.contains("ms") && parsed["ms"].is_number()) {
            double ms = std::clamp(parsed["ms"].get<double>(), 0.0, double(max_slow.count()));
            delay = std::chrono::milliseconds(static_cast<std::int64_t>(ms));
        }
        a.delay += delay;
        a.result = "{\"slept_ms\":" + std::to_string(delay.count()) + "}";
    }
    return a;
}

void simulated_device::send_answer(const std::string& to, const std::string& id, const answer& a) {
    bool sent = a.ok ? client_->respond_ok(to, id, a.result, a.traceparent)
                     : client_->respond_error(to, id, a.code, a.message, a.traceparent);
    if (!sent) {
        fleet_stats::add(env_.stats->send_failures);
        return;
    }
    fleet_stats::add(a.ok ? env_.stats->answered_ok : env_.stats->answered_failed);
    if (a.reboot_after && phase_ == phase::online) {
        // The answer is queued ahead of the close, so it goes out first.
        fleet_stats::add(env_.stats->reboots);
        ++boots_;
        booted_at_ = std::chrono::steady_clock::now() + group_.reboot;
        phase_ = phase::away;
        away_for_ = group_.reboot;
        client_->close();
    }
}

std::string simulated_device::state_json() const {
    auto uptime = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - booted_at_);
    char telemetry[160];
    std::snprintf(telemetry, sizeof telemetry,
                  "{\"temperature_c\":%.2f,\"pressure_kpa\":%.1f,\"battery_pct\":%.2f}",
                  temperature_, pressure_, battery_);
    std::string out = "{\"id\":";
    append_json_string(out, id_);
    out += ",\"transport\":\"";
    out += to_string(transport_);
    out += "\",\"boots\":" + std::to_string(boots_) +
           ",\"uptime_ms\":" + std::to_string(std::max<std::int64_t>(0, uptime.count())) +
           ",\"events_sent\":" + std::to_string(event_seq_) + ",\"telemetry\":" + telemetry +
           ",\"settings\":" + settings_.dump() + "}";
    return out;
}

}  // namespace switchboard::sim
