#pragma once
// RFC 6455 frame layout, both directions: decoding one frame in place from a
// buffer that may hold several frames and a partial one, and writing the
// headers of unmasked (server) and masked (client) frames. No sockets, no
// state: the gateway's own framing (ws_reader, raw_wire) and the simulator's
// client (ws_transport) both stand on it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::ws_frame {

enum class opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

constexpr bool is_control(opcode op) { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

// The longest header: 2 bytes, an 8-byte length, a 4-byte mask.
constexpr std::size_t max_header_bytes = 14;
// A control frame's payload (RFC 6455 §5.5).
constexpr std::size_t max_control_payload = 125;

struct decoded {
    enum class status { complete, incomplete, invalid };
    status state = status::incomplete;
    opcode op = opcode::text;
    bool fin = true;
    bool masked = false;
    std::size_t frame_bytes = 0;  // header + payload, to consume
    std::string_view payload;     // unmasked, points into the input
    const char* error = "";       // for invalid
    // For invalid: the payload is over `max_payload` (close with 1009, not 1002).
    bool too_big = false;
};

// Decodes the first frame in `data`, unmasking its payload in place. A frame
// whose declared payload exceeds `max_payload` is invalid as soon as its
// header is in: nothing of it needs to be buffered.
decoded decode(char* data, std::size_t size, std::size_t max_payload);

// Writes the header of an unmasked frame with FIN set into `out`
// (max_header_bytes long at least); returns its length.
std::size_t write_header(unsigned char* out, opcode op, std::size_t payload_size);

// Appends a whole masked frame (FIN set) to `out`.
void append_masked(std::string& out, opcode op, std::string_view payload, std::uint32_t mask);

// A close frame's payload: the code, big-endian, then at most 123 bytes of reason.
std::string close_payload(std::uint16_t code, std::string_view reason);

}  // namespace switchboard::ws_frame
