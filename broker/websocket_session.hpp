#pragma once
// One WebSocket connection at /ws: registration (with its credentials), the
// frame-rate limit, and what it sends: a core `outbound` (the bounded queue
// and the one write state) under this session's mutex, which deliver() and
// close() fill and the wire writes from in batches. It is the `endpoint` the
// router delivers to for a WebSocket client. The framing is the Wire's:
// raw_wire on plain TCP and TLS, beast_wire for compression; instantiated
// for each in websocket_session.cpp.
// Runs on the one I/O thread that accepted its socket; `deliver` and `close`
// may be called from any thread and hand their work to that thread.
// Owns itself through its pending operations (shared_from_this).

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "beast_wire.hpp"
#include "core/client_record.hpp"
#include "core/connection_limiter.hpp"
#include "core/connection_log.hpp"
#include "core/endpoint.hpp"
#include "core/frame_intake.hpp"
#include "core/inbound_frame.hpp"
#include "core/outbound.hpp"
#include "core/presence_reason.hpp"
#include "core/rate_limiter.hpp"
#include "raw_wire.hpp"
#include "session_context.hpp"
#include "streams.hpp"
#include "wire_events.hpp"

namespace switchboard {

template <class Wire>
class websocket_session : public endpoint,
                          public wire_events,
                          public intake_sender,
                          public std::enable_shared_from_this<websocket_session<Wire>> {
public:
    using request = boost::beast::http::request<boost::beast::http::string_body>;

    // `settings` gives the transport limits this connection keeps for its
    // lifetime; `slot` is its place under the connection limits; the rest
    // builds the Wire.
    template <class... WireArgs>
    websocket_session(session_context& context, std::shared_ptr<const session_settings> settings,
                      connection_limiter::slot slot, WireArgs&&... wire_args)
        : settings_(std::move(settings)),
          out_(std::min(settings_->limits.register_message_bytes,
                        settings_->limits.outbound_queue_bytes),
               settings_->limits.outbound_queue_frames),
          wire_(std::forward<WireArgs>(wire_args)..., settings_->limits, mutex_, out_),
          context_(context),
          session_id_(context.next_session_id()),
          slot_(std::move(slot)),
          limiter_(settings_->limits.rate, std::chrono::steady_clock::now()) {}
    ~websocket_session() override;

    // Completes the upgrade for `upgrade` and starts reading.
    void run(const request& upgrade);

    bool deliver(frame_ptr frame) override;
    void close(unsigned short code, std::string_view reason) override;

private:
    enum class state { open, closing, aborting };

    void on_wire_accepted(boost::system::error_code ec) override;
    void on_wire_message(std::string_view payload, bool text) override;
    bool on_wire_control() override;
    void on_wire_overflow() override;
    void on_wire_reads_paused() override;
    void on_wire_end(wire_end why, std::string_view detail) override;

    // intake_sender: what core's frame_intake needs of this connection.
    client_ptr registered() override { return self_.lock(); }
    rate_limiter& rate() override { return limiter_; }
    void reply(frame_ptr frame) override { deliver(std::move(frame)); }
    void on_register(const register_request& request) override;
    void on_flood() override;

    void on_register_timeout(boost::system::error_code ec);
    bool state_snapshot_open();
    void close_at_expiry(std::int64_t unix_seconds);
    void set_queue_limit(std::size_t bytes);
    // Over the outbound bound (the outbound is shut): the peer does not
    // read fast enough.
    void cut_slow_reader();
    // The close line's reason for a cut; mutex_ held.
    void note_overflow_locked();
    void abort();
    void finish();
    // What the connection log says about this client (core/connection_log).
    connection_facts facts() const;

    // Before the wire, which holds a reference to its limits.
    const std::shared_ptr<const session_settings> settings_;
    // What this connection sends and where its sending stands, guarded by
    // mutex_ (deliver() and close() come from any thread; the wire takes
    // from it on ours). Before the wire, which holds references to both.
    std::mutex mutex_;
    outbound out_;
    Wire wire_;
    // Until `register` (or a JWT's expiry after it); null at any other time,
    // so an idle registered connection holds no timer for it (112 bytes).
    std::unique_ptr<boost::asio::steady_timer> register_timer_;
    session_context& context_;
    std::string session_id_;
    // Our registration, held weakly: the record's link points back at us, so a
    // strong hold would be a cycle that outlives a session never finished
    // (its handlers dropped at shutdown). The registry, pending commands and
    // followers keep the record alive while it matters.
    std::weak_ptr<const client_record> self_;
    bool registered_ = false;
    // Kept for the close line: the record may be gone by then (taken over).
    std::string registered_id_;
    client_role registered_role_ = client_role::device;
    presence_reason departure_ = presence_reason::closed;  // for followers
    connection_limiter::slot slot_;
    rate_limiter limiter_;
    // From the upgrade request, if it carried one, until `register`.
    std::unique_ptr<std::string> upgrade_token_;
    bool finished_ = false;

    // Who ends the connection, for the close line (mutex_): the outbound
    // says what is written. Its bound is register_message_bytes until
    // `register` succeeds, so a stranger that never reads cannot make us
    // hold its error replies.
    state state_ = state::open;
    unsigned short close_code_ = 1000;
    // Why the connection ends: made (under mutex_) when it starts to, so an
    // open connection holds a null pointer, not two strings.
    struct ending {
        std::string close_reason;  // ours, for the close frame and the close line
        std::string end_reason;    // for the close line; written on the I/O thread only
    };
    std::unique_ptr<ending> ending_;
    ending& ending_locked();  // made on first use; mutex_ held
};

}  // namespace switchboard
