#include "websocket_session.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <spdlog/spdlog.h>

#include "core/authenticator.hpp"
#include "core/inbound_frame.hpp"
#include "core/outbound_frame.hpp"
#include "core/upgrade_credentials.hpp"

namespace switchboard {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;

namespace {
constexpr std::string_view subprotocol = "switchboard.v1";

bool offers_subprotocol(const beast::http::request<beast::http::string_body>& req) {
    auto offered = req[beast::http::field::sec_websocket_protocol];
    // A comma-separated list; look for our token as a whole item.
    std::size_t pos = 0;
    while (pos <= offered.size()) {
        std::size_t end = offered.find(',', pos);
        if (end == std::string_view::npos) end = offered.size();
        auto item = offered.substr(pos, end - pos);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item == subprotocol) return true;
        pos = end + 1;
    }
    return false;
}
}  // namespace

template <class Stream>
websocket_session<Stream>::websocket_session(Stream&& stream, session_context& context,
                                             connection_limiter::slot slot)
    : ws_(std::move(stream)),
      register_timer_(ws_.get_executor()),
      context_(context),
      session_id_(context.next_session_id()),
      slot_(std::move(slot)),
      limiter_(context.config.session.rate, std::chrono::steady_clock::now()) {}

template <class Stream>
websocket_session<Stream>::~websocket_session() { context_.sessions.remove(this); }

template <class Stream>
void websocket_session<Stream>::run(request upgrade) {
    context_.sessions.add(this->shared_from_this());
    const session_limits& limits = context_.config.session;
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = limits.handshake_timeout;
    timeouts.idle_timeout = limits.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    // With compression on, Beast applies this cap to the inflated size, so a
    // small frame cannot inflate into a large allocation. Until `register`
    // succeeds the cap is lower: 1,000 strangers must not cost 64 MB.
    ws_.read_message_max(std::min(limits.register_message_bytes, limits.max_message_bytes));
    ws_.auto_fragment(false);
    if (limits.permessage_deflate) {
        websocket::permessage_deflate deflate;
        deflate.server_enable = true;
        ws_.set_option(deflate);
    }
    // Kept for `register`, which may carry its own token instead.
    if (auto it = upgrade.find(beast::http::field::authorization); it != upgrade.end()) {
        upgrade_token_ = bearer_token(it->value());
    }
    if (!upgrade_token_) upgrade_token_ = query_token(upgrade.target());
    bool with_subprotocol = offers_subprotocol(upgrade);
    ws_.set_option(websocket::stream_base::decorator([with_subprotocol](websocket::response_type& res) {
        res.set(beast::http::field::server, "switchboard");
        if (with_subprotocol) res.set(beast::http::field::sec_websocket_protocol, subprotocol);
    }));
    ws_.async_accept(upgrade, beast::bind_front_handler(&websocket_session<Stream>::on_accept,
                                                         this->shared_from_this()));
}

template <class Stream>
void websocket_session<Stream>::on_accept(beast::error_code ec) {
    if (ec) {
        spdlog::debug("session {}: upgrade failed: {}", session_id_, ec.message());
        return finish();
    }
    ws_.text(true);
    register_timer_.expires_after(context_.config.session.register_timeout);
    register_timer_.async_wait(beast::bind_front_handler(&websocket_session<Stream>::on_register_timeout,
                                                         this->shared_from_this()));
    do_read();
}

template <class Stream>
void websocket_session<Stream>::on_register_timeout(beast::error_code ec) {
    if (ec || registered_) return;
    counters::add(context_.stats.register_timeouts);
    close(close_code::not_registered, "no register frame in time");
}

template <class Stream>
void websocket_session<Stream>::do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session<Stream>::on_read,
                                                      this->shared_from_this()));
}

