#pragma once
// One plain HTTP request to a gateway on loopback, for tests of its HTTP
// side (/healthz, /readyz, /metrics, the dashboard's files). Blocking.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::test {

inline boost::beast::http::response<boost::beast::http::string_body> http_get(
    unsigned short port, const std::string& target,
    boost::beast::http::verb verb = boost::beast::http::verb::get,
    const std::vector<std::pair<boost::beast::http::field, std::string>>& headers = {}) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    http::request<http::empty_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [field, value] : headers) req.set(field, value);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.skip(verb == http::verb::head);
    parser.body_limit(16 << 20);
    http::read(stream, buffer, parser);
    return parser.release();
}

}  // namespace switchboard::test
