// The simulator's fleet against the real gateway (in process) and a real
// mosquitto: every built-in command answers correctly on both transports,
// rebooting and churning devices come back, duplicate-ID storms settle.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fleet_runner.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"
#ifdef SWITCHBOARD_CLIENT_WITH_MQTT
#include "gateway_side.hpp"
#endif

using namespace switchboard;
using namespace switchboard::sim;
using namespace switchboard::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

device_group group(const std::string& prefix, std::size_t count, transport_choice transport) {
    device_group g;
    g.id_prefix = prefix;
    g.count = count;
    g.transport = transport;
    g.reboot = 300ms;
    g.slow = 100ms;
    g.events_per_s = 2;
    return g;
}

// The six commands every device is asked, and what each answer must hold.
std::vector<std::pair<std::string, json>> command_set(int i) {
    return {{"echo", {{"n", i}, {"text", "hello \"quoted\""}}},
            {"set", {{"mode", "eco"}, {"n", i}}},
            {"get_state", nullptr},
            {"fail", nullptr},
            {"dance", {{"steps", 3}}},
            {"slow", {{"ms", 50}}}};
}

void check_answer(const std::string& device, int i, const std::string& name, const json& r) {
    SCOPED_TRACE(device + " " + name + ": " + r.dump());
    if (name == "echo") {
        EXPECT_EQ(r["ok"], true);
        EXPECT_EQ(r["result"], json({{"n", i}, {"text", "hello \"quoted\""}}));
    } else if (name == "set") {
        EXPECT_EQ(r["ok"], true);
        EXPECT_EQ(r["result"]["state"]["mode"], "eco");
    } else if (name == "get_state") {
        EXPECT_EQ(r["ok"], true);
        EXPECT_EQ(r["result"]["id"], device);
        EXPECT_EQ(r["result"]["settings"]["n"], i);  // the set before it was applied first
        EXPECT_TRUE(r["result"]["telemetry"].contains("temperature_c"));
    } else if (name == "fail") {
        EXPECT_EQ(r["ok"], false);
        EXPECT_EQ(r["error"]["code"], "device_failure");
    } else if (name == "dance") {
        EXPECT_EQ(r["ok"], false);
        EXPECT_EQ(r["error"]["code"], "unsupported");
        EXPECT_NE(r["error"]["message"].get<std::string>().find("'dance'"), std::string::npos);
    } else if (name == "slow") {
        EXPECT_EQ(r["ok"], true);
        EXPECT_EQ(r["result"]["slept_ms"], 50);
    }
}

// One device of `transport` that sends no telemetry, on one thread.
fleet_options one_quiet_device(unsigned short gateway_port, const std::string& mqtt_url,
                               const std::string& prefix, transport_choice transport) {
    fleet_options fo;
    fo.plan.gateway_url = "ws://127.0.0.1:" + std::to_string(gateway_port) + "/ws";
    fo.plan.mqtt_url = mqtt_url;
    auto g = group(prefix, 1, transport);
    g.events_per_s = 0;
    fo.plan.groups = {g};
    fo.threads = 1;
    return fo;
}

// Sends every command of the set to each WebSocket device and checks each answer.
void exercise_ws(ws_test_client& ctl, const std::string& prefix, int count,
                 const std::string& tag) {
    std::map<std::string, std::tuple<std::string, int, std::string>>
        expected;  // command id -> (device, i, name)
    for (int i = 0; i < count; ++i) {
        std::string device = prefix + std::to_string(i);
        int k = 0;
        for (auto& [name, args] : command_set(i)) {
            std::string id = tag + "-" + std::to_string(i) + "-" + std::to_string(k++);
            json cmd = {{"type", "command"}, {"to", device}, {"id", id}, {"name", name}};
            if (!args.is_null()) cmd["args"] = args;
            ctl.send(cmd);
            expected[id] = {device, i, name};
        }
    }
    std::set<std::string> answered;
    while (answered.size() < expected.size()) {
        auto r = ctl.receive_type("response", 20s);
        ASSERT_TRUE(r) << "only " << answered.size() << " of " << expected.size() << " answered";
        std::string id = (*r)["id"];
        ASSERT_TRUE(expected.count(id)) << r->dump();
        ASSERT_TRUE(answered.insert(id).second) << "answered twice: " << id;
        auto& [device, i, name] = expected[id];
        EXPECT_EQ((*r)["from"], device);
        check_answer(device, i, name, *r);
    }
}

}  // namespace

