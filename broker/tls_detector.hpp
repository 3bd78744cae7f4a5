#pragma once
// The first step of a connection when TLS is on: peeks at the first bytes to
// tell a TLS ClientHello from plain HTTP, then hands the connection to an
// http_session over TLS or (if allowed) over plain TCP. Both schemes share
// one port. Runs on the connection's I/O thread; owns itself through its
// pending operation.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <memory>

#include "core/connection_limiter.hpp"
#include "session_context.hpp"
#include "streams.hpp"

namespace switchboard {

class tls_detector : public std::enable_shared_from_this<tls_detector> {
public:
    tls_detector(boost::asio::ip::tcp::socket&& socket, session_context& context,
                 connection_limiter::slot slot);
    void run();

private:
    void on_detect(boost::beast::error_code ec, bool is_tls);

    plain_stream stream_;
    boost::beast::flat_buffer buffer_;
    session_context& context_;
    connection_limiter::slot slot_;
};

}  // namespace switchboard
