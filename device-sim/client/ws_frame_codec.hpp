#pragma once
// RFC 6455 framing for the client side of a WebSocket: encodes masked frames
// into an output string (so many frames can share one write) and decodes the
// server's frames in place from a read buffer that may hold several frames
// and a partial one. No sockets; owned by one ws_transport, on its thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::client {

class ws_frame_codec {
public:
    enum class opcode : std::uint8_t {
        continuation = 0x0,
        text = 0x1,
        binary = 0x2,
        close = 0x8,
        ping = 0x9,
        pong = 0xA,
    };

    struct decoded {
        enum class status { complete, incomplete, invalid };
        status state = status::incomplete;
        opcode op = opcode::text;
        bool fin = true;
        std::size_t frame_bytes = 0;  // header + payload, to consume
        std::string_view payload;     // unmasked, points into the input
        const char* error = "";       // for invalid
    };

    explicit ws_frame_codec(std::uint64_t seed = 0x9e3779b97f4a7c15ULL);

    // Appends one whole (FIN) masked frame to `out`.
    void encode(std::string& out, opcode op, std::string_view payload);
    // A close frame carrying `code` and a short reason.
    void encode_close(std::string& out, std::uint16_t code, std::string_view reason);

    // Decodes the first frame in `data`. A masked server frame is unmasked in
    // place (RFC 6455 forbids it, but it costs nothing to accept).
    static decoded decode(char* data, std::size_t size, std::size_t max_payload);

private:
    std::uint32_t next_mask();
    std::uint64_t state_;
};

}  // namespace switchboard::client
