#include "load_runner.hpp"

#include <unistd.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "client/jwt_signer.hpp"
#include "client/protocol_client.hpp"
#include "client/ws_transport.hpp"
#include "core/splitmix64.hpp"
#include "ending_tally.hpp"
#include "io_pool.hpp"
#include "simulated_device.hpp"

namespace switchboard::sim {

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string make_load_args(std::size_t bytes) {
    constexpr std::size_t overhead = 10;  // {"pad":""}
    if (bytes < overhead) return "{}";
    return "{\"pad\":\"" + std::string(bytes - overhead, 'x') + "\"}";
}

namespace {

enum class phase { idle, warmup, measure, drain };

// Registration progress shared between the controllers' threads and run():
// how many controllers registered, how many failed, and the first failure.
// (Commands in flight are counted by each controller, read through on_each.)
struct coordination {
    std::mutex mutex;
    std::condition_variable changed;
    unsigned registered = 0;
    unsigned failed = 0;
    std::string failure;
};

// One controller connection and its commands in flight. Lives on one I/O
// thread; run() reads its tallies only after that thread has stopped.
class load_controller final : private client::protocol_listener {
public:
    load_controller(asio::io_context& io, std::shared_ptr<const client::ws_options> ws,
                    const load_options& options, std::string id, std::uint64_t seed,
                    coordination& coord, std::string args, std::string token)
        : io_(io),
          options_(options),
          client_(std::make_shared<client::ws_transport>(io, std::move(ws)),
                  client::identity{std::move(id), "controller", "{}", std::move(token)}),
          coord_(coord),
          rng_{seed},
          args_(std::move(args)) {
        pending_.reserve(options.inflight * 2 + 64);
    }

    void connect() { client_.connect(*this); }
    asio::io_context& io() { return io_; }

    // Thread of this controller only, from here on.
    void begin(phase p) {
        phase_ = p;
        if (p == phase::measure) first_measured_ = next_seq_;
        if (p == phase::warmup || (p == phase::measure && !started_)) {
            started_ = true;
            if (options_.rate <= 0) {
                for (unsigned i = 0; i < options_.inflight && may_send(); ++i)
                    send_one(clock_type::now());
            }
        }
    }
    std::size_t outstanding_measured() const {
        std::size_t n = 0;
        for (const auto& [seq, p] : pending_) n += seq >= first_measured_ ? 1 : 0;
        return n;
    }
    bool may_send() const {
        if (phase_ != phase::warmup && phase_ != phase::measure) return false;
        return !(options_.count > 0 && phase_ == phase::measure && result_.sent >= quota_);
    }
    void set_quota(std::uint64_t q) { quota_ = q; }
    void send_one(clock_type::time_point intended) {
        std::uint64_t seq = next_seq_++;
        char id[24];
        id[0] = 'c';
        auto [end, ec] = std::to_chars(id + 1, id + sizeof id, seq);
        std::size_t target = options_.first_index + rng_() % options_.devices;
        char to[160];
        std::size_t prefix = std::min(options_.id_prefix.size(), sizeof to - 24);
        std::memcpy(to, options_.id_prefix.data(), prefix);
        auto [to_end, ec2] = std::to_chars(to + prefix, to + sizeof to, target);
        bool measured = phase_ == phase::measure;
        if (measured) ++result_.sent;
        pending_.emplace(seq, intended);
        if (!client_.command(std::string_view(to, static_cast<std::size_t>(to_end - to)),
                             std::string_view(id, static_cast<std::size_t>(end - id)),
                             options_.command, args_, options_.timeout_ms, options_.ttl_ms)) {
            // Not even queued (connection gone or backlog full): it cannot be answered.
            pending_.erase(seq);
            if (measured) ++result_.errors["not_sent"];
        }
    }

