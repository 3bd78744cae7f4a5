#include "ws_frame_codec.hpp"

#include <cstring>

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
    const std::size_t n = payload.size();
    const std::size_t start = out.size();
    std::size_t header = 2 + 4 + (n < 126 ? 0 : n <= 0xFFFF ? 2 : 8);
    out.resize(start + header + n);
    auto* p = reinterpret_cast<unsigned char*>(out.data() + start);
    *p++ = 0x80 | static_cast<std::uint8_t>(op);
    if (n < 126) {
        *p++ = 0x80 | static_cast<std::uint8_t>(n);
    } else if (n <= 0xFFFF) {
        *p++ = 0x80 | 126;
        *p++ = static_cast<unsigned char>(n >> 8);
        *p++ = static_cast<unsigned char>(n);
    } else {
        *p++ = 0x80 | 127;
        for (int shift = 56; shift >= 0; shift -= 8) *p++ = static_cast<unsigned char>(n >> shift);
    }
    std::uint32_t mask = next_mask();
    unsigned char key[4];
    std::memcpy(key, &mask, 4);
    std::memcpy(p, key, 4);
    p += 4;
    const auto* src = reinterpret_cast<const unsigned char*>(payload.data());
    std::size_t i = 0;
    // Eight bytes at a time: the mask repeats every four bytes.
    std::uint64_t wide;
    std::memcpy(&wide, key, 4);
    std::memcpy(reinterpret_cast<char*>(&wide) + 4, key, 4);
    for (; i + 8 <= n; i += 8) {
        std::uint64_t chunk;
        std::memcpy(&chunk, src + i, 8);
        chunk ^= wide;
        std::memcpy(p + i, &chunk, 8);
    }
    for (; i < n; ++i) p[i] = src[i] ^ key[i & 3];
}

void ws_frame_codec::encode_close(std::string& out, std::uint16_t code, std::string_view reason) {
    std::string body;
    body.push_back(static_cast<char>(code >> 8));
    body.push_back(static_cast<char>(code & 0xFF));
    body.append(reason.substr(0, 123));  // a control frame carries at most 125 bytes
    encode(out, opcode::close, body);
}

ws_frame_codec::decoded ws_frame_codec::decode(char* data, std::size_t size,
                                               std::size_t max_payload) {
    decoded d;
    if (size < 2) return d;
    const auto* u = reinterpret_cast<const unsigned char*>(data);
    d.fin = (u[0] & 0x80) != 0;
    if ((u[0] & 0x70) != 0) {
        d.state = decoded::status::invalid;
        d.error = "reserved bits set (no extension was negotiated)";
        return d;
    }
    std::uint8_t op = u[0] & 0x0F;
    switch (op) {
        case 0x0: case 0x1: case 0x2: case 0x8: case 0x9: case 0xA: break;
        default:
            d.state = decoded::status::invalid;
            d.error = "unknown opcode";
            return d;
    }
    d.op = static_cast<opcode>(op);
    bool masked = (u[1] & 0x80) != 0;
    std::uint64_t len = u[1] & 0x7F;
    std::size_t pos = 2;
    if (len == 126) {
        if (size < 4) return d;
        len = (std::uint64_t(u[2]) << 8) | u[3];
        pos = 4;
    } else if (len == 127) {
        if (size < 10) return d;
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | u[2 + i];
        pos = 10;
    }
    if (op >= 0x8 && (len > 125 || !d.fin)) {
        d.state = decoded::status::invalid;
        d.error = "control frame too long or fragmented";
        return d;
    }
    if (len > max_payload) {
        d.state = decoded::status::invalid;
        d.error = "frame larger than the limit";
        return d;
    }
    unsigned char key[4] = {0, 0, 0, 0};
    if (masked) {
        if (size < pos + 4) return d;
        std::memcpy(key, u + pos, 4);
        pos += 4;
    }
    if (size - pos < len) return d;
    char* payload = data + pos;
    if (masked) {
        for (std::uint64_t i = 0; i < len; ++i) payload[i] = static_cast<char>(payload[i] ^ key[i & 3]);
    }
    d.state = decoded::status::complete;
    d.payload = std::string_view(payload, static_cast<std::size_t>(len));
    d.frame_bytes = pos + static_cast<std::size_t>(len);
    return d;
}

}  // namespace switchboard::client
