#pragma once
// One WebSocket connection at /ws: the upgrade, registration (with its
// credentials), the read loop with its frame-rate limit, and a bounded
// outbound queue. It is the `endpoint` the router delivers to for a
// WebSocket client. A template over plain TCP or TLS (streams.hpp),
// instantiated for both in websocket_session.cpp.
// Runs on the one I/O thread that accepted its socket; `deliver` and `close`
// may be called from any thread and hand their work to that thread.
// Owns itself through its pending operations (shared_from_this).

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/client_record.hpp"
#include "core/inbound_frame.hpp"
#include "core/connection_limiter.hpp"
#include "core/endpoint.hpp"
#include "core/rate_limiter.hpp"
#include "session_context.hpp"
#include "streams.hpp"

namespace switchboard {

template <class Stream>
class websocket_session : public endpoint,
                          public std::enable_shared_from_this<websocket_session<Stream>> {
public:
    using request = boost::beast::http::request<boost::beast::http::string_body>;

    // `slot` is this connection's place under the connection limits.
    websocket_session(Stream&& stream, session_context& context, connection_limiter::slot slot);
    ~websocket_session() override;

    // Completes the upgrade for `upgrade` and starts reading.
    void run(request upgrade);

    bool deliver(frame_ptr frame) override;
    void close(unsigned short code, std::string_view reason) override;

private:
    enum class state { open, closing, aborting };

    void on_accept(boost::beast::error_code ec);
    void on_register_timeout(boost::beast::error_code ec);
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    bool admit_frame(std::string_view request_id);
    void after_frame(std::size_t bytes);
    bool state_snapshot_open();
    void handle_text(std::string_view text);
    void on_register(const register_request& request);
    void do_write();
    void on_write(boost::beast::error_code ec, std::size_t bytes);
    void do_close();
    void abort();
    void finish();

    boost::beast::websocket::stream<Stream> ws_;
    boost::beast::flat_buffer buffer_;
    boost::asio::steady_timer register_timer_;
    session_context& context_;
    std::string session_id_;
    // Our registration, held weakly: the record's link points back at us, so a
    // strong hold would be a cycle that outlives a session never finished
    // (its handlers dropped at shutdown). The registry, pending commands and
    // followers keep the record alive while it matters.
    std::weak_ptr<const client_record> self_;
    bool registered_ = false;
    connection_limiter::slot slot_;
    rate_limiter limiter_;
    std::optional<std::string> upgrade_token_;  // from the upgrade request, if it carried one
    bool finished_ = false;

    // Outbound queue, shared with other threads' deliver()/close().
    std::mutex mutex_;
    std::deque<frame_ptr> queue_;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;  // a write chain is running or posted
    state state_ = state::open;
    unsigned short close_code_ = 1000;
    std::string close_reason_;
};

}  // namespace switchboard
