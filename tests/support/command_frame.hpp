#pragma once
// A `command` frame as a controller sends it (docs/protocol.md §3), for the
// tests that route commands: `extra` adds fields (ack, timeout_ms, ttl_ms,
// args...) and may name another command; the name is set_speed otherwise.

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace switchboard::test {

inline nlohmann::json command(const std::string& to, const std::string& id,
                              nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json f = std::move(extra);
    f["type"] = "command";
    f["to"] = to;
    f["id"] = id;
    if (!f.contains("name")) f["name"] = "set_speed";
    return f;
}

}  // namespace switchboard::test