    load_result result_;  // counts only; merged by run()
    latency_histogram histogram_;
    std::uint64_t window_completed_ = 0;

private:
    void on_registered(const client::frame_view&) override {
        std::lock_guard lock(coord_.mutex);
        ++coord_.registered;
        coord_.changed.notify_all();
    }
    void on_refused(std::string_view code, std::string_view message) override {
        std::lock_guard lock(coord_.mutex);
        ++coord_.failed;
        coord_.failure = std::string(code) + ": " + std::string(message);
        coord_.changed.notify_all();
    }
    void on_disconnected(const client::close_info& info, bool was_registered) override {
        if (was_registered) {
            // No outcome can reach us now: the gateway drops a departed
            // controller's commands. Counted apart from lost, with the reason.
            result_.cut_off += outstanding_measured();
            pending_.clear();
            ++result_.controllers_closed;
            if (result_.first_close.empty()) {
                result_.first_close =
                    std::to_string(info.code) + (info.reason.empty() ? "" : " " + info.reason);
            }
        }
        std::lock_guard lock(coord_.mutex);
        if (!was_registered) {
            ++coord_.failed;
            if (coord_.failure.empty()) coord_.failure = ending_kind(info);
        }
        disconnected_ = true;
        coord_.changed.notify_all();
    }

    void on_frame(const client::frame_view& frame) override {
        std::string_view type = frame.type();
        bool is_response = type == "response";
        // With --ttl-ms, `ack queued` completes a command; other acks and
        // presence are not ours to count.
        bool is_queued = options_.ttl_ms > 0 && type == "ack" &&
                         frame.plain_string("status") == std::optional<std::string_view>("queued");
        if (!is_response && !is_queued && type != "error") return;
        auto id = frame.plain_string("id");
        std::uint64_t seq = 0;
        if (!id || id->size() < 2 || (*id)[0] != 'c' ||
            std::from_chars(id->data() + 1, id->data() + id->size(), seq).ec != std::errc{}) {
            ++result_.stray_frames;
            return;
        }
        auto it = pending_.find(seq);
        if (it == pending_.end()) {
            // The outcome of a command completed by its `ack queued`.
            if (queued_seqs_.erase(seq) > 0) {
                ++result_.outcomes_after_queued;
            } else {
                ++result_.stray_frames;
            }
            return;
        }
        auto sent_at = it->second;
        pending_.erase(it);
        bool measured = seq >= first_measured_ && first_measured_ != no_seq;
        if (is_queued) queued_seqs_.insert(seq);
        if (measured) {
            auto now = clock_type::now();
            if (is_queued) {
                ++result_.queued;
                histogram_.record(now - sent_at);
                if (phase_ == phase::measure) ++window_completed_;
            } else if (is_response) {
                bool ok = frame.boolean("ok");
                std::string_view error = frame.raw("error");
                if (!ok && error.find("\"timeout\"") != std::string_view::npos) {
                    ++result_.timeouts;
                } else if (!ok && error.find("\"device_disconnected\"") != std::string_view::npos) {
                    // Made by the gateway, not an answer: counted with the errors.
                    ++result_.errors["device_disconnected"];
                } else {
                    ++result_.answered;
                    ++(ok ? result_.answered_ok : result_.answered_failed);
                    histogram_.record(now - sent_at);
                    if (phase_ == phase::measure) ++window_completed_;
                }
            } else {
                ++result_.errors[frame.string("code").value_or("unknown")];
            }
        }
        if (options_.rate <= 0 && may_send()) send_one(clock_type::now());
    }

    static constexpr std::uint64_t no_seq = ~std::uint64_t(0);

    asio::io_context& io_;
    const load_options& options_;
    client::protocol_client client_;
    coordination& coord_;
    splitmix64 rng_;
    std::string args_;
    std::unordered_map<std::uint64_t, clock_type::time_point> pending_;
    std::unordered_set<std::uint64_t> queued_seqs_;  // acked `queued`, outcome not yet seen
    std::uint64_t next_seq_ = 0;
    std::uint64_t first_measured_ = no_seq;
    std::uint64_t quota_ = ~std::uint64_t(0);
    phase phase_ = phase::idle;
    bool started_ = false;
    bool disconnected_ = false;
};

// Open loop: one pacer per I/O thread sends its share of the offered rate,
// command k at start + k / rate, round robin over that thread's controllers.
class pacer {
public:
    pacer(asio::io_context& io, std::vector<load_controller*> controllers, double rate)
        : timer_(io), controllers_(std::move(controllers)), rate_(rate) {}

