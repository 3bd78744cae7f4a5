#pragma once
// The arithmetic of the WebSocket opening handshake (RFC 6455 §4), shared by
// the gateway's own upgrade (raw_wire) and the simulator's client.

#include <cstddef>
#include <string>
#include <string_view>

namespace switchboard {

// Standard base64 with padding.
std::string base64(const unsigned char* data, std::size_t size);

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string websocket_accept(std::string_view key);

// A Sec-WebSocket-Key must be 16 bytes in base64: 22 characters and "==".
bool is_valid_websocket_key(std::string_view key);

}  // namespace switchboard
