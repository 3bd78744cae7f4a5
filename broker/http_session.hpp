#pragma once
// One HTTP connection: reads requests, answers /healthz and the dashboard's
// static files, and hands a WebSocket upgrade of /ws (from an allowed
// Origin) to a new websocket_session: with our own framing (raw_wire) on
// plain TCP and TLS, through Beast's (beast_wire) for compression (or a TLS
// client that sent frames before our 101). A template over plain TCP or TLS
// (streams.hpp); over TLS it first completes the TLS handshake. Runs on the
// I/O thread that accepted its socket; owns itself through its pending
// operations.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

#include "core/connection_limiter.hpp"
#include "session_context.hpp"
#include "streams.hpp"

namespace switchboard {

template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
public:
    // `buffer` holds bytes already read from the connection (TLS detection);
    // `slot` is the connection's place under the connection limits.
    http_session(Stream&& stream, boost::beast::flat_buffer&& buffer, session_context& context,
                 connection_limiter::slot slot);
    void run();

private:
    using request = boost::beast::http::request<boost::beast::http::string_body>;
    using response = boost::beast::http::response<boost::beast::http::string_body>;

    void on_handshake(boost::beast::error_code ec, std::size_t used);
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void start_websocket(const request& upgrade);
    void send(response res);
    void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
    void shut();
    // Whether the peer's address is a loopback one (v4, v6 or v4-mapped).
    bool from_loopback();

    Stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::shared_ptr<response> pending_;
    session_context& context_;
    connection_limiter::slot slot_;
};

}  // namespace switchboard
