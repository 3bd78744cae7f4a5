#pragma once
// What a WebSocket wire (raw_wire on plain TCP, beast_wire for TLS and
// compression) reports to the session that owns it. Called on the session's
// I/O thread, never from inside a call the session made into the wire.

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string_view>

namespace switchboard {

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
    // A ping or pong from the peer, charged like a message: false when it is
    // over the connection's rate (a ping is then not answered).
    virtual bool on_wire_control() = 0;
    // Reading has ended; no more messages follow. `detail` is for the log.
    virtual void on_wire_end(wire_end why, std::string_view detail) = 0;
    // A write() finished: `frames` of its frames are on their way, or `ec`.
    virtual void on_wire_written(boost::system::error_code ec, std::size_t frames) = 0;
};

}  // namespace switchboard
