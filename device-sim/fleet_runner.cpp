#include "fleet_runner.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "client/jwt_signer.hpp"
#include "client/ws_transport.hpp"
#ifdef SWITCHBOARD_CLIENT_WITH_MQTT
#include "client/mqtt_transport.hpp"
#endif

namespace switchboard::sim {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
constexpr auto ramp_period = 20ms;
constexpr auto control_period = 100ms;

std::string with_commas(std::uint64_t n) {
    // Built forwards, not by insert(): gcc 12's -Wrestrict misreads the
    // inserts in a release build.
    const std::string digits = std::to_string(n);
    std::string s;
    s.reserve(digits.size() + digits.size() / 3);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
        s += digits[i];
    }
    return s;
}
}  // namespace

fleet_runner::fleet_runner(fleet_options options)
    : options_(std::move(options)), io_(std::max(1u, options_.threads)) {
    io_.start();
    env_.stats = &stats_;
    env_.reconnect_initial = options_.plan.reconnect_initial;
    env_.reconnect_max = options_.plan.reconnect_max;
    env_.on_change = [this] {
        std::lock_guard lock(mutex_);
        changed_.notify_all();
    };
}

fleet_runner::~fleet_runner() { stop(1s); }

void fleet_runner::start() {
    const scenario& plan = options_.plan;
    bool any_ws = false, any_mqtt = false;
    for (const auto& g : plan.groups) {
        any_ws |= g.transport != transport_choice::mqtt && g.count > 0;
        any_mqtt |= g.transport != transport_choice::ws && g.count > 0;
    }
    if (any_ws) {
        client::ws_options base = client::parse_ws_url(plan.gateway_url, options_.tls);
        if (options_.source_addresses.empty()) {
            ws_options_.push_back(std::make_shared<client::ws_options>(base));
        }
        for (const auto& address : options_.source_addresses) {
            auto o = std::make_shared<client::ws_options>(base);
            o->source = address;
            ws_options_.push_back(o);
        }
    }
    if (any_mqtt) {
#ifdef SWITCHBOARD_CLIENT_WITH_MQTT
        client::parse_mqtt_url(plan.mqtt_url);  // a bad URL stops here, not on an I/O thread
        auto o = std::make_shared<client::mqtt_options>();
        o->server_uri = plan.mqtt_url;
        o->prefix = plan.mqtt_prefix;
        mqtt_options_ = o;
#else
        throw std::invalid_argument("this build has no MQTT transport (SWITCHBOARD_WITH_MQTT=OFF)");
#endif
    }
    const fleet_credentials& creds = options_.credentials;
    std::shared_ptr<const client::jwt_signer> signer;
    if (!creds.jwt_secret.empty()) {
        signer = std::make_shared<client::jwt_signer>(creds.jwt_secret, creds.jwt_lifetime);
    }
    if (signer) {
        env_.token_for = [signer](const std::string& id) {
            return signer->mint(id, client_role::device);
        };
    } else if (!creds.token.empty()) {
        env_.token_for = [token = creds.token](const std::string&) { return token; };
    }
    if (creds.mqtt == fleet_credentials::mqtt_login::jwt && !signer) {
        throw std::invalid_argument("--mqtt-credentials jwt needs --jwt-secret");
    }
    if (creds.mqtt == fleet_credentials::mqtt_login::token && creds.token.empty()) {
        throw std::invalid_argument("--mqtt-credentials token needs --token");
    }
    env_.make_transport = [this, signer](
                              asio::io_context& io, const std::string& id, transport_kind kind,
                              const std::string& meta) -> std::shared_ptr<client::transport> {
#ifdef SWITCHBOARD_CLIENT_WITH_MQTT
        if (kind == transport_kind::mqtt) {
            const fleet_credentials& c = options_.credentials;
            client::mqtt_credentials login{c.mqtt_username, c.mqtt_password};
            if (c.mqtt == fleet_credentials::mqtt_login::token) login = {id, c.token};
            if (c.mqtt == fleet_credentials::mqtt_login::jwt)
                login = {id, signer->mint(id, client_role::device)};
            return std::make_shared<client::mqtt_transport>(io, mqtt_options_, id, "device", meta,
                                                            std::move(login));
        }
#else
        (void)signer;
        (void)id;
        (void)kind;
        (void)meta;
#endif
        auto& o =
            ws_options_[next_ws_.fetch_add(1, std::memory_order_relaxed) % ws_options_.size()];
        return std::make_shared<client::ws_transport>(io, o);
    };

    std::uint64_t seed = 0x51u;
    for (const auto& g : plan.groups) {
        for (std::size_t i = 0; i < g.count; ++i) {
            std::size_t index = g.first_index + i;
            auto kind = g.transport == transport_choice::mqtt ? transport_kind::mqtt
                        : g.transport == transport_choice::ws ? transport_kind::ws
                        : (index % 2 == 0)                    ? transport_kind::ws
                                                              : transport_kind::mqtt;
            if (kind == transport_kind::mqtt) ++mqtt_devices_;
            devices_.push_back(std::make_unique<simulated_device>(
                io_.at(devices_.size()), env_, g, g.id_prefix + std::to_string(index), kind,
                seed++));
            group_of_.push_back(&g);
        }
    }
    started_at_ = last_control_ = std::chrono::steady_clock::now();
    ramp_timer_ = std::make_unique<asio::steady_timer>(io_.at(0));
    control_timer_ = std::make_unique<asio::steady_timer>(io_.at(0));
    asio::post(io_.at(0), [this] {
        ramp_tick();
        control_tick();
    });
}

