#pragma once
// Accepts TCP connections and gives each to an http_session on the next I/O
// thread of the pool. Runs on the pool's first thread.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <memory>

#include "io_pool.hpp"
#include "session_context.hpp"

namespace switchboard {

class listener : public std::enable_shared_from_this<listener> {
public:
    // Binds and listens at once; throws on failure (start-up only).
    listener(io_pool& pool, const boost::asio::ip::tcp::endpoint& at, session_context& context);

    void run();
    void stop();  // any thread
    boost::asio::ip::tcp::endpoint local_endpoint() const;

private:
    void do_accept();
    void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

    io_pool& pool_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_timer_;
    session_context& context_;
};

}  // namespace switchboard
