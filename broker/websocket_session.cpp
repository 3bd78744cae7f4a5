#include "websocket_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <type_traits>

#include "beast_wire.ipp"
#include "core/authenticator.hpp"
#include "core/inbound_frame.hpp"
#include "core/log_text.hpp"
#include "core/outbound_frame.hpp"
#include "core/upgrade_credentials.hpp"

namespace switchboard {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {
constexpr const char* subprotocol = "switchboard.v1";

bool offers_subprotocol(const http::request<http::string_body>& req) {
    auto offered = req[http::field::sec_websocket_protocol];
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

template <class Wire>
websocket_session<Wire>::~websocket_session() {
    context_.sessions.remove(this);
}

template <class Wire>
void websocket_session<Wire>::run(const request& upgrade) {
    context_.sessions.add(this->shared_from_this());
    const session_limits& limits = settings_->limits;
    // Until `register` succeeds the cap is lower: 1,000 strangers must not cost 64 MB.
    wire_.set_read_limit(std::min(limits.register_message_bytes, limits.max_message_bytes));
    // Kept for `register`, which may carry its own token instead.
    std::optional<std::string> token;
    if (auto it = upgrade.find(http::field::authorization); it != upgrade.end()) {
        token = bearer_token(it->value());
    }
    if (!token) token = query_token(upgrade.target());
    if (token) upgrade_token_ = std::make_unique<std::string>(std::move(*token));
    wire_.accept(upgrade, offers_subprotocol(upgrade) ? subprotocol : nullptr,
                 this->weak_from_this());
}

template <class Wire>
void websocket_session<Wire>::on_wire_accepted(boost::system::error_code ec) {
    if (ec) {
        if (std::uint64_t dropped = 0; spdlog::should_log(spdlog::level::debug) &&
                                       context_.logs.admit("upgrade failed", dropped)) {
            spdlog::debug("session {}: upgrade failed: {}{}", session_id_, ec.message(),
                          suppressed_note(dropped));
        }
        return finish();
    }
    register_timer_ = std::make_unique<asio::steady_timer>(wire_.get_executor());
    register_timer_->expires_after(settings_->limits.register_timeout);
    register_timer_->async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
        self->on_register_timeout(ec);
    });
    wire_.start_reading();
}

template <class Wire>
void websocket_session<Wire>::on_register_timeout(boost::system::error_code ec) {
    if (ec || registered_) return;
    counters::add(context_.stats.register_timeouts);
    close(close_code::not_registered, "no register frame in time");
}

template <class Wire>
connection_facts websocket_session<Wire>::facts() const {
    bool tls = std::is_same_v<Wire, beast_wire<tls_stream>>;
    if constexpr (std::is_same_v<Wire, raw_wire>) tls = wire_.tls() != nullptr;
    return {registered_id_, to_string(registered_role_), tls ? "wss" : "ws", slot_.address(),
            session_id_};
}

template <class Wire>
void websocket_session<Wire>::on_wire_end(wire_end why, std::string_view detail) {
    std::string reason;
    {
        std::lock_guard lock(mutex_);
        if (state_ == state::aborting) {
            reason = "cut off by the gateway: " + ending_locked().close_reason;
        } else if (state_ == state::closing) {
            reason = "closed by the gateway: " + std::to_string(close_code_) + " " +
                     ending_locked().close_reason;
        }
    }
    if (reason.empty()) {
        switch (why) {
            case wire_end::closed:
                reason = "closed by the client";
                break;
            case wire_end::oversized:
                reason = "frame too large: 1009";
                break;
            case wire_end::protocol_error:
                reason = "WebSocket protocol error";
                break;
            case wire_end::timed_out:
                reason = "timed out";
                departure_ = presence_reason::timed_out;
                break;
            case wire_end::failed:
                reason = "connection failed: " + std::string(detail);
                break;
        }
    }
    switch (why) {
        case wire_end::oversized:
            counters::add(context_.stats.oversized_frames);
            if (std::uint64_t dropped = 0; context_.logs.admit("oversized", dropped)) {
                spdlog::info("session {}: frame over {} bytes, closed with 1009{}", session_id_,
                             settings_->limits.max_message_bytes, suppressed_note(dropped));
            }
            break;
        case wire_end::protocol_error:
            counters::add(context_.stats.bad_frames);
            if (std::uint64_t dropped = 0; context_.logs.admit("protocol error", dropped)) {
                spdlog::info("session {}: WebSocket protocol error, connection failed: {}{}",
                             session_id_, log_safe(detail), suppressed_note(dropped));
            }
            break;
        case wire_end::failed:
            if (std::uint64_t dropped = 0; spdlog::should_log(spdlog::level::debug) &&
                                           context_.logs.admit("read failed", dropped)) {
                spdlog::debug("session {}: read: {}{}", session_id_, log_safe(detail),
                              suppressed_note(dropped));
            }
            break;
        case wire_end::closed:
        case wire_end::timed_out:
            break;
    }
    {
        std::lock_guard lock(mutex_);
        ending_locked().end_reason = std::move(reason);
    }
    finish();
}

template <class Wire>
void websocket_session<Wire>::on_wire_message(std::string_view payload, bool text) {
    {
        std::lock_guard lock(mutex_);
        if (state_ != state::open) return;  // replaced or closing: say nothing more
    }
    context_.intake.take(*this, payload, text, std::chrono::steady_clock::now());
}

template <class Wire>
bool websocket_session<Wire>::on_wire_control() {
    return context_.intake.take_control(*this, std::chrono::steady_clock::now());
}

template <class Wire>
void websocket_session<Wire>::on_wire_reads_paused() {
    counters::add(context_.stats.reads_paused);
}

template <class Wire>
void websocket_session<Wire>::on_wire_overflow() {
    {
        std::lock_guard lock(mutex_);
        note_overflow_locked();
    }
    cut_slow_reader();
}

template <class Wire>
void websocket_session<Wire>::on_flood() {
    if (state_snapshot_open()) {
        counters::add(context_.stats.rate_limit_closes);
        if (std::uint64_t dropped = 0; context_.logs.admit("rate limit close", dropped)) {
            spdlog::info("session {}: kept flooding past the rate limit, closed with 4008{}",
                         session_id_, suppressed_note(dropped));
        }
    }
    close(close_code::rate_limited, "rate limit exceeded repeatedly");
}

template <class Wire>
void websocket_session<Wire>::on_register(const register_request& request) {
    if (registered_) return;  // taken over and forgotten: this connection is closing
    std::optional<std::string> credential = request.token;
    if (!credential && upgrade_token_) credential = std::move(*upgrade_token_);
    auto unix_now = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    // The credentials in force now, not when this connection opened: a
    // token a reload removed no longer registers anyone.
    const auto current = context_.settings.load();
    auto verdict = current->auth.check(credential, request.id, request.role, unix_now);
    upgrade_token_.reset();  // no longer needed; keep secrets in memory no longer than that
    if (!verdict.ok) {
        // The reason names no credential, so it is safe for the log and the client.
        counters::add(context_.stats.unauthorized);
        if (std::uint64_t dropped = 0; context_.logs.admit("register refused", dropped)) {
            spdlog::info("session {}: register as {} refused: {}{}", session_id_,
                         log_safe(request.id), verdict.reason, suppressed_note(dropped));
        }
        deliver(make_error(error_code::unauthorized, verdict.reason, {}, "register"));
        close(close_code::unauthorized, "unauthorized");
        return;
    }
    const session_limits& limits = settings_->limits;
    // The full outbound bound from the `registered` answer on (and back if refused).
    set_queue_limit(limits.outbound_queue_bytes);
    // With auth off the claim was taken on trust: a later claim may take it over.
    client_trust trust =
        current->auth.required() ? client_trust::authenticated : client_trust::unauthenticated;
    client_ptr me =
        context_.routing.register_client(request, transport_kind::ws, this->shared_from_this(),
                                         session_id_, registered_reply::send, trust);
    if (!me) set_queue_limit(std::min(limits.register_message_bytes, limits.outbound_queue_bytes));
    if (me) {
        self_ = me;
        registered_ = true;
        wire_.set_read_limit(settings_->limits.max_message_bytes);
        register_timer_.reset();  // its wait ends with operation_aborted
        if (verdict.expires_at != 0) close_at_expiry(verdict.expires_at);
        registered_id_ = me->id;
        registered_role_ = me->role;
        if (std::uint64_t dropped = 0; context_.logs.admit("connection opened", dropped)) {
            spdlog::info("{}{}", connection_opened_line(facts()), suppressed_note(dropped));
        }
    }
}

// A register timer made anew (the first is gone at `register`) waits for the token's
// expiry (wall clock: `exp` is a unix time; the token holds through that
// whole second, hence the extra one); close, abort and finish drop it
// as they drop the first.
template <class Wire>
void websocket_session<Wire>::close_at_expiry(std::int64_t unix_seconds) {
    auto left =
        std::chrono::seconds(unix_seconds) - std::chrono::system_clock::now().time_since_epoch();
    register_timer_ = std::make_unique<asio::steady_timer>(wire_.get_executor());
    register_timer_->expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(left) +
                                   std::chrono::seconds(1));
    register_timer_->async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
        if (ec) return;
        self->deliver(make_error(error_code::unauthorized, "token expired", {}, {}));
        self->close(close_code::unauthorized, "token expired");
    });
}