void fleet_runner::ramp_tick() {
    // Starting every connection at once would overflow the gateway's accept
    // backlog and measure SYN retries instead of the gateway.
    auto elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count();
    auto due = static_cast<std::size_t>(std::max(1.0, (elapsed + 0.02) * options_.connect_rate));
    due = std::min(due, devices_.size());
    for (; ramped_ < due; ++ramped_) {
        simulated_device* d = devices_[ramped_].get();
        asio::post(d->io(), [d] { d->start(); });
    }
    if (ramped_ < devices_.size()) {
        ramp_timer_->expires_after(ramp_period);
        ramp_timer_->async_wait([this](boost::system::error_code ec) {
            if (!ec) ramp_tick();
        });
    }
}

void fleet_runner::control_tick() {
    auto now = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(now - last_control_).count();
    last_control_ = now;
    note_progress();
    if (!calm_) churn(seconds);
    const auto& st = options_.plan.storm;
    if (st.every.count() > 0 && st.devices > 0 && ramp_ms_ >= 0 && !calm_) {
        if (next_storm_ == std::chrono::steady_clock::time_point{}) next_storm_ = now + st.every;
        if (now >= next_storm_) {
            storm();
            next_storm_ = now + st.every;
        }
    }
    control_timer_->expires_after(control_period);
    control_timer_->async_wait([this](boost::system::error_code ec) {
        if (!ec) control_tick();
    });
}

void fleet_runner::note_progress() {
    if (ramp_ms_ < 0 && stats_.online.load() >= static_cast<std::int64_t>(devices_.size()) &&
        ramped_ == devices_.size()) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started_at_);
        ramp_ms_ = ms.count();
        if (options_.report) {
            *options_.report << "fleet ready: " << devices_.size() << " devices registered in "
                             << std::fixed << std::setprecision(3) << double(ms.count()) / 1000.0
                             << " s" << std::endl;
        }
    }
}

void fleet_runner::churn(double seconds) {
    if (ramped_ < devices_.size()) return;
    // Each online device leaves with probability rate * dt; pick that many at random.
    std::size_t begin = 0;
    for (const auto& g : options_.plan.groups) {
        std::size_t end = begin + g.count;
        if (g.churn_per_min > 0 && g.count > 0) {
            double expected = double(g.count) * g.churn_per_min / 60.0 * seconds;
            auto n = static_cast<std::size_t>(expected);
            if (rng_.uniform() < expected - double(n)) ++n;
            for (std::size_t k = 0; k < n; ++k) {
                simulated_device* d = devices_[begin + rng_() % g.count].get();
                auto offline = g.churn_offline.sample(rng_);
                asio::post(d->io(), [d, offline] { d->leave_for(offline); });
            }
        }
        begin = end;
    }
}