    void start(clock_type::time_point at) {
        start_ = at;
        tick();
    }
    void stop() {
        stopped_ = true;
        timer_.cancel();
    }

private:
    void tick() {
        if (stopped_ || controllers_.empty()) return;
        auto now = clock_type::now();
        for (;;) {
            auto intended = start_ + std::chrono::nanoseconds(
                                         static_cast<std::int64_t>(double(k_) * 1e9 / rate_));
            if (intended > now) {
                timer_.expires_at(intended);
                timer_.async_wait([this](boost::system::error_code ec) {
                    if (!ec) tick();
                });
                return;
            }
            load_controller* c = controllers_[k_ % controllers_.size()];
            ++k_;
            if (c->may_send()) c->send_one(intended);
        }
    }

    asio::steady_timer timer_;
    std::vector<load_controller*> controllers_;
    double rate_;
    clock_type::time_point start_;
    std::uint64_t k_ = 0;
    bool stopped_ = false;
};

// Runs `fn` on every controller's thread and waits until all have run it.
template <class Fn>
void on_each(std::vector<std::unique_ptr<load_controller>>& controllers, Fn fn) {
    std::mutex m;
    std::condition_variable cv;
    std::size_t left = controllers.size();
    for (auto& c : controllers) {
        asio::post(c->io(), [&, raw = c.get()] {
            fn(*raw);
            std::lock_guard lock(m);
            if (--left == 0) cv.notify_all();
        });
    }
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return left == 0; });
}

watched_process difference(int pid, const cpu_sample& before, const cpu_sample& after) {
    watched_process p;
    p.pid = pid;
    p.user_s = after.user_s - before.user_s;
    p.system_s = after.system_s - before.system_s;
    p.cpu_s = p.user_s + p.system_s;
    return p;
}

}  // namespace

load_runner::load_runner(load_options options) : options_(std::move(options)) {
    if (options_.controllers == 0) throw std::invalid_argument("--controllers must be at least 1");
    if (options_.devices == 0) throw std::invalid_argument("--devices must be at least 1");
    if (options_.rate <= 0 && options_.inflight == 0)
        throw std::invalid_argument("--inflight must be at least 1");
}

