#include "listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>

#include "core/log_text.hpp"
#include "http_session.hpp"
#include "tls_detector.hpp"

namespace switchboard {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

listener::listener(io_pool& pool, const tcp::endpoint& at, session_context& context)
    : pool_(pool), acceptor_(pool.first()), retry_timer_(pool.first()), context_(context) {
    acceptor_.open(at.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen(asio::socket_base::max_listen_connections);
}

tcp::endpoint listener::local_endpoint() const { return acceptor_.local_endpoint(); }

void listener::run() { do_accept(); }

void listener::stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ignored;
        self->acceptor_.close(ignored);
        self->retry_timer_.cancel();
    });
}

void listener::do_accept() {
    acceptor_.async_accept(
        pool_.next(), boost::beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(boost::beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
        // EMFILE and friends: back off briefly rather than spin on the error.
        spdlog::warn("accept: {}", ec.message());
        retry_timer_.expires_after(std::chrono::milliseconds(100));
        retry_timer_.async_wait([self = shared_from_this()](boost::beast::error_code wait_ec) {
            if (!wait_ec && self->acceptor_.is_open()) self->do_accept();
        });
        return;
    } else {
        counters::add(context_.stats.connections_accepted);
        boost::system::error_code ignored;
        connection_limiter::slot slot;
        boost::system::error_code remote_ec;
        auto remote = socket.remote_endpoint(remote_ec);
        auto refusal = remote_ec
                           ? connection_limiter::refusal::total
                           : context_.connections.try_acquire(remote.address().to_string(), slot);
        if (refusal != connection_limiter::refusal::none) {
            // Closed before any byte is read: a refused connection costs a
            // descriptor for microseconds and no memory.
            counters::add(context_.stats.connections_refused);
            if (std::uint64_t dropped = 0; spdlog::should_log(spdlog::level::debug) &&
                                           context_.logs.admit("connection refused", dropped)) {
                spdlog::debug(
                    "accept: connection from {} refused ({} limit){}",
                    remote_ec ? std::string("?") : remote.address().to_string(),
                    refusal == connection_limiter::refusal::total ? "total" : "per-address",
                    suppressed_note(dropped));
            }
            socket.close(ignored);
            return do_accept();
        }
        socket.set_option(tcp::no_delay(true), ignored);
        // The session must start on its own thread, where its socket lives.
        auto executor = socket.get_executor();
        if (context_.config.tls.enabled) {
            asio::post(executor, [s = std::make_shared<tls_detector>(
                                      std::move(socket), context_, std::move(slot))] { s->run(); });
        } else {
            asio::post(executor, [s = std::make_shared<http_session<plain_stream>>(
                                      plain_stream(std::move(socket)), beast::flat_buffer{},
                                      context_, std::move(slot))] { s->run(); });
        }
    }
    do_accept();
}

}  // namespace switchboard