template <class Wire>
typename websocket_session<Wire>::ending& websocket_session<Wire>::ending_locked() {
    if (!ending_) ending_ = std::make_unique<ending>();
    return *ending_;
}

template <class Wire>
void websocket_session<Wire>::set_queue_limit(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    out_.set_max_bytes(bytes);
}

template <class Wire>
bool websocket_session<Wire>::state_snapshot_open() {
    std::lock_guard lock(mutex_);
    return state_ == state::open;
}

template <class Wire>
bool websocket_session<Wire>::deliver(frame_ptr frame) {
    outbound::pushed pushed = outbound::pushed::refused;
    {
        std::lock_guard lock(mutex_);
        if (state_ == state::open) pushed = out_.push(std::move(frame));
        if (pushed == outbound::pushed::overflow) note_overflow_locked();
    }
    switch (pushed) {
        case outbound::pushed::queued:
            return true;
        case outbound::pushed::start:
            // Posted, not written now: every frame queued before the post
            // runs joins the same batch.
            asio::post(wire_.get_executor(),
                       [self = this->shared_from_this()] { self->wire_.flush(); });
            return true;
        case outbound::pushed::overflow:
            counters::add(context_.stats.frames_dropped);
            cut_slow_reader();
            return false;
        case outbound::pushed::refused:
            break;
    }
    counters::add(context_.stats.frames_dropped);
    return false;
}