namespace {

using controller_list = std::vector<std::unique_ptr<load_controller>>;

// The CPU clocks read at both ends of the measured window.
struct window_marks {
    clock_type::time_point start, end;
    cpu_sample own_before, own_after;
    std::optional<cpu_sample> gateway_before, gateway_after, fleet_before, fleet_after;
    std::optional<std::uint64_t> gateway_rss, fleet_rss;
};

// One controller per connection, spread over the threads and source
// addresses, each with its credentials and, with --count, its quota.
controller_list make_controllers(const load_options& o, io_pool& io, coordination& coord) {
    auto base = client::parse_ws_url(o.gateway_url, o.tls);
    std::vector<std::shared_ptr<const client::ws_options>> ws;
    if (o.source_addresses.empty()) ws.push_back(std::make_shared<client::ws_options>(base));
    for (const auto& a : o.source_addresses) {
        auto w = std::make_shared<client::ws_options>(base);
        w->source = a;
        ws.push_back(w);
    }
    std::string args = make_load_args(o.args_bytes);
    std::optional<client::jwt_signer> signer;
    if (!o.jwt_secret.empty()) signer.emplace(o.jwt_secret, std::chrono::hours(24));
    controller_list controllers;
    for (unsigned i = 0; i < o.controllers; ++i) {
        std::string id = o.controller_prefix + std::to_string(i) + "-" + std::to_string(::getpid());
        std::string token = signer ? signer->mint(id, client_role::controller) : o.token;
        controllers.push_back(std::make_unique<load_controller>(io.at(i), ws[i % ws.size()], o, id,
                                                                0x1234567ULL * (i + 1), coord, args,
                                                                std::move(token)));
    }
    if (o.count > 0) {
        for (unsigned i = 0; i < o.controllers; ++i) {
            controllers[i]->set_quota(o.count / o.controllers +
                                      (i < o.count % o.controllers ? 1 : 0));
        }
    }
    return controllers;
}

// Until every controller has registered; throws naming the first failure.
void register_all(const load_options& o, controller_list& controllers, coordination& coord) {
    for (auto& c : controllers) asio::post(c->io(), [raw = c.get()] { raw->connect(); });
    std::unique_lock lock(coord.mutex);
    bool ok = coord.changed.wait_for(
        lock, o.connect_timeout, [&] { return coord.registered + coord.failed >= o.controllers; });
    if (!ok || coord.failed > 0) {
        throw std::runtime_error(
            "controllers could not register: " +
            (coord.failure.empty() ? std::string("timed out") : coord.failure));
    }
}

// Open loop: one pacer per I/O thread for that thread's controllers.
std::vector<std::unique_ptr<pacer>> make_pacers(const load_options& o, io_pool& io,
                                                controller_list& controllers) {
    std::vector<std::unique_ptr<pacer>> pacers;
    if (o.rate <= 0) return pacers;
    for (std::size_t t = 0; t < io.size(); ++t) {
        std::vector<load_controller*> mine;
        for (std::size_t i = t; i < controllers.size(); i += io.size())
            mine.push_back(controllers[i].get());
        pacers.push_back(std::make_unique<pacer>(io.at(t), mine, o.rate / double(io.size())));
    }
    return pacers;
}

// Warm-up, then the measured window (by duration, or until --count is
// answered), the CPU of each watched process read at both ends.
window_marks send_and_measure(const load_options& o, io_pool& io, controller_list& controllers,
                              std::vector<std::unique_ptr<pacer>>& pacers) {
    auto start_pacers = [&] {
        auto at = clock_type::now();
        for (std::size_t t = 0; t < pacers.size(); ++t) {
            asio::post(io.at(t), [p = pacers[t].get(), at] { p->start(at); });
        }
    };
    if (o.warmup.count() > 0) {
        on_each(controllers, [](load_controller& c) { c.begin(phase::warmup); });
        start_pacers();
        std::this_thread::sleep_for(o.warmup);
    }
    window_marks w;
    w.gateway_before = o.gateway_pid > 0 ? process_cpu(o.gateway_pid) : std::nullopt;
    w.fleet_before = o.fleet_pid > 0 ? process_cpu(o.fleet_pid) : std::nullopt;
    w.own_before = own_cpu();
    w.start = clock_type::now();
    on_each(controllers, [](load_controller& c) { c.begin(phase::measure); });
    if (o.warmup.count() == 0) start_pacers();

    if (o.count > 0) {
        // Until every quota is sent and answered, bounded by the duration as a deadline.
        auto deadline = w.start + std::max<std::chrono::milliseconds>(o.duration, 60s);
        for (;;) {
            std::atomic<std::size_t> outstanding{0};
            std::atomic<std::uint64_t> sent{0};
            on_each(controllers, [&](load_controller& c) {
                outstanding += c.outstanding_measured();
                sent += c.result_.sent;
            });
            if ((sent >= o.count && outstanding == 0) || clock_type::now() >= deadline) break;
            std::this_thread::sleep_for(5ms);
        }
    } else {
        std::this_thread::sleep_until(w.start + o.duration);
    }
    w.end = clock_type::now();
    w.own_after = own_cpu();
    w.gateway_after = o.gateway_pid > 0 ? process_cpu(o.gateway_pid) : std::nullopt;
    w.fleet_after = o.fleet_pid > 0 ? process_cpu(o.fleet_pid) : std::nullopt;
    w.gateway_rss = o.gateway_pid > 0 ? process_rss_kib(o.gateway_pid) : std::nullopt;
    w.fleet_rss = o.fleet_pid > 0 ? process_rss_kib(o.fleet_pid) : std::nullopt;
    for (std::size_t t = 0; t < pacers.size(); ++t) {
        asio::post(io.at(t), [p = pacers[t].get()] { p->stop(); });
    }
    return w;
}

// Every command still out gets its answer, error or gateway timeout; what
// is still out after timeout + grace is lost. Returns the lost count.
std::size_t drain(const load_options& o, controller_list& controllers) {
    on_each(controllers, [](load_controller& c) { c.begin(phase::drain); });
    auto deadline = clock_type::now() + std::chrono::milliseconds(o.timeout_ms) + o.drain_grace;
    for (;;) {
        std::atomic<std::size_t> outstanding{0};
        on_each(controllers, [&](load_controller& c) { outstanding += c.outstanding_measured(); });
        if (outstanding == 0 || clock_type::now() >= deadline) break;
        std::this_thread::sleep_for(5ms);
    }
    std::atomic<std::size_t> lost{0};
    on_each(controllers, [&](load_controller& c) { lost += c.outstanding_measured(); });
    return lost;
}

// The report, from the controllers' tallies (read after their threads stopped).
load_result report(const load_options& o, const controller_list& controllers, const window_marks& w,
                   std::size_t lost, std::size_t threads) {
    load_result r;
    r.mode = o.rate > 0 ? "open" : "closed";
    r.controllers = o.controllers;
    r.inflight = o.rate > 0 ? 0 : o.inflight;
    r.offered_rate = o.rate;
    r.command_limit = o.count;
    r.devices = o.devices;
    r.command = o.command;
    r.args_bytes = o.args_bytes;
    r.ttl_ms = o.ttl_ms;
    r.threads = static_cast<unsigned>(threads);
    r.latency_from_intended = o.rate > 0;
    for (const auto& c : controllers) {
        const auto& cr = c->result_;
        r.sent += cr.sent;
        r.answered += cr.answered;
        r.queued += cr.queued;
        r.outcomes_after_queued += cr.outcomes_after_queued;
        r.answered_ok += cr.answered_ok;
        r.answered_failed += cr.answered_failed;
        for (const auto& [code, n] : cr.errors) {
            r.errors[code] += n;
            r.errors_total += n;
        }
        r.timeouts += cr.timeouts;
        r.cut_off += cr.cut_off;
        r.controllers_closed += cr.controllers_closed;
        if (r.first_close.empty()) r.first_close = cr.first_close;
        r.stray_frames += cr.stray_frames;
        r.window_completed += c->window_completed_;
        r.latency.merge(c->histogram_);
    }
    r.lost = lost;
    r.window_s = std::chrono::duration<double>(w.end - w.start).count();
    r.round_trips_per_s = r.window_s > 0 ? double(r.window_completed) / r.window_s : 0;
    r.generator = difference(::getpid(), w.own_before, w.own_after);
    if (w.gateway_before && w.gateway_after) {
        r.gateway = difference(o.gateway_pid, *w.gateway_before, *w.gateway_after);
        r.gateway->rss_kib = w.gateway_rss;
        if (r.window_completed > 0) {
            r.gateway_cpu_us_per_round_trip = r.gateway->cpu_s * 1e6 / double(r.window_completed);
        }
    }
    if (w.fleet_before && w.fleet_after) {
        r.fleet = difference(o.fleet_pid, *w.fleet_before, *w.fleet_after);
        r.fleet->rss_kib = w.fleet_rss;
    }
    return r;
}

}  // namespace

load_result load_runner::run() {
    const load_options& o = options_;
    io_pool io(std::max(1u, std::min(o.threads, o.controllers)));
    io.start();
    coordination coord;
    controller_list controllers = make_controllers(o, io, coord);
    try {
        register_all(o, controllers, coord);
    } catch (...) {
        io.stop();
        io.join();  // before the controllers go
        throw;
    }
    auto pacers = make_pacers(o, io, controllers);
    window_marks window = send_and_measure(o, io, controllers, pacers);
    std::size_t lost = drain(o, controllers);
    io.stop();
    io.join();
    return report(o, controllers, window, lost, io.size());
}

}  // namespace switchboard::sim