void fleet_runner::storm() {
    const auto& st = options_.plan.storm;
    for (std::size_t k = 0; k < st.devices && !devices_.empty(); ++k) {
        std::size_t index = rng_() % devices_.size();
        simulated_device* original = devices_[index].get();
        const device_group* group = group_of_[index];
        std::uint64_t seed = rng_();
        asio::post(original->io(), [this, original, group, seed, hold = st.hold] {
            if (!original->online()) return;
            fleet_stats::add(stats_.storm_duplicates);
            auto dup = std::make_unique<simulated_device>(original->io(), env_, *group,
                                                          original->id(), original->transport(),
                                                          seed, simulated_device::kind::duplicate);
            dup->set_hold(hold);
            dup->start();
            std::lock_guard lock(duplicates_mutex_);
            duplicates_.push_back(std::move(dup));
        });
    }
}

bool fleet_runner::wait_until(const std::function<bool(const fleet_stats&)>& done,
                              std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done(stats_); });
}

bool fleet_runner::wait_all_online(std::chrono::milliseconds timeout) {
    auto n = static_cast<std::int64_t>(devices_.size());
    return wait_until([n](const fleet_stats& s) { return s.online.load() >= n; }, timeout);
}

bool fleet_runner::wait_online_at_least(std::int64_t n, std::chrono::milliseconds timeout) {
    return wait_until([n](const fleet_stats& s) { return s.online.load() >= n; }, timeout);
}

void fleet_runner::calm() { calm_ = true; }

void fleet_runner::request_stop() {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    changed_.notify_all();
}

void fleet_runner::stop(std::chrono::milliseconds grace) {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        stopped_ = true;
    }
    if (ramp_timer_) {
        asio::post(io_.at(0), [this] {
            ramp_timer_->cancel();
            control_timer_->cancel();
            ramped_ = devices_.size();  // no more starts
        });
    }
    auto remaining = std::make_shared<std::atomic<std::size_t>>(0);
    std::vector<simulated_device*> all;
    for (auto& d : devices_) all.push_back(d.get());
    {
        std::lock_guard lock(duplicates_mutex_);
        for (auto& d : duplicates_) all.push_back(d.get());
    }
    remaining->store(all.size());
    auto done = [this, remaining] {
        if (remaining->fetch_sub(1) == 1) {
            std::lock_guard lock(mutex_);
            changed_.notify_all();
        }
    };
    for (auto* d : all) asio::post(d->io(), [d, done] { d->stop(done); });
    {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, grace, [&] { return remaining->load() == 0; });
    }
    io_.stop();
    io_.join();
}

int fleet_runner::run() {
    start();
    auto deadline = options_.plan.duration.count() > 0
                        ? std::chrono::steady_clock::now() + options_.plan.duration
                        : std::chrono::steady_clock::time_point::max();
    bool tty = options_.progress != nullptr && isatty(STDERR_FILENO);
    for (;;) {
        std::unique_lock lock(mutex_);
        auto wake =
            std::min(deadline, std::chrono::steady_clock::now() + options_.progress_interval);
        changed_.wait_until(lock, wake, [&] { return stop_requested_; });
        if (stop_requested_ || std::chrono::steady_clock::now() >= deadline) break;
        lock.unlock();
        if (options_.progress) {
            *options_.progress << (tty ? "\r" : "") << progress_line() << (tty ? "\033[K" : "\n")
                               << std::flush;
        }
    }
    if (tty) *options_.progress << "\n";
    if (options_.report)
        *options_.report << "stopping: closing " << devices_.size() << " devices" << std::endl;
    stop();
    if (options_.report) *options_.report << summary() << std::flush;
    std::string why;
    int status = exit_status(why);
    if (status != 0 && options_.report) *options_.report << "switchboard-sim: " << why << std::endl;
    return status;
}

