#include "ws_reader.hpp"

#include "error_code.hpp"
#include "utf8.hpp"

namespace switchboard {

bool is_valid_close_code(std::uint16_t code) {
    if (code >= 3000 && code <= 4999) return true;
    switch (code) {
        case 1000:
        case 1001:
        case 1002:
        case 1003:
        case 1007:
        case 1008:
        case 1009:
        case 1010:
        case 1011:
        case 1012:
        case 1013:
        case 1014:
            return true;
        default:
            return false;
    }
}

ws_reader::event ws_reader::fail(std::uint16_t code, const char* why, std::size_t consumed) const {
    event e;
    e.what = event::kind::fail;
    e.code = code;
    e.error = why;
    e.consumed = consumed;
    return e;
}

ws_reader::event ws_reader::next(char* data, std::size_t size) {
    using ws_frame::opcode;
    if (clear_fragments_) {
        clear_fragments_ = false;
        fragments_.clear();
        // One large message should not pin its buffer for the connection's life.
        if (fragments_.capacity() > 16384) fragments_.shrink_to_fit();
    }
    std::size_t pos = 0;
    while (true) {
        // A continuation may bring the message only up to the cap.
        const std::size_t room =
            in_message_ ? max_message_bytes_ - fragments_.size() : max_message_bytes_;
        ws_frame::decoded d = ws_frame::decode(data + pos, size - pos, room);
        if (d.state == ws_frame::decoded::status::invalid) {
            if (d.too_big && !ws_frame::is_control(d.op))
                return fail(close_code::too_big, "message larger than the limit", pos);
            return fail(close_code::protocol_error, d.error, pos);
        }
        if (d.state == ws_frame::decoded::status::incomplete) {
            event e;
            e.consumed = pos;
            return e;
        }
        if (masks_required_ && !d.masked)
            return fail(close_code::protocol_error, "client frames must be masked", pos);
        pos += d.frame_bytes;
        event e;
        e.consumed = pos;
        switch (d.op) {
            case opcode::text:
            case opcode::binary:
                if (in_message_)
                    return fail(close_code::protocol_error,
                                "a new message began before the last one ended", pos);
                if (!d.fin) {
                    in_message_ = true;
                    message_op_ = d.op;
                    fragments_.assign(d.payload);
                    continue;
                }
                if (d.op == opcode::text && !is_valid_utf8(d.payload)) {
                    return fail(close_code::invalid_data, "text message is not valid UTF-8", pos);
                }
                e.what = d.op == opcode::text ? event::kind::text : event::kind::binary;
                e.payload = d.payload;
                return e;
            case opcode::continuation:
                if (!in_message_)
                    return fail(close_code::protocol_error, "continuation frame outside a message",
                                pos);
                fragments_.append(d.payload);
                if (!d.fin) continue;
                in_message_ = false;
                clear_fragments_ = true;
                if (message_op_ == opcode::text && !is_valid_utf8(fragments_)) {
                    return fail(close_code::invalid_data, "text message is not valid UTF-8", pos);
                }
                e.what = message_op_ == opcode::text ? event::kind::text : event::kind::binary;
                e.payload = fragments_;
                return e;
            case opcode::ping:
                e.what = event::kind::ping;
                e.payload = d.payload;
                return e;
            case opcode::pong:
                e.what = event::kind::pong;
                e.payload = d.payload;
                return e;
            case opcode::close: {
                if (d.payload.size() == 1)
                    return fail(close_code::protocol_error, "close frame with a one-byte payload",
                                pos);
                e.what = event::kind::close;
                e.code = 1005;
                if (d.payload.size() >= 2) {
                    const auto* p = reinterpret_cast<const unsigned char*>(d.payload.data());
                    e.code = static_cast<std::uint16_t>((p[0] << 8) | p[1]);
                    if (!is_valid_close_code(e.code))
                        return fail(close_code::protocol_error, "close frame with an invalid code",
                                    pos);
                    e.payload = d.payload.substr(2);
                    if (!is_valid_utf8(e.payload))
                        return fail(close_code::invalid_data, "close reason is not valid UTF-8",
                                    pos);
                }
                return e;
            }
        }
        return fail(close_code::protocol_error, "unknown opcode", pos);
    }
}

}  // namespace switchboard
