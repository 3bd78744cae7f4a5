#pragma once
// The info-level lines that open and close a client's connection, the same
// for every transport (docs/operations.md), so one grep follows a client:
//   connection open: id=pump-12 role=device transport=ws remote=10.0.0.7 session=s-42
//   connection closed: id=pump-12 role=device transport=ws remote=10.0.0.7 session=s-42
//   reason="..."
// Never a token or a payload: only the ID, what the gateway decided, and why.

#include <string>
#include <string_view>

namespace switchboard {

struct connection_facts {
    std::string_view id;
    std::string_view role;       // "device" or "controller"
    std::string_view transport;  // "ws", "wss" or "mqtt"
    std::string_view remote;     // the peer's address; "broker" for MQTT clients
    std::string_view session;
};

std::string connection_opened_line(const connection_facts& facts);
std::string connection_closed_line(const connection_facts& facts, std::string_view reason);

}  // namespace switchboard