template <class Stream>
void websocket_session<Stream>::on_read(beast::error_code ec, std::size_t bytes) {
    if (ec) {
        if (ec == websocket::error::message_too_big) {
            counters::add(context_.stats.oversized_frames);
            spdlog::info("session {}: frame over {} bytes, closed with 1009", session_id_,
                         context_.config.session.max_message_bytes);
        } else if (ec != websocket::error::closed && ec != asio::error::operation_aborted &&
                   ec != asio::error::eof && ec != beast::error::timeout) {
            spdlog::debug("session {}: read: {}", session_id_, ec.message());
        }
        return finish();
    }
    counters::add(context_.stats.frames_received);
    if (!ws_.got_text()) {
        if (!admit_frame({})) return after_frame(bytes);
        counters::add(context_.stats.bad_frames);
        deliver(make_error(error_code::bad_request,
                           "binary frames are not accepted: send one JSON object per text frame"));
    } else {
        auto data = buffer_.cdata();
        handle_text(std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    after_frame(bytes);
}

template <class Stream>
void websocket_session<Stream>::after_frame(std::size_t bytes) {
    buffer_.consume(bytes);
    // A large frame should not pin its buffer for the life of an idle connection.
    if (buffer_.capacity() > 16384) buffer_.shrink_to_fit();
    do_read();
}

template <class Stream>
bool websocket_session<Stream>::admit_frame(std::string_view request_id) {
    switch (limiter_.on_frame(std::chrono::steady_clock::now())) {
        case rate_limiter::verdict::pass:
            return true;
        case rate_limiter::verdict::refuse:
            counters::add(context_.stats.rate_limited);
            deliver(make_error(error_code::rate_limited, "too many frames per second; slow down",
                               request_id));
            return false;
        case rate_limiter::verdict::close:
            counters::add(context_.stats.rate_limited);
            if (state_snapshot_open()) {
                counters::add(context_.stats.rate_limit_closes);
                spdlog::info("session {}: kept flooding past the rate limit, closed with 4008",
                             session_id_);
            }
            close(close_code::rate_limited, "rate limit exceeded repeatedly");
            return false;
    }
    return false;
}

template <class Stream>
void websocket_session<Stream>::handle_text(std::string_view text) {
    {
        std::lock_guard lock(mutex_);
        if (state_ != state::open) return;  // replaced or closing: say nothing more
    }
    parse_result parsed = parse_frame(text);
    if (auto* error = std::get_if<frame_error>(&parsed)) {
        if (!admit_frame(error->request_id)) return;
        counters::add(context_.stats.bad_frames);
        deliver(make_error(*error));
        return;
    }
    auto& frame = std::get<inbound_frame>(parsed);
    // A response answers a command the gateway admitted (the sender's rate
    // paid for it) and is matched to it, once: charging it again would let a
    // busy controller get its own answers refused.
    if (!std::holds_alternative<response_request>(frame) && !admit_frame(request_id_of(frame))) return;
    if (registered_) {
        // Gone only once taken over and forgotten: nothing more to route for it.
        if (client_ptr me = self_.lock()) {
            context_.routing.route(me, frame, std::chrono::steady_clock::now());
        }
        return;
    }
    if (auto* reg = std::get_if<register_request>(&frame)) return on_register(*reg);
    deliver(make_error(error_code::not_registered, "send register first", request_id_of(frame),
                       type_name(frame)));
}

template <class Stream>
void websocket_session<Stream>::on_register(const register_request& request) {
    const std::optional<std::string>& credential = request.token ? request.token : upgrade_token_;
    auto unix_now = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    auto verdict = context_.auth.check(credential, request.id, request.role, unix_now);
    upgrade_token_.reset();  // no longer needed; keep secrets in memory no longer than that
    if (!verdict.ok) {
        // The reason names no credential, so it is safe for the log and the client.
        counters::add(context_.stats.unauthorized);
        spdlog::info("session {}: register as {} refused: {}", session_id_, request.id,
                     verdict.reason);
        deliver(make_error(error_code::unauthorized, verdict.reason, {}, "register"));
        close(close_code::unauthorized, "unauthorized");
        return;
    }
    client_ptr me = context_.routing.register_client(request, transport::ws,
                                                     this->shared_from_this(), session_id_);
    if (me) {
        self_ = me;
        registered_ = true;
        ws_.read_message_max(context_.config.session.max_message_bytes);
        register_timer_.cancel();
        spdlog::debug("session {}: registered {} as {}", session_id_, me->id,
                      to_string(me->role));
    }
}

template <class Stream>
bool websocket_session<Stream>::state_snapshot_open() {
    std::lock_guard lock(mutex_);
    return state_ == state::open;
}

template <class Stream>
bool websocket_session<Stream>::deliver(frame_ptr frame) {
    const session_limits& limits = context_.config.session;
    bool overflowed = false;
    {
        std::lock_guard lock(mutex_);
        if (state_ != state::open) return false;
        if (queue_.size() >= limits.outbound_queue_frames ||
            queued_bytes_ + frame->size() > limits.outbound_queue_bytes) {
            state_ = state::aborting;
            overflowed = true;
        } else {
            queued_bytes_ += frame->size();
            queue_.push_back(std::move(frame));
            if (writing_) return true;
            writing_ = true;
        }
    }
    if (overflowed) {
        counters::add(context_.stats.slow_consumers_closed);
        spdlog::info("session {}: outbound queue over its bound, connection cut", session_id_);
        asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->abort(); });
        return false;
    }
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->do_write(); });
    return true;
}

