#pragma once
// What a WebSocket wire (raw_wire on plain TCP and TLS, beast_wire for
// compression) reports to the session that owns it. Called on the session's
// I/O thread, never from inside a call the session made into the wire.
// What the connection sends is not here: both wires take it from the
// connection's `outbound` (core/outbound.hpp), which the session fills.

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string_view>

namespace switchboard {

// The bytes of the pong that answers a ping carrying `payload` bytes (an
// unmasked control frame: a 2-byte header, since a payload is at most 125),
// as beast_wire charges it to the outbound bound (raw_wire's outbound
// holds the pong itself).
constexpr std::size_t pong_frame_bytes(std::size_t payload) { return 2 + payload; }

// Why a connection stopped reading.
enum class wire_end {
    closed,          // a close handshake, the peer's EOF or our own abort
    oversized,       // a message over the limit: closed with 1009
    protocol_error,  // broken framing or bad UTF-8: closed with 1002 or 1007
    timed_out,       // no upgrade, no close answer or no pong in time
    failed,          // a socket error
};

class wire_events {
public:
    virtual ~wire_events() = default;
    virtual void on_wire_accepted(boost::system::error_code ec) = 0;
    // One whole message. `payload` is valid only during the call.
    virtual void on_wire_message(std::string_view payload, bool text) = 0;
    // A ping, or a pong that does not answer our own ping, from the peer:
    // charged to the rate like a message. False when over the rate: a ping
    // is not answered then where the wire can help it (raw_wire; Beast
    // always answers).
    virtual bool on_wire_control() = 0;
    // The pong a ping needs did not fit under the outbound bound: the
    // outbound is shut already; the session cuts the connection.
    virtual void on_wire_overflow() = 0;
    // The wire stopped reading the peer for a while: its own outbound
    // queue is past half its bound (read backpressure; it reads again once
    // the queue is down to a quarter). Counted, nothing else.
    virtual void on_wire_reads_paused() = 0;
    // Reading has ended; no more messages follow. `detail` is for the log.
    virtual void on_wire_end(wire_end why, std::string_view detail) = 0;
};

}  // namespace switchboard
