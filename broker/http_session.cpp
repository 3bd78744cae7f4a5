#include "http_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "core/log_text.hpp"
#include "core/origin_policy.hpp"
#include "http_routes.hpp"
#include "tls_handover.hpp"
#include "websocket_session.hpp"

namespace switchboard {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr std::size_t max_request_header_bytes = 8192;
constexpr std::size_t max_request_body_bytes = 4096;

// The dashboard's page may load only its own scripts, styles and images,
// open WebSockets (to its gateway; switchboard-client.js confirms any other
// host with the operator) and never be framed (clickjacking).
constexpr const char* content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

// On every HTTP answer, errors and refusals included.
template <class Response>
void set_security_headers(Response& res) {
    res.set(http::field::server, "switchboard");
    res.set("Content-Security-Policy", content_security_policy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
}
}  // namespace

template <class Stream>
http_session<Stream>::http_session(Stream&& stream, beast::flat_buffer&& buffer,
                                   session_context& context, connection_limiter::slot slot)
    : stream_(std::move(stream)),
      buffer_(std::move(buffer)),
      context_(context),
      slot_(std::move(slot)) {}

template <class Stream>
void http_session<Stream>::run() {
    if constexpr (is_tls_stream<Stream>) {
        // The handshake counts against the same deadline as the request.
        beast::get_lowest_layer(stream_).expires_after(
            context_.settings.load()->limits.handshake_timeout);
        stream_.async_handshake(
            boost::asio::ssl::stream_base::server, buffer_.data(),
            beast::bind_front_handler(&http_session::on_handshake, this->shared_from_this()));
    } else {
        do_read();
    }
}

template <class Stream>
void http_session<Stream>::on_handshake(beast::error_code ec, std::size_t used) {
    if (ec) {
        if (std::uint64_t dropped = 0; spdlog::should_log(spdlog::level::debug) &&
                                       context_.logs.admit("tls handshake failed", dropped)) {
            spdlog::debug("tls: handshake: {}{}", ec.message(), suppressed_note(dropped));
        }
        return shut();
    }
    buffer_.consume(used);
    do_read();
}

template <class Stream>
void http_session<Stream>::do_read() {
    parser_.emplace();
    parser_->header_limit(max_request_header_bytes);
    parser_->body_limit(max_request_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(
        context_.settings.load()->limits.handshake_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, this->shared_from_this()));
}

template <class Stream>
void http_session<Stream>::shut() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both,
                                                       ignored);
}

template <class Stream>
void http_session<Stream>::on_read(beast::error_code ec, std::size_t) {
    if (ec) {
        if (std::uint64_t dropped = 0; ec != http::error::end_of_stream &&
                                       ec != beast::error::timeout &&
                                       ec != boost::asio::error::operation_aborted &&
                                       spdlog::should_log(spdlog::level::debug) &&
                                       context_.logs.admit("http read failed", dropped)) {
            spdlog::debug("http: read: {}{}", ec.message(), suppressed_note(dropped));
        }
        // A request the parser refused (a NUL or a space in the target, a
        // header past the limit) gets a plain 400 rather than a silent close.
        if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
            ec != http::error::end_of_stream && ec != http::error::partial_message) {
            response res{http::status::bad_request, 11};
            res.set(http::field::content_type, "text/plain; charset=utf-8");
            res.body() = "bad request\n";
            res.keep_alive(false);
            res.prepare_payload();
            return send(std::move(res));
        }
        return shut();
    }
    auto& req = parser_->get();
    std::string_view target = req.target();
    std::string_view path = target.substr(0, target.find('?'));
    auto refuse = [&](http::status status, const char* body) {
        response res{status, req.version()};
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = body;
        res.keep_alive(false);
        res.prepare_payload();
        send(std::move(res));
    };

    // DNS rebinding: every request, files and /healthz as well as upgrades,
    // must name this gateway in Host (origin_policy::answers_to).
    beast::error_code local_ec;
    auto local = beast::get_lowest_layer(stream_).socket().local_endpoint(local_ec);
    std::string local_address = local_ec ? std::string() : local.address().to_string();
    std::optional<std::string_view> host;
    if (auto it = req.find(http::field::host); it != req.end()) host = it->value();
    // Under DNS rebinding a page on the attacker's name reaches the gateway's
    // address with that name in Host, and could read every answer (same
    // origin). Browsers always send Host, so a request without one is no
    // browser's and is answered (a client outside a browser can write any
    // Host anyway).
    // One snapshot of the settings (a reload may swap them) for both checks.
    auto settings = context_.settings.load();
    if (host && !settings->origins.answers_to(*host, local_address)) {
        counters::add(context_.stats.origins_refused);
        if (std::uint64_t dropped = 0; context_.logs.admit("host refused", dropped)) {
            spdlog::info("http: request for host '{}' refused (not in server_names){}",
                         log_safe(*host), suppressed_note(dropped));
        }
        return refuse(http::status::forbidden, "unknown host\n");
    }

    if (beast::websocket::is_upgrade(req)) {
        if (path != "/ws") return refuse(http::status::not_found, "WebSocket endpoint is /ws\n");
        if (context_.phase.load() == gateway_phase::draining) {
            counters::add(context_.stats.upgrades_refused_draining);
            return refuse(http::status::service_unavailable, "shutting down\n");
        }
        // Browsers always send Origin; a page from another site must not act
        // with this browser's reach (cross-site WebSocket hijacking).
        std::optional<std::string> origin;
        if (auto it = req.find(http::field::origin); it != req.end())
            origin = std::string(it->value());
        if (!settings->origins.allows(origin ? &*origin : nullptr, req[http::field::host],
                                      local_address)) {
            counters::add(context_.stats.origins_refused);
            if (std::uint64_t dropped = 0; context_.logs.admit("origin refused", dropped)) {
                spdlog::info("http: upgrade from origin '{}' for host '{}' refused{}",
                             log_safe(origin.value_or("(none)")), log_safe(req[http::field::host]),
                             suppressed_note(dropped));
            }
            return refuse(http::status::forbidden, "origin not allowed\n");
        }
        beast::get_lowest_layer(stream_).expires_never();
        start_websocket(parser_->release());
        return;
    }

    response res;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    if constexpr (is_tls_stream<Stream>) {
        res.set(http::field::strict_transport_security, "max-age=31536000");
    }
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        res.result(http::status::method_not_allowed);
        res.set(http::field::allow, "GET, HEAD");
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = "method not allowed\n";
    } else {
        http_answer answer =
            answer_http({target, req[http::field::authorization], from_loopback()}, context_);
        res.result(answer.status);
        res.set(http::field::content_type, answer.content_type);
        res.set(http::field::cache_control, answer.cache_control);
        if (!answer.www_authenticate.empty()) {
            res.set(http::field::www_authenticate, answer.www_authenticate);
        }
        if (req.method() == http::verb::get)
            res.body() = std::move(answer.body);
        else
            res.content_length(answer.body.size());
    }
    if (req.method() != http::verb::head) res.prepare_payload();
    send(std::move(res));
}

