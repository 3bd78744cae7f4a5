#include "ws_frame.hpp"

#include <cstring>

namespace switchboard::ws_frame {

namespace {

// XORs `n` bytes with the 4-byte key, starting at key offset 0; eight bytes
// at a time, since the key repeats every four.
void apply_mask(unsigned char* p, std::size_t n, const unsigned char key[4]) {
    std::uint64_t wide;
    std::memcpy(&wide, key, 4);
    std::memcpy(reinterpret_cast<char*>(&wide) + 4, key, 4);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t chunk;
        std::memcpy(&chunk, p + i, 8);
        chunk ^= wide;
        std::memcpy(p + i, &chunk, 8);
    }
    for (; i < n; ++i) p[i] ^= key[i & 3];
}

decoded invalid(decoded d, const char* why) {
    d.state = decoded::status::invalid;
    d.error = why;
    return d;
}

}  // namespace

decoded decode(char* data, std::size_t size, std::size_t max_payload) {
    decoded d;
    if (size < 2) return d;
    const auto* u = reinterpret_cast<const unsigned char*>(data);
    d.fin = (u[0] & 0x80) != 0;
    if ((u[0] & 0x70) != 0) return invalid(d, "reserved bits set (no extension was negotiated)");
    const std::uint8_t op = u[0] & 0x0F;
    switch (op) {
        case 0x0:
        case 0x1:
        case 0x2:
        case 0x8:
        case 0x9:
        case 0xA:
            break;
        default:
            return invalid(d, "unknown opcode");
    }
    d.op = static_cast<opcode>(op);
    d.masked = (u[1] & 0x80) != 0;
    std::uint64_t len = u[1] & 0x7F;
    std::size_t pos = 2;
    if (len == 126) {
        if (size < 4) return d;
        len = (std::uint64_t(u[2]) << 8) | u[3];
        if (len < 126) return invalid(d, "length not in its shortest form");
        pos = 4;
    } else if (len == 127) {
        if (size < 10) return d;
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | u[2 + i];
        if (len >> 63) return invalid(d, "length with its top bit set");
        if (len <= 0xFFFF) return invalid(d, "length not in its shortest form");
        pos = 10;
    }
    if (is_control(d.op) && (len > max_control_payload || !d.fin)) {
        return invalid(d, "control frame over 125 bytes or fragmented");
    }
    if (len > max_payload) {
        d.too_big = true;
        return invalid(d, "frame larger than the limit");
    }
    unsigned char key[4] = {0, 0, 0, 0};
    if (d.masked) {
        if (size < pos + 4) return d;
        std::memcpy(key, u + pos, 4);
        pos += 4;
    }
    if (size - pos < len) return d;
    char* payload = data + pos;
    if (d.masked)
        apply_mask(reinterpret_cast<unsigned char*>(payload), static_cast<std::size_t>(len), key);
    d.state = decoded::status::complete;
    d.payload = std::string_view(payload, static_cast<std::size_t>(len));
    d.frame_bytes = pos + static_cast<std::size_t>(len);
    return d;
}

namespace {
std::size_t write_length(unsigned char* p, std::size_t n, unsigned char mask_bit) {
    if (n < 126) {
        p[0] = mask_bit | static_cast<unsigned char>(n);
        return 1;
    }
    if (n <= 0xFFFF) {
        p[0] = mask_bit | 126;
        p[1] = static_cast<unsigned char>(n >> 8);
        p[2] = static_cast<unsigned char>(n);
        return 3;
    }
    p[0] = mask_bit | 127;
    for (int i = 0; i < 8; ++i)
        p[1 + i] = static_cast<unsigned char>(std::uint64_t(n) >> (56 - 8 * i));
    return 9;
}
}  // namespace

std::size_t write_header(unsigned char* out, opcode op, std::size_t payload_size) {
    out[0] = 0x80 | static_cast<unsigned char>(op);
    return 1 + write_length(out + 1, payload_size, 0);
}

void append_masked(std::string& out, opcode op, std::string_view payload, std::uint32_t mask) {
    unsigned char header[max_header_bytes];
    header[0] = 0x80 | static_cast<unsigned char>(op);
    std::size_t h = 1 + write_length(header + 1, payload.size(), 0x80);
    std::memcpy(header + h, &mask, 4);
    const unsigned char* key = header + h;
    h += 4;
    const std::size_t start = out.size();
    out.append(reinterpret_cast<const char*>(header), h);
    out.append(payload);
    apply_mask(reinterpret_cast<unsigned char*>(out.data() + start + h), payload.size(), key);
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
    std::string body;
    body.push_back(static_cast<char>(code >> 8));
    body.push_back(static_cast<char>(code & 0xFF));
    body.append(reason.substr(0, max_control_payload - 2));
    return body;
}

}  // namespace switchboard::ws_frame
