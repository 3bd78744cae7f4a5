#include "ws_handshake.hpp"

#include <openssl/sha.h>

#include <cstdint>

namespace switchboard {

namespace {
constexpr std::string_view accept_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr char base64_table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

std::string base64(const unsigned char* data, std::size_t n) {
    std::string out;
    out.reserve((n + 2) / 3 * 4);
    for (std::size_t i = 0; i < n; i += 3) {
        std::uint32_t v = std::uint32_t(data[i]) << 16;
        if (i + 1 < n) v |= std::uint32_t(data[i + 1]) << 8;
        if (i + 2 < n) v |= data[i + 2];
        out.push_back(base64_table[(v >> 18) & 63]);
        out.push_back(base64_table[(v >> 12) & 63]);
        out.push_back(i + 1 < n ? base64_table[(v >> 6) & 63] : '=');
        out.push_back(i + 2 < n ? base64_table[v & 63] : '=');
    }
    return out;
}

std::string websocket_accept(std::string_view key) {
    std::string text(key);
    text += accept_guid;
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    return base64(digest, sizeof digest);
}

bool is_valid_websocket_key(std::string_view key) {
    if (key.size() != 24 || !key.ends_with("==")) return false;
    for (char c : key.substr(0, 22)) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/';
        if (!ok) return false;
    }
    // The 22nd character carries only 2 bits of the 16th byte.
    return std::string_view(base64_table).find(key[21]) % 16 == 0;
}

}  // namespace switchboard
