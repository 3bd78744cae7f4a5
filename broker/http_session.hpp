#pragma once
// One plain HTTP connection: reads requests, answers /healthz and the
// dashboard's static files, and hands a WebSocket upgrade of /ws to a new
// websocket_session. Runs on the I/O thread that accepted its socket; owns
// itself through its pending operations.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

#include "session_context.hpp"

namespace switchboard {

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(boost::asio::ip::tcp::socket&& socket, session_context& context);
    void run();

private:
    using response = boost::beast::http::response<boost::beast::http::string_body>;

    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void send(response res);
    void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::shared_ptr<response> pending_;
    session_context& context_;
};

}  // namespace switchboard
