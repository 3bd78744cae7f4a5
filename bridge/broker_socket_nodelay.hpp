#pragma once
// Paho C never sets TCP_NODELAY and gives no access to its socket, so this
// finds the broker sockets in /proc/self/fd and sets it: without it each
// PUBLISH after a PUBACK waits ~40 ms for the broker's delayed ACK (docs/mqtt.md).

#include <string>

namespace switchboard {

// Sets TCP_NODELAY on each TCP socket of this process connected to the
// broker of `url` (mqtt.url: "tcp://host:port", "ssl://...", "ws://host/mqtt",
// ...; host a name or an address, the port the scheme's default when none).
// Returns how many sockets it set. Never throws.
int set_broker_socket_nodelay(const std::string& url) noexcept;

}  // namespace switchboard
