#pragma once
// WebSocket through Beast's stream, for what raw_wire does not do: TLS and
// permessage-deflate. Same interface as raw_wire (see there); Beast answers
// pings, checks UTF-8 and sizes (inflated sizes too) and runs the close
// handshake. The idle rule is ours, not Beast's (Beast counts every byte
// read, pings included, as activity): core's keep_alive on a timer of this
// wire's, as raw_wire keeps it. Used by one websocket_session, on its I/O
// thread.

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/endpoint.hpp"
#include "core/gateway_config.hpp"
#include "core/keep_alive.hpp"
#include "streams.hpp"
#include "wire_events.hpp"

namespace switchboard {

template <class Stream>
class beast_wire {
public:
    using request = boost::beast::http::request<boost::beast::http::string_body>;

    beast_wire(Stream&& stream, const session_limits& limits)
        : ws_(std::move(stream)), timer_(ws_.get_executor()), limits_(limits) {}

    boost::asio::any_io_executor get_executor() { return ws_.get_executor(); }

    void accept(const request& upgrade, const char* subprotocol, std::weak_ptr<wire_events> owner);
    void start_reading();
    void set_read_limit(std::size_t bytes) { ws_.read_message_max(bytes); }
    void write(std::span<frame_ptr> frames);
    void close(std::uint16_t code, std::string_view reason);
    void abort();

    // Beast writes one message per call; a batch is written in turn.
    static constexpr std::size_t max_batch_frames = 16;

private:
    void do_read();
    void on_read(boost::system::error_code ec, std::size_t bytes);
    void on_control(boost::beast::websocket::frame_type kind, std::string_view payload);
    // Beast reads no frame while the pong it owes is unwritten: when the
    // next frame (or the end) comes, the pong held is on its way.
    void release_pong(wire_events& events);
    void write_next();
    void arm_timer();
    void on_timer(boost::system::error_code ec);
    void end_reading(wire_end why, std::string_view detail);

    boost::beast::websocket::stream<Stream> ws_;
    boost::asio::steady_timer timer_;  // keep-alive, every half idle period
    keep_alive keep_alive_;
    const session_limits& limits_;
    boost::beast::flat_buffer buffer_;
    std::weak_ptr<wire_events> owner_;
    std::vector<frame_ptr> writing_;
    std::size_t written_ = 0;
    std::size_t pong_held_ = 0;  // the bytes of the pong Beast owes, charged to the owner
    bool pinging_ = false;       // our keep-alive ping is being written
    bool closing_ = false;       // close() or abort() was called: no more pings
    bool ended_ = false;         // on_wire_end was called
};

}  // namespace switchboard