template <class Stream>
void websocket_session<Stream>::do_write() {
    frame_ptr next;
    {
        std::lock_guard lock(mutex_);
        if (state_ == state::aborting || queue_.empty()) {
            writing_ = false;
            return;
        }
        next = queue_.front();
    }
    ws_.async_write(asio::buffer(*next), beast::bind_front_handler(&websocket_session<Stream>::on_write,
                                                                   this->shared_from_this()));
}

template <class Stream>
void websocket_session<Stream>::on_write(beast::error_code ec, std::size_t) {
    bool close_now = false;
    bool more = false;
    {
        std::lock_guard lock(mutex_);
        if (!queue_.empty()) {
            queued_bytes_ -= queue_.front()->size();
            queue_.pop_front();
        }
        if (ec) {
            state_ = state::aborting;
            queue_.clear();
            queued_bytes_ = 0;
        }
        if (queue_.empty()) {
            writing_ = false;
            close_now = state_ == state::closing;
        }
        more = writing_;
    }
    if (ec) {
        if (ec != asio::error::operation_aborted) spdlog::debug("session {}: write: {}", session_id_, ec.message());
        return abort();
    }
    if (close_now) return do_close();
    // Once writing_ is false, a deliver() on another thread may already have
    // started the next write chain; starting one here too would put two
    // writes in flight on one stream.
    if (more) do_write();
}

template <class Stream>
void websocket_session<Stream>::close(unsigned short code, std::string_view reason) {
    bool idle = false;
    {
        std::lock_guard lock(mutex_);
        if (state_ != state::open) return;
        state_ = state::closing;
        close_code_ = code;
        close_reason_ = reason;
        idle = !writing_;
    }
    if (idle) asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->do_close(); });
}

template <class Stream>
void websocket_session<Stream>::do_close() {
    register_timer_.cancel();
    if (!ws_.is_open()) return;
    websocket::close_reason reason(static_cast<websocket::close_code>(close_code_), close_reason_);
    ws_.async_close(reason, [self = this->shared_from_this()](beast::error_code) {});
}

template <class Stream>
void websocket_session<Stream>::abort() {
    register_timer_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
}

template <class Stream>
void websocket_session<Stream>::finish() {
    if (finished_) return;
    finished_ = true;
    register_timer_.cancel();
    {
        std::lock_guard lock(mutex_);
        if (state_ == state::open) state_ = state::closing;
    }
    if (client_ptr me = self_.lock()) context_.routing.unregister_client(me);
    self_.reset();
    context_.sessions.remove(this);
}

template class websocket_session<plain_stream>;
template class websocket_session<tls_stream>;

}  // namespace switchboard