#ifdef SWITCHBOARD_CLIENT_WITH_MQTT
TEST(Fleet, MixedFleetOf200AnswersEveryCommandKind) {
    running_gateway gw;
    mosquitto_broker broker;

    fleet_options fo;
    fo.plan.gateway_url = "ws://127.0.0.1:" + std::to_string(gw.port()) + "/ws";
    fo.plan.mqtt_url = broker.url();
    fo.plan.groups = {group("ws-dev-", 100, transport_choice::ws),
                      group("mq-dev-", 100, transport_choice::mqtt)};
    fo.threads = 2;
    fleet_runner fleet(fo);

    // The MQTT side: no bridge here (the in-process gateway has none); the
    // test plays the gateway toward MQTT devices (same frames, on sb/{id}/in and /out).
    mqtt_test_client probe(broker.url(), gateway_side("test-bridge", {"sb/+/out", "sb/+/status"}));
    ASSERT_TRUE(probe.connect()) << broker.log();

    fleet.start();
    ASSERT_TRUE(fleet.wait_all_online(30s)) << fleet.progress_line();
    EXPECT_EQ(gw.get().routing().clients().size(), 100u);  // the WebSocket half registered

    ws_test_client ctl(gw.port());
    ASSERT_EQ(ctl.register_as("ctl-1", "controller")["type"], "registered");
    exercise_ws(ctl, "ws-dev-", 100, "w");

    // MQTT: every device published a retained online status with its role and meta.
    std::map<std::string, json> status;
    std::map<std::string, std::tuple<std::string, int, std::string>> expected;
    for (int i = 0; i < 100; ++i) {
        std::string device = "mq-dev-" + std::to_string(i);
        int k = 0;
        for (auto& [name, args] : command_set(i)) {
            std::string id = "m-" + std::to_string(i) + "-" + std::to_string(k++);
            json cmd = {{"type", "command"}, {"from", "mqtt-ctl"}, {"id", id}, {"name", name}};
            if (!args.is_null()) cmd["args"] = args;
            probe.publish("sb/" + device + "/in", cmd.dump());
            expected[id] = {device, i, name};
        }
    }
    std::set<std::string> answered;
    while (answered.size() < expected.size()) {
        auto m = probe.receive(20s);
        ASSERT_TRUE(m) << "only " << answered.size() << " of " << expected.size()
                       << " MQTT answers";
        json frame = json::parse(m->payload, nullptr, false);
        if (m->topic.ends_with("/status")) {
            status[m->topic] = frame;
            continue;
        }
        if (frame.value("type", "") != "response") continue;  // telemetry events
        std::string id = frame["id"];
        ASSERT_TRUE(expected.count(id)) << m->payload;
        ASSERT_TRUE(answered.insert(id).second) << "answered twice: " << id;
        auto& [device, i, name] = expected[id];
        EXPECT_EQ(m->topic, "sb/" + device + "/out");
        EXPECT_EQ(frame["to"], "mqtt-ctl");
        check_answer(device, i, name, frame);
    }
    ASSERT_EQ(status.size(), 100u);
    for (auto& [topic, s] : status) {
        EXPECT_EQ(s["online"], true) << topic;
        EXPECT_EQ(s["role"], "device");
        EXPECT_EQ(s["meta"]["model"], "sim-1");
    }

    // A device counts an answer once it has sent it, so the last answers
    // can be seen here before their counts go up: wait for the counts.
    EXPECT_TRUE(fleet.wait_until(
        [](const fleet_stats& s) {
            return s.answered_ok.load() + s.answered_failed.load() >= 1200;
        },
        10s))
        << fleet.progress_line();
    const auto& st = fleet.stats();
    EXPECT_EQ(fleet_stats::get(st.commands), 1200u);
    EXPECT_EQ(fleet_stats::get(st.answered_ok), 800u);
    EXPECT_EQ(fleet_stats::get(st.answered_failed), 400u);
    EXPECT_EQ(fleet_stats::get(st.unsupported), 200u);
    EXPECT_EQ(fleet_stats::get(st.send_failures), 0u);
    EXPECT_GT(fleet_stats::get(st.events), 0u);

    // Reboot ten of each: each answers, drops, and registers again.
    for (int i = 0; i < 10; ++i) {
        ctl.send({{"type", "command"},
                  {"to", "ws-dev-" + std::to_string(i)},
                  {"id", "r-" + std::to_string(i)},
                  {"name", "reboot"}});
        probe.publish("sb/mq-dev-" + std::to_string(i) + "/in",
                      json({{"type", "command"},
                            {"from", "mqtt-ctl"},
                            {"id", "r-" + std::to_string(i)},
                            {"name", "reboot"}})
                          .dump());
    }
    for (int i = 0; i < 10; ++i) {
        auto r = ctl.receive_type("response", 10s);
        ASSERT_TRUE(r);
        EXPECT_EQ((*r)["result"]["rebooting"], true);
    }
    ASSERT_TRUE(fleet.wait_until(
        [](const fleet_stats& s) {
            return s.registrations.load() >= 220 && s.online.load() == 200;
        },
        20s))
        << fleet.progress_line();
    EXPECT_EQ(fleet_stats::get(fleet.stats().reboots), 20u);
    // The rebooted WebSocket devices answer again, and report a second boot.
    for (int i = 0; i < 10; ++i) {
        ctl.send({{"type", "command"},
                  {"to", "ws-dev-" + std::to_string(i)},
                  {"id", "after-" + std::to_string(i)},
                  {"name", "get_state"}});
        auto r = ctl.receive_type("response", 10s);
        ASSERT_TRUE(r);
        EXPECT_EQ((*r)["ok"], true) << r->dump();
        EXPECT_EQ((*r)["result"]["boots"], 2);
    }
    fleet.stop();
    EXPECT_EQ(fleet.stats().online.load(), 0);
}

