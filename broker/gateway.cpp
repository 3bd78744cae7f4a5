#include "gateway.hpp"

#include <boost/asio/ip/address.hpp>
#include <random>
#include <spdlog/spdlog.h>
#include <thread>

#include "core/error_code.hpp"
#include "listener.hpp"
#include "websocket_session.hpp"

namespace switchboard {

namespace {
// How often pending commands are checked for their deadline: the timeout's
// precision, at a cost of a few lock acquisitions per tick.
constexpr std::chrono::milliseconds tick_period{10};

gateway_config finalized(gateway_config c) {
    if (c.node.empty()) c.node = "switchboard";
    c.finalize();
    return c;
}
}  // namespace

gateway::gateway(gateway_config config)
    : config_(finalized(std::move(config))),
      router_(config_.routing, stats_),
      context_{router_, config_, stats_, sessions_},
      pool_(config_.threads),
      tick_(pool_.first()) {
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
    spdlog::info("switchboard node {} listening on {}:{} with {} I/O threads", config_.node,
                 config_.listen_address, port_, pool_.size());
}

void gateway::schedule_tick() {
    tick_.expires_after(tick_period);
    tick_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        router_.expire_commands(std::chrono::steady_clock::now());
        schedule_tick();
    });
}

void gateway::stop(std::chrono::milliseconds grace) {
    if (stopped_) return;
    stopped_ = true;
    if (listener_) {
        listener_->stop();
        boost::asio::post(tick_.get_executor(), [this] { tick_.cancel(); });
        for (auto& s : sessions_.snapshot()) s->close(close_code::going_away, "server shutting down");
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
    listener_.reset();
}

}  // namespace switchboard
