#include "gateway.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <fstream>
#include <random>
#include <thread>

#include "core/error_code.hpp"
#include "core/node_name.hpp"
#include "listener.hpp"
#include "tls_handover.hpp"
#include "websocket_session.hpp"

namespace switchboard {

namespace {
// How often pending commands are checked for their deadline: the timeout's
// precision, at a cost of a few lock acquisitions per tick.
constexpr std::chrono::milliseconds tick_period{10};

#ifdef __GLIBC__
// The process's resident set, from /proc/self/statm; 0 if unreadable.
std::size_t resident_bytes() {
    std::size_t pages = 0, resident = 0;
    std::ifstream("/proc/self/statm") >> pages >> resident;
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}
#endif

gateway_config finalized(gateway_config c) {
    c.node = node_of(c);
    c.finalize();
    check_security(c);
    return c;
}

constexpr const char* tls12_cipher_list =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// TLS 1.2 and newer only, with the certificate chain and key from the config.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_options& tls) {
    namespace ssl = boost::asio::ssl;
    if (!tls.enabled) return nullptr;
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    // TLS 1.2: forward secrecy (ECDHE) and AEAD only, no CBC, no RSA key
    // exchange. TLS 1.3 suites all qualify and keep OpenSSL's defaults.
    if (SSL_CTX_set_cipher_list(context->native_handle(), tls12_cipher_list) != 1) {
        throw config_error("tls: OpenSSL accepts none of the TLS 1.2 cipher suites");
    }
    // No renegotiation (TLS 1.2): raw_wire's TLS does no handshake after the first.
    SSL_CTX_set_options(context->native_handle(),
                        SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    // An idle connection holds no record buffers (docs/architecture.md).
    SSL_CTX_set_mode(context->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    // TLS 1.3 connections keep only their traffic keys after the upgrade.
    watch_handshakes(context->native_handle());
    boost::system::error_code ec;
    context->use_certificate_chain_file(tls.cert_file, ec);
    if (ec) throw config_error("tls.cert_file: " + tls.cert_file + ": " + ec.message());
    context->use_private_key_file(tls.key_file, ssl::context::pem, ec);
    if (ec) throw config_error("tls.key_file: " + tls.key_file + ": " + ec.message());
    return context;
}

// What connections consult, from a finalized config. Throws config_error
// when the TLS pair cannot be loaded.
std::shared_ptr<const session_settings> make_settings(const gateway_config& c) {
    return std::make_shared<const session_settings>(
        session_settings{c.session, authenticator(c.auth), origin_policy(c.origins),
                         metrics_access(c.metrics), make_tls_context(c.tls)});
}
}  // namespace

gateway::gateway(gateway_config config)
    : config_(finalized(std::move(config))),
      running_(config_),
      router_(config_.routing, stats_),
      intake_(router_, intake_limits_of(config_)),
      connections_(config_.session.max_connections, config_.session.max_connections_per_address),
      settings_(make_settings(config_)),
      context_{router_, config_, stats_, sessions_, connections_, intake_, settings_, metrics_},
      metrics_(context_),
      pool_(config_.threads),
      tick_(pool_.first()) {
    router_.set_trace_hop_sink(&hop_log_);
    if (!config_.store.path.empty()) {
        store_ = std::make_unique<sqlite_command_store>(config_.store);
        auto restored = router_.use_store(*store_, std::chrono::steady_clock::now(),
                                          std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
        spdlog::info("store {}: {} queued commands restored, {} expired while the gateway was down",
                     config_.store.path, restored.queued, restored.expired);
        auto outcomes =
            router_.restore_outcomes(std::chrono::steady_clock::now(),
                                     std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
        spdlog::info(
            "store {}: {} outcomes kept for away controllers restored, {} past their window",
            config_.store.path, outcomes.kept, outcomes.expired);
    }
    std::random_device entropy;
    context_.session_salt = (std::uint64_t(entropy()) << 32) ^ entropy();
}

gateway::~gateway() { stop(std::chrono::milliseconds(200)); }

void gateway::start() {
    boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address(config_.listen_address),
                                      config_.listen_port);
    listener_ = std::make_shared<listener>(pool_, at, context_);
    port_ = listener_->local_endpoint().port();
    listener_->run();
    schedule_tick();
    pool_.start();
    context_.phase = gateway_phase::serving;
    spdlog::info("switchboard node {} listening on {}:{} ({}) with {} I/O threads", config_.node,
                 config_.listen_address, port_,
                 !config_.tls.enabled      ? "ws, http"
                 : config_.tls.allow_plain ? "wss, https, ws, http"
                                           : "wss, https",
                 pool_.size());
    if (!config_.auth.required) {
        spdlog::warn(
            "authentication is DISABLED (auth.mode \"disabled\"): any client may claim "
            "any ID; never expose this gateway to a network like this");
    }
    if (!config_.tls.enabled && config_.listen_address != "127.0.0.1" &&
        config_.listen_address != "::1") {
        spdlog::warn("TLS is off on {}: tokens and traffic cross the network in clear",
                     config_.listen_address);
    }
}

reload_plan gateway::reload(gateway_config next) {
    next = finalized(std::move(next));
    reload_plan plan = plan_reload(running_, next);
    if (plan.refused()) return plan;
    // Everything that can fail comes first, so a failure changes nothing;
    // the files get the start-up checks (a key that does not match its
    // certificate is refused, not half-loaded).
    check_files(next);
    auto settings = make_settings(next);
    settings_.store(std::move(settings));
    router_.set_options(next.routing);
    intake_.set_limits(intake_limits_of(next));
    connections_.set_caps(next.session.max_connections, next.session.max_connections_per_address);
    running_ = std::move(next);
    return plan;
}

void gateway::schedule_tick() {
    tick_.expires_after(tick_period);
    tick_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        router_.expire_commands(std::chrono::steady_clock::now());
        log_recovery_overflow();
        trim_heap_after_bursts();
        schedule_tick();
    });
}

void gateway::log_recovery_overflow() {
    // At most once a second: an overflow comes in bursts, one per outcome.
    const auto now = std::chrono::steady_clock::now();
    if (now - overflow_logged_at_ < std::chrono::seconds(1)) return;
    const std::uint64_t total = stats_.recovery_overflow.load(std::memory_order_relaxed);
    if (total == overflow_logged_) return;
    auto options = router_.options();
    spdlog::warn(
        "controller recovery: {} outcomes for away controllers not kept (over "
        "limits.recovery_max_per_controller {} or limits.recovery_max_bytes {}); {} in all",
        total - overflow_logged_, options->recovery.per_controller, options->recovery.total_bytes,
        total);
    overflow_logged_ = total;
    overflow_logged_at_ = now;
}

void gateway::trim_heap_after_bursts() {
    const auto now = std::chrono::steady_clock::now();
    if (now - trim_checked_at_ < std::chrono::seconds(1)) return;
    trim_checked_at_ = now;
    if (!heap_trim_.check(stats_.connections_accepted.load(std::memory_order_relaxed) +
                          stats_.sessions_registered.load(std::memory_order_relaxed))) {
        return;
    }
#ifdef __GLIBC__
    // It holds up this I/O thread for a moment (8 ms measured with 110 MiB
    // of heap), once per burst; each arena is locked in turn, not all at once.
    // Counted in /stats (heap_trims...): the resident set before and after is
    // two reads of /proc, cheap beside the trim; other threads run meanwhile,
    // so its drop is approximate (never negative).
    const std::size_t before = resident_bytes();
    const auto started = std::chrono::steady_clock::now();
    malloc_trim(0);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    const std::size_t after = resident_bytes();
    counters::add(stats_.heap_trims);
    counters::add(stats_.heap_trim_us, static_cast<std::uint64_t>(us));
    stats_.heap_trim_last_us.store(static_cast<std::uint64_t>(us), std::memory_order_relaxed);
    if (before > after) counters::add(stats_.heap_trim_released_bytes, before - after);
    spdlog::debug("heap: trimmed after a burst of connections in {} us, {} KiB given back", us,
                  before > after ? (before - after) / 1024 : 0);
#endif
}

void gateway::begin_drain() {
    if (context_.phase.exchange(gateway_phase::draining) == gateway_phase::draining) return;
    spdlog::info("draining: new upgrades refused, /readyz answers 503");
}

void gateway::stop(std::chrono::milliseconds grace) {
    if (stopped_) return;
    stopped_ = true;
    context_.phase = gateway_phase::draining;
    if (listener_) {
        listener_->stop();
        boost::asio::post(tick_.get_executor(), [this] { tick_.cancel(); });
        for (auto& s : sessions_.snapshot())
            s->close(close_code::going_away, "server shutting down");
        auto deadline = std::chrono::steady_clock::now() + grace;
        while (sessions_.size() > 0 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (sessions_.size() > 0) {
            spdlog::warn("{} sessions still open after {} ms; stopping anyway", sessions_.size(),
                         grace.count());
        }
    }
    pool_.stop();
    pool_.join();
    // What was queued or ended is written before the router it calls back goes.
    if (store_) store_->stop();
    // Sessions that did not finish within the grace are still held by their
    // records; they must go before the io_contexts they were made on.
    router_.clear();
    listener_.reset();
}

}  // namespace switchboard
