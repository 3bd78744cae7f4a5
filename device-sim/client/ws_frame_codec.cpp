#include "ws_frame_codec.hpp"

namespace switchboard::client {

ws_frame_codec::ws_frame_codec(std::uint64_t seed) : state_(seed | 1) {}

// xorshift64*: masking keys only need to stop proxies from reading the
// stream as something else (RFC 6455 §10.3); a simulator does not need a CSPRNG.
std::uint32_t ws_frame_codec::next_mask() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return static_cast<std::uint32_t>((state_ * 0x2545F4914F6CDD1DULL) >> 32);
}

void ws_frame_codec::encode(std::string& out, opcode op, std::string_view payload) {
    ws_frame::append_masked(out, op, payload, next_mask());
}

void ws_frame_codec::encode_close(std::string& out, std::uint16_t code, std::string_view reason) {
    encode(out, opcode::close, ws_frame::close_payload(code, reason));
}

}  // namespace switchboard::client