template <class Stream>
bool http_session<Stream>::from_loopback() {
    beast::error_code ec;
    auto peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (ec) return false;
    auto address = peer.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
            .is_loopback();
    }
    return address.is_loopback();
}

template <class Stream>
void http_session<Stream>::start_websocket(const request& upgrade) {
    // The session keeps these limits for its lifetime (a reload applies to
    // new connections; core's intake and router apply theirs per frame).
    auto settings = context_.settings.load();
    // Our own framing unless the client asks for compression we offer,
    // which only Beast's stream does.
    const auto extensions = upgrade[http::field::sec_websocket_extensions];
    const bool deflate = settings->limits.permessage_deflate &&
                         extensions.find("permessage-deflate") != std::string_view::npos;
    if (!deflate) {
        std::unique_ptr<tls_codec> tls;
        if constexpr (is_tls_stream<Stream>) {
            // The TLS session goes on without asio's stream and its buffers.
            tls = tls_codec::take_over(stream_.native_handle(), stream_.context());
        }
        if (tls) {
            counters::add(tls->keeps_keys_only() ? context_.stats.tls_keys_only
                                                 : context_.stats.tls_openssl_records);
        }
        if (is_tls_stream<Stream> == (tls != nullptr)) {
            // Bytes the client sent after its request belong to the WebSocket.
            std::string leftover = beast::buffers_to_string(buffer_.data());
            auto session = std::make_shared<websocket_session<raw_wire>>(
                context_, settings, std::move(slot_),
                beast::get_lowest_layer(stream_).release_socket(), std::move(leftover),
                std::move(tls));
            return session->run(upgrade);
        }
    }
    if constexpr (is_tls_stream<Stream>) {
        // Beast's stream keeps OpenSSL's records for this connection's life.
        forget_handover(stream_.native_handle());
    }
    auto session = std::make_shared<websocket_session<beast_wire<Stream>>>(
        context_, std::move(settings), std::move(slot_), std::move(stream_));
    session->run(upgrade);
}

template <class Stream>
void http_session<Stream>::send(response res) {
    set_security_headers(res);
    bool keep_alive = res.keep_alive();
    pending_ = std::make_shared<response>(std::move(res));
    http::async_write(
        stream_, *pending_,
        beast::bind_front_handler(&http_session::on_write, this->shared_from_this(), keep_alive));
}

template <class Stream>
void http_session<Stream>::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    pending_.reset();
    if (ec || !keep_alive) return shut();
    do_read();
}

template class http_session<plain_stream>;
template class http_session<tls_stream>;

}  // namespace switchboard
