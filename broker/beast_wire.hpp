#pragma once
// WebSocket through Beast's stream, for what raw_wire does not do:
// permessage-deflate (and a TLS connection whose client sent frames before
// our 101, which asio's stream keeps: http_session). Same interface as
// raw_wire (see there), and the same `outbound` (core): it takes the
// session's frames from there one at a time (Beast writes one message per
// call), then our close; Beast answers pings (the pong's bytes
// are charged to the outbound), sends our keep-alive pings, checks UTF-8
// and sizes (inflated sizes too) and runs the close handshake. The idle
// rule is ours, not Beast's (Beast counts every byte read, pings included,
// as activity): core's keep_alive on a timer of this wire's. Used by one
// websocket_session, on its I/O thread.

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "core/endpoint.hpp"
#include "core/gateway_config.hpp"
#include "core/keep_alive.hpp"
#include "core/outbound.hpp"
#include "streams.hpp"
#include "wire_events.hpp"

namespace switchboard {

template <class Stream>
class beast_wire {
public:
    using request = boost::beast::http::request<boost::beast::http::string_body>;

    // `out`: what the connection sends, guarded by `lock` (both the session's).
    beast_wire(Stream&& stream, const session_limits& limits, std::mutex& lock, outbound& out)
        : ws_(std::move(stream)),
          timer_(ws_.get_executor()),
          limits_(limits),
          lock_(lock),
          out_(out) {}

    boost::asio::any_io_executor get_executor() { return ws_.get_executor(); }

    void accept(const request& upgrade, const char* subprotocol, std::weak_ptr<wire_events> owner);
    void start_reading();
    void set_read_limit(std::size_t bytes) { ws_.read_message_max(bytes); }
    // Writes what the outbound holds until it is idle (see raw_wire::flush).
    void flush();
    void abort();

private:
    void do_read();
    void on_read(boost::system::error_code ec, std::size_t bytes);
    void on_control(boost::beast::websocket::frame_type kind, std::string_view payload);
    // Beast reads no frame while the pong it owes is unwritten: when the
    // next frame (or the end) comes, the pong held is on its way.
    void release_pong();
    // The frame taken has left (or there was none): our close follows if
    // it came after it. True when more waits.
    bool frame_written();
    void start_close(std::uint16_t code, std::string_view reason);
    void arm_timer();
    void on_timer(boost::system::error_code ec);
    void end_reading(wire_end why, std::string_view detail);

    boost::beast::websocket::stream<Stream> ws_;
    boost::asio::steady_timer timer_;  // keep-alive, every half idle period
    keep_alive keep_alive_;
    const session_limits& limits_;
    boost::beast::flat_buffer buffer_;
    std::weak_ptr<wire_events> owner_;
    std::mutex& lock_;
    outbound& out_;
    frame_ptr writing_;  // Beast writes one message per call: a batch is one frame
    // The bytes of the pong Beast owes (at most 127), charged to the outbound.
    std::uint8_t pong_held_ = 0;
    bool pinging_ = false;      // our keep-alive ping is being written
    bool close_after_ = false;  // our close follows the frame taken
    bool closing_ = false;      // our close or abort() has started: no more pings
    bool ended_ = false;        // on_wire_end was called
};

}  // namespace switchboard
