#include "http_session.hpp"

#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "http_routes.hpp"
#include "websocket_session.hpp"

namespace switchboard {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr std::size_t max_request_header_bytes = 8192;
constexpr std::size_t max_request_body_bytes = 4096;
}  // namespace

http_session::http_session(boost::asio::ip::tcp::socket&& socket, session_context& context)
    : stream_(std::move(socket)), context_(context) {}

void http_session::run() { do_read(); }

void http_session::do_read() {
    parser_.emplace();
    parser_->header_limit(max_request_header_bytes);
    parser_->body_limit(max_request_body_bytes);
    stream_.expires_after(context_.config.session.handshake_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
    if (ec) {
        if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
            ec != boost::asio::error::operation_aborted) {
            spdlog::debug("http: read: {}", ec.message());
        }
        beast::error_code ignored;
        stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        return;
    }
    auto& req = parser_->get();
    std::string_view target = req.target();
    std::string_view path = target.substr(0, target.find('?'));

    if (beast::websocket::is_upgrade(req)) {
        if (path != "/ws") {
            response res{http::status::not_found, req.version()};
            res.set(http::field::content_type, "text/plain; charset=utf-8");
            res.body() = "WebSocket endpoint is /ws\n";
            res.keep_alive(false);
            return send(std::move(res));
        }
        auto session = std::make_shared<websocket_session>(std::move(stream_), context_);
        session->run(parser_->release());
        return;
    }

    response res;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    res.set(http::field::server, "switchboard");
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        res.result(http::status::method_not_allowed);
        res.set(http::field::allow, "GET, HEAD");
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = "method not allowed\n";
    } else {
        http_answer answer = answer_http(target, context_);
        res.result(answer.status);
        res.set(http::field::content_type, answer.content_type);
        res.set(http::field::cache_control, answer.cache_control);
        res.set("X-Content-Type-Options", "nosniff");
        if (req.method() == http::verb::get) res.body() = std::move(answer.body);
        else res.content_length(answer.body.size());
    }
    if (req.method() != http::verb::head) res.prepare_payload();
    send(std::move(res));
}

void http_session::send(response res) {
    bool keep_alive = res.keep_alive();
    pending_ = std::make_shared<response>(std::move(res));
    http::async_write(stream_, *pending_,
                      beast::bind_front_handler(&http_session::on_write, shared_from_this(),
                                                keep_alive));
}

void http_session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    pending_.reset();
    if (ec || !keep_alive) {
        beast::error_code ignored;
        stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        return;
    }
    do_read();
}

}  // namespace switchboard
