#pragma once
// What Paho does not do for its broker connection. Paho C never sets
// TCP_NODELAY, so a small packet that follows an unacknowledged one (a
// PUBLISH after a PUBACK: every command and every answer) waits for the
// broker's delayed ACK, about 40 ms per hop on Linux: a WebSocket-to-MQTT
// round trip had an 88 ms floor (docs/benchmarks.md). Paho gives no access
// to its socket, so this finds it: every TCP socket of this process whose
// peer is the broker's address and port.

#include <string>

namespace switchboard {

// Sets TCP_NODELAY on each TCP socket of this process connected to the
// broker of `url` ("tcp://host:port", "ssl://...", "mqtt://..."; host a
// name or an address). Returns how many sockets it set. Never throws.
int disable_nagle_towards(const std::string& url) noexcept;

}  // namespace switchboard
