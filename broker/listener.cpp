#include "listener.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <spdlog/spdlog.h>

#include "http_session.hpp"

namespace switchboard {

namespace asio = boost::asio;
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
    acceptor_.async_accept(pool_.next(), boost::beast::bind_front_handler(&listener::on_accept,
                                                                          shared_from_this()));
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
        socket.set_option(tcp::no_delay(true), ignored);
        // The session must start on its own thread, where its socket lives.
        auto executor = socket.get_executor();
        asio::post(executor, [s = std::make_shared<http_session>(std::move(socket), context_)] {
            s->run();
        });
    }
    do_accept();
}

}  // namespace switchboard
