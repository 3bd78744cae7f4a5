#include "tls_detector.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/detect_ssl.hpp>

#include "core/log_text.hpp"
#include "http_session.hpp"

namespace switchboard {

namespace beast = boost::beast;

tls_detector::tls_detector(boost::asio::ip::tcp::socket&& socket, session_context& context,
                           connection_limiter::slot slot)
    : stream_(std::move(socket)), context_(context), slot_(std::move(slot)) {}

void tls_detector::run() {
    // A client that connects and says nothing is cut at the handshake deadline.
    stream_.expires_after(context_.settings.load()->limits.handshake_timeout);
    beast::async_detect_ssl(
        stream_, buffer_, beast::bind_front_handler(&tls_detector::on_detect, shared_from_this()));
}

void tls_detector::on_detect(beast::error_code ec, bool is_tls) {
    if (ec) {
        if (std::uint64_t dropped = 0; ec != beast::error::timeout &&
                                       spdlog::should_log(spdlog::level::debug) &&
                                       context_.logs.admit("tls detect failed", dropped)) {
            spdlog::debug("tls: detect: {}{}", ec.message(), suppressed_note(dropped));
        }
        beast::error_code ignored;
        stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        return;
    }
    if (is_tls) {
        // The certificate in force now; the stream keeps it for its lifetime.
        std::make_shared<http_session<tls_stream>>(
            tls_stream(static_cast<boost::beast::tcp_stream&&>(stream_),
                       context_.settings.load()->tls),
            std::move(buffer_), context_, std::move(slot_))
            ->run();
    } else if (context_.config.tls.allow_plain) {
        std::make_shared<http_session<plain_stream>>(std::move(stream_), std::move(buffer_),
                                                     context_, std::move(slot_))
            ->run();
    } else {
        if (std::uint64_t dropped = 0; spdlog::should_log(spdlog::level::debug) &&
                                       context_.logs.admit("plain refused", dropped)) {
            spdlog::debug("tls: plain connection refused (tls.allow_plain is false){}",
                          suppressed_note(dropped));
        }
        beast::error_code ignored;
        stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    }
}

}  // namespace switchboard