TEST(Fleet, MqttDeviceStatusGoesOfflineOnReboot) {
    mosquitto_broker broker;
    mqtt_test_client probe(broker.url(), gateway_side("watcher", {"sb/lw-0/status"}));
    ASSERT_TRUE(probe.connect()) << broker.log();

    fleet_options fo;
    fo.plan.mqtt_url = broker.url();
    auto g = group("lw-", 1, transport_choice::mqtt);
    g.events_per_s = 0;
    g.reboot = 30s;  // stays away for the rest of the test
    fo.plan.groups = {g};
    fleet_runner fleet(fo);
    fleet.start();
    ASSERT_TRUE(fleet.wait_all_online(10s));
    auto online = probe.receive(5s);
    ASSERT_TRUE(online);
    EXPECT_EQ(json::parse(online->payload)["online"], true);

    // reboot closes gracefully: the status turns offline (published by the device).
    probe.publish("sb/lw-0/in",
                  std::string(R"({"type":"command","from":"t","id":"1","name":"reboot"})"));
    std::optional<mqtt_test_client::message> offline;
    while ((offline = probe.receive(5s)) &&
           json::parse(offline->payload, nullptr, false)["online"] != false) {
    }
    ASSERT_TRUE(offline);
    EXPECT_EQ(json::parse(offline->payload)["online"], false);
}

