#pragma once
// The reading side of one WebSocket connection (RFC 6455 §5-8): turns the
// bytes a read returned into messages and control frames, and decides when
// the connection must fail and with which close code. Text must be UTF-8,
// messages (whole, or assembled from fragments) are capped, and a server
// requires its client's frames to be masked. The gateway's raw_wire and the
// simulator's ws_transport each keep one per connection. Plain logic: no
// socket; used on the connection's I/O thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ws_frame.hpp"

namespace switchboard {

class ws_reader {
public:
    struct event {
        enum class kind {
            need_more,  // nothing complete: keep the unconsumed bytes, read more
            text,
            binary,
            ping,
            pong,
            close,  // the peer's close: `code` (1005 if it gave none) and `payload` (reason)
            fail,   // the connection must fail: send a close with `code`, stop reading frames
        };
        kind what = kind::need_more;
        std::string_view payload;  // valid until the next call to next()
        std::uint16_t code = 0;
        const char* error = "";  // for fail: what was wrong, for the log
        std::size_t consumed = 0;
    };

    // `masks_required`: true on the server side (frames from a client);
    // false on the client side, which accepts frames masked or not.
    explicit ws_reader(std::size_t max_message_bytes, bool masks_required = true)
        : max_message_bytes_(max_message_bytes), masks_required_(masks_required) {}

    void set_max_message_bytes(std::size_t bytes) { max_message_bytes_ = bytes; }

    // The next event from the start of `data`, whose payload is unmasked in
    // place. `consumed` bytes of `data` are used up (also for need_more, by
    // fragments copied aside). After fail or close, stop calling.
    event next(char* data, std::size_t size);

private:
    event fail(std::uint16_t code, const char* why, std::size_t consumed) const;

    std::size_t max_message_bytes_;
    bool masks_required_;
    std::string fragments_;
    bool in_message_ = false;
    bool clear_fragments_ = false;  // the last event pointed into fragments_
    ws_frame::opcode message_op_ = ws_frame::opcode::text;
};

// Whether a close frame may carry this code (RFC 6455 §7.4).
bool is_valid_close_code(std::uint16_t code);

}  // namespace switchboard