template <class Wire>
void websocket_session<Wire>::note_overflow_locked() {
    state_ = state::aborting;
    ending_locked().close_reason = "the client reads too slowly (outbound queue over its bound)";
}

template <class Wire>
void websocket_session<Wire>::cut_slow_reader() {
    counters::add(context_.stats.slow_consumers_closed);
    if (std::uint64_t dropped = 0; context_.logs.admit("slow reader", dropped)) {
        spdlog::info("session {}: outbound queue over its bound, connection cut{}", session_id_,
                     suppressed_note(dropped));
    }
    asio::post(wire_.get_executor(), [self = this->shared_from_this()] { self->abort(); });
}

template <class Wire>
void websocket_session<Wire>::close(unsigned short code, std::string_view reason) {
    bool start = false;
    {
        std::lock_guard lock(mutex_);
        if (state_ != state::open) return;
        state_ = state::closing;
        close_code_ = code;
        ending_locked().close_reason = reason;
        // After the frames queued so far.
        start = out_.close(code, reason);
    }
    asio::post(wire_.get_executor(), [self = this->shared_from_this(), start] {
        self->register_timer_.reset();
        if (start) self->wire_.flush();
    });
}

template <class Wire>
void websocket_session<Wire>::abort() {
    register_timer_.reset();
    wire_.abort();  // the outbound is shut there
}

template <class Wire>
void websocket_session<Wire>::finish() {
    if (finished_) return;
    finished_ = true;
    register_timer_.reset();
    std::string end_reason;
    {
        std::lock_guard lock(mutex_);
        if (state_ == state::open) state_ = state::closing;
        if (ending_) end_reason = std::move(ending_->end_reason);
    }
    if (client_ptr me = self_.lock()) context_.routing.unregister_client(me, departure_);
    self_.reset();
    context_.sessions.remove(this);
    if (std::uint64_t dropped = 0;
        registered_ && context_.logs.admit("connection closed", dropped)) {
        spdlog::info(
            "{}{}",
            connection_closed_line(facts(), end_reason.empty() ? "gateway stopping" : end_reason),
            suppressed_note(dropped));
    }
}

template class websocket_session<raw_wire>;
template class websocket_session<beast_wire<plain_stream>>;
template class websocket_session<beast_wire<tls_stream>>;

}  // namespace switchboard