TEST(Fleet, SimulatedDevicesEchoTheTraceparentInFieldAndUserProperty) {
    running_gateway gw;
    mosquitto_broker broker;
    fleet_runner fleet(
        one_quiet_device(gw.port(), broker.url(), "mq-trace-", transport_choice::mqtt));
    // The test plays the gateway toward the MQTT device, as above.
    mqtt_test_client probe(broker.url(), gateway_side("test-bridge", {"sb/+/out"}));
    ASSERT_TRUE(probe.connect()) << broker.log();
    fleet.start();
    ASSERT_TRUE(fleet.wait_all_online(30s)) << fleet.progress_line();

    const std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-5a0f7c3e9b21d440-01";
    for (std::string name : {"echo", "fail"}) {
        json cmd = {{"type", "command"},
                    {"from", "mqtt-ctl"},
                    {"id", "t-" + name},
                    {"name", name},
                    {"traceparent", traceparent}};
        ASSERT_TRUE(probe.publish("sb/mq-trace-0/in", cmd.dump()));
        std::optional<mqtt_test_client::message> answer;
        for (int i = 0; i < 10 && !answer; ++i) {
            auto m = probe.receive(10s);
            ASSERT_TRUE(m) << "no answer to " << name;
            auto frame = json::parse(m->payload, nullptr, false);
            if (frame.value("type", "") == "response") answer = std::move(m);
        }
        ASSERT_TRUE(answer);
        auto frame = json::parse(answer->payload);
        EXPECT_EQ(frame["id"], "t-" + name);
        EXPECT_EQ(frame["traceparent"], traceparent);
        EXPECT_EQ(answer->user_properties,
                  (std::vector<mqtt_test_client::user_property>{{"traceparent", traceparent}}));
    }
    // An untraced command's answer carries neither.
    json plain = {{"type", "command"}, {"from", "mqtt-ctl"}, {"id", "t-plain"}, {"name", "echo"}};
    ASSERT_TRUE(probe.publish("sb/mq-trace-0/in", plain.dump()));
    auto m = probe.receive(10s);
    ASSERT_TRUE(m);
    EXPECT_FALSE(json::parse(m->payload).contains("traceparent"));
    EXPECT_TRUE(m->user_properties.empty());
    fleet.stop();
}
#endif

// The dedupe rule (docs/protocol.md): the same (from, id) again is answered
// as the first time and not run again, over either transport.
TEST(Fleet, AWebSocketDeviceAnswersACommandSentAgainWithoutRunningItTwice) {
    running_gateway gw;
    fleet_runner fleet(one_quiet_device(gw.port(), "", "ws-once-", transport_choice::ws));
    fleet.start();
    ASSERT_TRUE(fleet.wait_all_online(30s)) << fleet.progress_line();
    ws_test_client ctl(gw.port());
    ctl.register_as("ctl-1", "controller");
    auto set = [&](const std::string& id, const std::string& mode) {
        ctl.send({{"type", "command"},
                  {"to", "ws-once-0"},
                  {"id", id},
                  {"name", "set"},
                  {"args", {{"mode", mode}}}});
        auto r = ctl.receive_type("response", 20s);
        EXPECT_TRUE(r) << "no answer to " << id;
        return r ? (*r)["result"]["state"]["mode"] : json();
    };
    EXPECT_EQ(set("d-1", "first"), "first");
    // The first ended, so the gateway takes the ID again: the device sees a repeat.
    EXPECT_EQ(set("d-1", "second"), "first");
    EXPECT_EQ(fleet.stats().commands_repeated.load(), 1u);
    ctl.send({{"type", "command"}, {"to", "ws-once-0"}, {"id", "d-2"}, {"name", "get_state"}});
    auto state = ctl.receive_type("response", 20s);
    ASSERT_TRUE(state);
    EXPECT_EQ((*state)["result"]["settings"]["mode"], "first");
    fleet.stop();
}

