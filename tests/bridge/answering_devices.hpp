#pragma once
// Devices for the bridge and cluster tests that answer every command ok: one
// on MQTT (a Paho client) and one on WebSocket. The tests that route commands
// through one or more bridged nodes count on them to answer, so that every
// command has exactly one outcome.

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "mqtt_test_client.hpp"
#include "ws_test_client.hpp"

namespace switchboard::test {

// MQTT device `id` (version 5 or 4, 3.1.1) registering under "sb": it
// answers every command with an ok response on its outbox, sb/{id}/out.
inline mqtt_client_options answering_device(const std::string& id, int version = 5) {
    mqtt_client_options o = registering_client(id, "device");
    o.version = version;
    o.answer_topic = "sb/" + id + "/out";
    return o;
}

// WebSocket device `id` on the gateway at `port`: it answers every command
// with ok and the result {"done": name}.
inline std::unique_ptr<ws_test_client> answering_ws_device(unsigned short port,
                                                           const std::string& id) {
    auto d = std::make_unique<ws_test_client>(port);
    auto reg = d->register_as(id, "device");
    EXPECT_EQ(reg["type"], "registered") << reg.dump();
    d->set_handler([](const nlohmann::json& f, ws_test_client& self) {
        if (f.value("type", "") != "command") return;
        self.send({{"type", "response"},
                   {"to", f["from"]},
                   {"id", f["id"]},
                   {"ok", true},
                   {"result", {{"done", f["name"]}}}});
    });
    return d;
}

}  // namespace switchboard::test