int fleet_runner::exit_status(std::string& why) const {
    // Only a verdict once an attempt has ended: a fleet stopped before its
    // first connection finished has failed at nothing.
    const auto& s = stats_;
    auto most_common = [&] {
        auto kinds = s.endings.by_count();
        if (kinds.empty()) return std::string("no reason given");
        return kinds.front().first + " (" + std::to_string(kinds.front().second) + "x)";
    };
    if (fleet_stats::get(s.registrations) == 0 && fleet_stats::get(s.connect_failures) > 0) {
        why = "no device ever came online; most common failure: " + most_common();
        return exit_never_online;
    }
    if (mqtt_devices_ > 0 && fleet_stats::get(s.mqtt_registrations) == 0 &&
        fleet_stats::get(s.connect_failures) > 0) {
        why = "no MQTT device ever reached the broker " + options_.plan.mqtt_url +
              "; most common failure: " + most_common();
        return exit_broker_unreached;
    }
    return 0;
}

std::vector<std::string> fleet_runner::device_ids() const {
    std::vector<std::string> ids;
    ids.reserve(devices_.size());
    for (const auto& d : devices_) ids.push_back(d->id());
    return ids;
}

std::optional<std::chrono::milliseconds> fleet_runner::ramp_time() const {
    auto ms = ramp_ms_.load();
    if (ms < 0) return std::nullopt;
    return std::chrono::milliseconds(ms);
}

std::string fleet_runner::progress_line() const {
    auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - started_at_);
    const auto& s = stats_;
    std::ostringstream out;
    out << "[" << std::setw(5) << elapsed.count() << "s] online " << s.online.load() << "/"
        << devices_.size() << "  commands " << with_commas(fleet_stats::get(s.commands))
        << "  answered " << with_commas(fleet_stats::get(s.answered_ok)) << " ok "
        << with_commas(fleet_stats::get(s.answered_failed)) << " failed"
        << "  events " << with_commas(fleet_stats::get(s.events)) << "  errors "
        << fleet_stats::get(s.errors_received) + fleet_stats::get(s.send_failures)
        << "  reconnects " << fleet_stats::get(s.reconnects);
    if (auto t = fleet_stats::get(s.takeovers)) out << "  takeovers " << t;
    auto kinds = s.endings.by_count();
    if (!kinds.empty()) {
        // The two most frequent kinds by name; the summary lists all.
        out << "  ended " << s.endings.total() << " (";
        for (std::size_t i = 0; i < kinds.size() && i < 2; ++i) {
            out << (i ? ", " : "") << kinds[i].first << " " << kinds[i].second;
        }
        out << (kinds.size() > 2 ? ", ...)" : ")");
    }
    return out.str();
}

std::string fleet_runner::summary() const {
    const auto& s = stats_;
    std::ostringstream out;
    out << "fleet summary (" << options_.plan.name << "): " << devices_.size() << " devices\n";
    if (auto r = ramp_time())
        out << "  all registered after   " << r->count() << " ms\n";
    else
        out << "  all registered after   never (not every device came online)\n";
    auto row = [&](const char* name, std::uint64_t v) {
        out << "  " << std::left << std::setw(22) << name << " " << with_commas(v) << "\n";
    };
    row("registrations", fleet_stats::get(s.registrations));
    row("commands received", fleet_stats::get(s.commands));
    row("answered ok", fleet_stats::get(s.answered_ok));
    row("answered ok:false", fleet_stats::get(s.answered_failed));
    row("  of which unsupported", fleet_stats::get(s.unsupported));
    row("events sent", fleet_stats::get(s.events));
    row("reboots", fleet_stats::get(s.reboots));
    row("churn leaves", fleet_stats::get(s.churn_leaves));
    row("storm duplicates", fleet_stats::get(s.storm_duplicates));
    row("takeovers (4003)", fleet_stats::get(s.takeovers));
    row("disconnects", fleet_stats::get(s.disconnects));
    row("reconnect attempts", fleet_stats::get(s.reconnects));
    row("failed attempts", fleet_stats::get(s.connect_failures));
    row("refused registrations", fleet_stats::get(s.refused));
    row("gateway errors", fleet_stats::get(s.errors_received));
    row("send failures", fleet_stats::get(s.send_failures));
    row("ended by peer", s.endings.total());
    for (const auto& [kind, count] : s.endings.by_count()) {
        out << "    " << std::left << std::setw(20) << with_commas(count) << " " << kind << "\n";
    }
    return out.str();
}

}  // namespace switchboard::sim