#ifdef SWITCHBOARD_CLIENT_WITH_MQTT
TEST(Fleet, AnMqttDeviceAnswersACommandSentAgainWithoutRunningItTwice) {
    running_gateway gw;
    mosquitto_broker broker;
    fleet_runner fleet(
        one_quiet_device(gw.port(), broker.url(), "mq-once-", transport_choice::mqtt));
    mqtt_test_client probe(broker.url(), gateway_side("test-bridge", {"sb/+/out"}));
    ASSERT_TRUE(probe.connect()) << broker.log();
    fleet.start();
    ASSERT_TRUE(fleet.wait_all_online(30s)) << fleet.progress_line();
    auto set = [&](const std::string& id, const std::string& mode) -> json {
        json cmd = {{"type", "command"},
                    {"from", "mqtt-ctl"},
                    {"id", id},
                    {"name", "set"},
                    {"args", {{"mode", mode}}}};
        EXPECT_TRUE(probe.publish("sb/mq-once-0/in", cmd.dump()));
        for (int i = 0; i < 10; ++i) {
            auto m = probe.receive(10s);
            if (!m) break;
            auto frame = json::parse(m->payload, nullptr, false);
            if (frame.value("type", "") == "response" && frame.value("id", "") == id) {
                return frame["result"]["state"]["mode"];
            }
        }
        ADD_FAILURE() << "no answer to " << id;
        return json();
    };
    EXPECT_EQ(set("m-1", "first"), "first");
    EXPECT_EQ(set("m-1", "second"), "first");
    EXPECT_EQ(set("m-2", "third"), "third");
    EXPECT_EQ(fleet.stats().commands_repeated.load(), 1u);
    fleet.stop();
}
#endif

TEST(Fleet, ChurnAndDuplicateStormsSettleWithEveryDeviceBack) {
    running_gateway gw;
    fleet_options fo;
    fo.plan.gateway_url = "ws://127.0.0.1:" + std::to_string(gw.port()) + "/ws";
    fo.plan.reconnect_initial = 20ms;
    fo.plan.reconnect_max = 200ms;
    auto g = group("churn-", 60, transport_choice::ws);
    g.churn_per_min = 60;
    g.churn_offline = {delay_distribution::shape::uniform, 50, 150, 1000};
    fo.plan.groups = {g};
    fo.plan.storm = {200ms, 4, 100ms};
    fleet_runner fleet(fo);
    fleet.start();
    ASSERT_TRUE(fleet.wait_all_online(20s));
    ASSERT_TRUE(fleet.wait_until(
        [](const fleet_stats& s) {
            return s.churn_leaves.load() >= 20 && s.takeovers.load() >= 4 &&
                   s.storm_duplicates.load() >= 4;
        },
        30s))
        << fleet.summary();

    fleet.calm();
    ASSERT_TRUE(fleet.wait_all_online(10s)) << fleet.summary();
    // Every ID routes to a live device that answers (not to a storm's leftover).
    ws_test_client ctl(gw.port());
    ASSERT_EQ(ctl.register_as("ctl-churn", "controller")["type"], "registered");
    int answered = 0;
    for (int i = 0; i < 60; ++i) {
        ctl.send({{"type", "command"},
                  {"to", "churn-" + std::to_string(i)},
                  {"id", std::to_string(i)},
                  {"name", "echo"},
                  {"args", {{"i", i}}}});
    }
    for (int i = 0; i < 60; ++i) {
        auto r = ctl.receive(10s);
        ASSERT_TRUE(r);
        // A device may still churn out between calm() and the command (its leave was already
        // posted).
        if ((*r)["type"] == "response" && (*r)["ok"] == true) ++answered;
    }
    EXPECT_GE(answered, 55);
    fleet.stop();
    EXPECT_GT(fleet_stats::get(fleet.stats().reconnects), 0u);
}
