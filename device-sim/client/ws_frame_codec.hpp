#pragma once
// The client side of RFC 6455 framing: masked frames (so many can share one
// write) with this connection's masking keys; reading is core's ws_reader.
// No sockets; owned by one ws_transport, on its thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/ws_frame.hpp"

namespace switchboard::client {

class ws_frame_codec {
public:
    using opcode = ws_frame::opcode;

    explicit ws_frame_codec(std::uint64_t seed = 0x9e3779b97f4a7c15ULL);

    // Appends one whole (FIN) masked frame to `out`.
    void encode(std::string& out, opcode op, std::string_view payload);
    // A close frame carrying `code` and a short reason.
    void encode_close(std::string& out, std::uint16_t code, std::string_view reason);

private:
    std::uint32_t next_mask();
    std::uint64_t state_;
};

}  // namespace switchboard::client
