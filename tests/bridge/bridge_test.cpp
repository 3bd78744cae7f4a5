// The MQTT bridge end to end: a real mosquitto per test (shipped config and
// ACL), the gateway in process, WebSocket clients on one side and Paho or
// mosquitto_pub/mosquitto_sub clients on the other.

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <mutex>
#include <set>

#include "answering_devices.hpp"
#include "bridged_gateway.hpp"
#include "child_process.hpp"
#include "command_frame.hpp"
#include "core/id_rules.hpp"
#include "doc_tables.hpp"
#include "eventually.hpp"
#include "log_capture.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_test_client.hpp"
#include "paho_build.hpp"
#include "test_paths.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {

std::string topic(const std::string& id, const std::string& kind) {
    return "sb/" + id + "/" + kind;
}

// An MQTT client with the ACL's identity `id`: reads its inbox, publishes
// its retained status on connecting, Last Will "offline".
mqtt_client_options mqtt_client(const std::string& id, const std::string& role, int version = 5) {
    mqtt_client_options o = registering_client(id, role);
    o.version = version;
    o.status_payload = online_status(role, {{"model", "test"}});
    return o;
}

// answering_device, announcing the metadata every client here announces.
mqtt_client_options answering_mqtt_client(const std::string& id, int version = 5) {
    auto o = answering_device(id, version);
    o.status_payload = mqtt_client(id, "device", version).status_payload;
    return o;
}

// A WebSocket controller that follows `ids` before they come online, so it
// can wait for their presence instead of for a clock.
std::unique_ptr<ws_test_client> follower(unsigned short port, const std::string& id,
                                         const std::vector<std::string>& ids) {
    auto c = std::make_unique<ws_test_client>(port);
    c->register_as(id, "controller");
    c->send({{"type", "subscribe"}, {"ids", ids}});
    EXPECT_TRUE(c->receive_type("subscribed"));
    return c;
}

// Waits for `id`'s presence with the given `online`, skipping other frames.
bool wait_presence(ws_test_client& c, const std::string& id, bool online, const std::string& via) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto f = c.receive_type("presence", 10s);
        if (!f) return false;
        if ((*f)["id"] == id && (*f)["online"] == online && (*f)["via"] == via) return true;
    }
    return false;
}

}  // namespace

// Outside the anonymous namespace: the tests derive from it, and a unity build
// (tests/CMakeLists.txt) would warn that their base has internal linkage.
class MqttVersions : public ::testing::TestWithParam<mqtt_version> {
protected:
    int paho_version() const { return GetParam() == mqtt_version::v5 ? 5 : 4; }
};

namespace {

// A broker, a gateway bridged to it, the WebSocket controller dash-1
// following pump-12, and pump-12 on MQTT answering every command.
struct controller_and_mqtt_device {
    explicit controller_and_mqtt_device(mqtt_version version)
        : gw(broker, version),
          ctl(follower(gw.port(), "dash-1", {"pump-12"})),
          dev(broker.url(), answering_mqtt_client("pump-12", version == mqtt_version::v5 ? 5 : 4)) {
    }
    // Connects the device and waits until the controller sees it online.
    bool device_online() { return dev.connect() && wait_presence(*ctl, "pump-12", true, "mqtt"); }

    mosquitto_broker broker;
    bridged_gateway gw;
    std::unique_ptr<ws_test_client> ctl;
    mqtt_test_client dev;
};

}  // namespace

TEST_P(MqttVersions, WebSocketControllerCommandsPahoDevice) {
    controller_and_mqtt_device setup(GetParam());
    ASSERT_TRUE(setup.device_online()) << setup.broker.log();
    auto& ctl = setup.ctl;
    auto& dev = setup.dev;

    ctl->send({{"type", "list"}});
    auto list = ctl->receive_type("list");
    ASSERT_TRUE(list);
    bool listed = false;
    for (const auto& item : (*list)["items"]) {
        if (item["id"] == "pump-12") {
            listed = true;
            EXPECT_EQ(item["via"], "mqtt");
            EXPECT_EQ(item["role"], "device");
            EXPECT_EQ(item["meta"]["model"], "test");
        }
    }
    EXPECT_TRUE(listed) << list->dump();

    ctl->send(command("pump-12", "c-17",
                      {{"args", {{"rpm", 1200}}}, {"ack", true}, {"timeout_ms", 5000}}));
    auto ack = ctl->receive();
    ASSERT_TRUE(ack);
    EXPECT_EQ((*ack)["type"], "ack");
    EXPECT_EQ((*ack)["status"], "delivered");
    auto res = ctl->receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["from"], "pump-12");
    EXPECT_EQ((*res)["id"], "c-17");
    EXPECT_EQ((*res)["ok"], true);
    EXPECT_EQ((*res)["result"]["done"], "set_speed");

    // What the device saw on its inbox: the command, `from` stamped, and no
    // `registered` noise before it.
    auto seen = dev.receive();
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->topic, "sb/pump-12/in");
    auto cmd = json::parse(seen->payload);
    EXPECT_EQ(cmd["type"], "command");
    EXPECT_EQ(cmd["from"], "dash-1");
    EXPECT_EQ(cmd["args"]["rpm"], 1200);
}

TEST_P(MqttVersions, SameRulesAsWebSocket) {
    mosquitto_broker broker;
    bridged_gateway gw(broker, GetParam());
    auto ctl = follower(gw.port(), "dash-1", {"pump-1", "ops-1"});
    mqtt_test_client dev(broker.url(), mqtt_client("pump-1", "device", paho_version()));
    mqtt_test_client ops(broker.url(), mqtt_client("ops-1", "controller", paho_version()));
    ASSERT_TRUE(dev.connect());
    ASSERT_TRUE(ops.connect());
    ASSERT_TRUE(wait_presence(*ctl, "pump-1", true, "mqtt"));
    ASSERT_TRUE(wait_presence(*ctl, "ops-1", true, "mqtt"));

    // Timeout: the device never answers.
    ctl->send(command("pump-1", "c-1", {{"timeout_ms", 200}}));
    auto res = ctl->receive_type("response", 5s);
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["ok"], false);
    EXPECT_EQ((*res)["error"]["code"], "timeout");
    ASSERT_TRUE(dev.receive_type("command"));

    // Its late answer, and an answer to nothing: unknown_command, to its inbox.
    ASSERT_TRUE(
        dev.publish(topic("pump-1", "out"),
                    json{{"type", "response"}, {"to", "dash-1"}, {"id", "c-1"}, {"ok", true}}));
    auto late = dev.receive_type("error");
    ASSERT_TRUE(late);
    EXPECT_EQ((*late)["code"], "unknown_command");
    ASSERT_TRUE(
        dev.publish(topic("pump-1", "out"),
                    json{{"type", "response"}, {"to", "dash-1"}, {"id", "nope"}, {"ok", true}}));
    auto unknown = dev.receive_type("error");
    ASSERT_TRUE(unknown);
    EXPECT_EQ((*unknown)["code"], "unknown_command");

    // Nobody commands a controller; devices may not command.
    ctl->send(command("ops-1", "c-2"));
    auto forbidden = ctl->receive_type("error");
    ASSERT_TRUE(forbidden);
    EXPECT_EQ((*forbidden)["code"], "forbidden");
    ASSERT_TRUE(dev.publish(topic("pump-1", "out"), command("dash-1", "d-1")));
    auto denied = dev.receive_type("error");
    ASSERT_TRUE(denied);
    EXPECT_EQ((*denied)["code"], "forbidden");
    EXPECT_EQ((*denied)["id"], "d-1");

    // Offline target, from the MQTT side; and a malformed frame.
    ASSERT_TRUE(ops.publish(topic("ops-1", "out"), command("pump-99", "o-1")));
    auto offline = ops.receive_type("error");
    ASSERT_TRUE(offline);
    EXPECT_EQ((*offline)["code"], "offline");
    ASSERT_TRUE(
        ops.publish(topic("ops-1", "out"), std::string(R"({"type":"command","to":"pump-1"})")));
    auto bad = ops.receive_type("error");
    ASSERT_TRUE(bad);
    EXPECT_EQ((*bad)["code"], "bad_request");
    EXPECT_EQ((*bad)["field"], "id");

    // Going offline (clean status) is seen by followers; commands then fail at once.
    ASSERT_TRUE(
        dev.publish(topic("pump-1", "status"), std::string(R"({"online":false})"), 1, true));
    ASSERT_TRUE(wait_presence(*ctl, "pump-1", false, "mqtt"));
    ctl->send(command("pump-1", "c-3"));
    auto gone = ctl->receive_type("error");
    ASSERT_TRUE(gone);
    EXPECT_EQ((*gone)["code"], "offline");
}

TEST_P(MqttVersions, MessagesBothWaysWithTopicStampedFrom) {
    mosquitto_broker broker;
    bridged_gateway gw(broker, GetParam());
    auto ctl = follower(gw.port(), "dash-1", {"pump-3"});
    mqtt_test_client dev(broker.url(), mqtt_client("pump-3", "device", paho_version()));
    ASSERT_TRUE(dev.connect());
    ASSERT_TRUE(wait_presence(*ctl, "pump-3", true, "mqtt"));

    // The payload claims to be someone else: the topic's ID wins.
    ASSERT_TRUE(dev.publish(topic("pump-3", "out"), json{{"type", "message"},
                                                         {"to", "dash-1"},
                                                         {"from", "dash-9"},
                                                         {"payload", {{"hello", "ws"}}}}));
    auto msg = ctl->receive_type("message");
    ASSERT_TRUE(msg);
    EXPECT_EQ((*msg)["from"], "pump-3");
    EXPECT_EQ((*msg)["payload"]["hello"], "ws");

    ctl->send({{"type", "message"}, {"to", "pump-3"}, {"payload", {{"hello", "mqtt"}}}});
    auto back = dev.receive_type("message");
    ASSERT_TRUE(back);
    EXPECT_EQ((*back)["from"], "dash-1");
    EXPECT_EQ((*back)["payload"]["hello"], "mqtt");
}

TEST_P(MqttVersions, MqttControllerCommandsWebSocketDeviceAndFollowsIt) {
    mosquitto_broker broker;
    bridged_gateway gw(broker, GetParam());
    auto watcher = follower(gw.port(), "dash-0", {"ops-2"});
    mqtt_test_client ops(broker.url(), mqtt_client("ops-2", "controller", paho_version()));
    ASSERT_TRUE(ops.connect());
    ASSERT_TRUE(wait_presence(*watcher, "ops-2", true, "mqtt"));

    // Presence of a WebSocket device reaches the MQTT follower's inbox.
    ASSERT_TRUE(
        ops.publish(topic("ops-2", "out"), json{{"type", "subscribe"}, {"ids", {"valve-*"}}}));
    ASSERT_TRUE(ops.receive_type("subscribed"));
    ws_test_client dev(gw.port());
    dev.register_as("valve-4", "device");
    auto online = ops.receive_type("presence");
    ASSERT_TRUE(online);
    EXPECT_EQ((*online)["id"], "valve-4");
    EXPECT_EQ((*online)["online"], true);
    EXPECT_EQ((*online)["via"], "ws");

    // Command from MQTT to WebSocket, with ack; the device answers.
    dev.set_handler([](const json& f, ws_test_client& self) {
        if (f["type"] == "command") {
            self.send({{"type", "response"},
                       {"to", f["from"]},
                       {"id", f["id"]},
                       {"ok", true},
                       {"result", {{"open", true}}}});
        }
    });
    ASSERT_TRUE(ops.publish(topic("ops-2", "out"), command("valve-4", "m-1", {{"ack", true}})));
    auto ack = ops.receive_type("ack");
    ASSERT_TRUE(ack);
    EXPECT_EQ((*ack)["id"], "m-1");
    auto res = ops.receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["from"], "valve-4");
    EXPECT_EQ((*res)["result"]["open"], true);

    dev.close();
    auto offline = ops.receive_type("presence");
    ASSERT_TRUE(offline);
    EXPECT_EQ((*offline)["id"], "valve-4");
    EXPECT_EQ((*offline)["online"], false);
}

// `status` from an MQTT controller takes the same intake as over WebSocket:
// its command's state, answered on its inbox; another controller's is unknown.
TEST_P(MqttVersions, MqttControllerAsksTheStatusOfItsCommand) {
    mosquitto_broker broker;
    bridged_gateway gw(broker, GetParam());
    auto watcher = follower(gw.port(), "dash-9", {"ops-3"});
    mqtt_test_client ops(broker.url(), mqtt_client("ops-3", "controller", paho_version()));
    ASSERT_TRUE(ops.connect());
    ASSERT_TRUE(wait_presence(*watcher, "ops-3", true, "mqtt"));
    ws_test_client dev(gw.port());
    dev.register_as("valve-5", "device");

    auto ask = [&](const json& frame, const std::string& answer_type = "status") {
        EXPECT_TRUE(ops.publish(topic("ops-3", "out"), frame));
        auto f = ops.receive_type(answer_type);
        EXPECT_TRUE(f) << "no " << answer_type << " on the inbox for " << frame.dump();
        return f ? *f : json();
    };
    ASSERT_TRUE(ops.publish(topic("ops-3", "out"), command("valve-5", "m-1")));
    auto cmd = dev.receive_type("command");
    ASSERT_TRUE(cmd);
    EXPECT_EQ(ask({{"type", "status"}, {"id", "m-1"}}),
              json({{"type", "status"}, {"id", "m-1"}, {"state", "sent"}, {"to", "valve-5"}}));

    watcher->send({{"type", "status"}, {"id", "m-1"}});
    auto spied = watcher->receive_type("status");
    ASSERT_TRUE(spied);
    EXPECT_EQ(*spied, json({{"type", "status"}, {"id", "m-1"}, {"state", "unknown"}}));

    dev.send({{"type", "response"}, {"to", "ops-3"}, {"id", "m-1"}, {"ok", true}});
    ASSERT_TRUE(ops.receive_type("response"));
    EXPECT_EQ(ask({{"type", "status"}, {"id", "m-1"}}),
              json({{"type", "status"}, {"id", "m-1"}, {"state", "succeeded"}, {"to", "valve-5"}}));

    json missing = ask({{"type", "status"}}, "error");
    EXPECT_EQ(missing["code"], "bad_request");
    EXPECT_EQ(missing["field"], "id");
    EXPECT_EQ(missing["request_type"], "status");
}

// An MQTT controller that publishes a new status (its meta changed) is the
// same connection going on: its follows and its command in flight stay its own.
TEST_P(MqttVersions, MqttControllerWithANewStatusKeepsItsFollowsAndCommands) {
    mosquitto_broker broker;
    bridged_gateway gw(broker, GetParam());
    auto watcher = follower(gw.port(), "dash-8", {"ops-4"});
    mqtt_test_client ops(broker.url(), mqtt_client("ops-4", "controller", paho_version()));
    ASSERT_TRUE(ops.connect());
    ASSERT_TRUE(wait_presence(*watcher, "ops-4", true, "mqtt"));
    ASSERT_TRUE(
        ops.publish(topic("ops-4", "out"), json{{"type", "subscribe"}, {"ids", {"valve-*"}}}));
    ASSERT_TRUE(ops.receive_type("subscribed"));
    ws_test_client dev(gw.port());
    dev.register_as("valve-6", "device");
    ASSERT_TRUE(ops.receive_type("presence"));
    ASSERT_TRUE(ops.publish(topic("ops-4", "out"), command("valve-6", "m-1")));
    auto cmd = dev.receive_type("command");
    ASSERT_TRUE(cmd);

    ASSERT_TRUE(ops.publish(
        topic("ops-4", "status"),
        json{{"online", true}, {"role", "controller"}, {"meta", {{"v", 2}}}}.dump(), 1, true));
    std::optional<json> renewed;
    while ((renewed = watcher->receive_type("presence"))) {
        if ((*renewed)["id"] == "ops-4" && (*renewed)["online"] == true &&
            (*renewed)["meta"] == json{{"v", 2}})
            break;
    }
    ASSERT_TRUE(renewed) << "the new status never reached the gateway";

    dev.send({{"type", "response"}, {"to", "ops-4"}, {"id", "m-1"}, {"ok", true}});
    auto res = ops.receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["id"], "m-1");
    EXPECT_EQ((*res)["ok"], true);
    dev.close();
    auto offline = ops.receive_type("presence");
    ASSERT_TRUE(offline);
    EXPECT_EQ((*offline)["id"], "valve-6");
    EXPECT_EQ((*offline)["online"], false);
}

// A command with ttl_ms for an MQTT device that is offline waits in the
// gateway and reaches it, in order, when its online status arrives through
// the real broker; the answers come back to the WebSocket controller.
TEST_P(MqttVersions, QueuedCommandsReachAnMqttDeviceWhenItComesOnline) {
    mosquitto_broker broker;
    bridged_gateway gw(broker, GetParam());
    auto ctl = follower(gw.port(), "dash-1", {"pump-12"});
    for (int i = 0; i < 3; ++i) {
        ctl->send(command("pump-12", "q-" + std::to_string(i), {{"ttl_ms", 60000}}));
        auto ack = ctl->receive_type("ack");
        ASSERT_TRUE(ack);
        EXPECT_EQ(*ack,
                  json({{"type", "ack"}, {"id", "q-" + std::to_string(i)}, {"status", "queued"}}));
    }
    mqtt_test_client dev(broker.url(), answering_mqtt_client("pump-12", paho_version()));
    ASSERT_TRUE(dev.connect()) << broker.log();
    for (int i = 0; i < 3; ++i) {
        auto answer = ctl->receive_type("response", 10s);
        ASSERT_TRUE(answer) << broker.log();
        EXPECT_EQ((*answer)["id"], "q-" + std::to_string(i));
        EXPECT_EQ((*answer)["ok"], true);
        EXPECT_EQ((*answer)["from"], "pump-12");
    }
    ctl->send({{"type", "status"}, {"id", "q-2"}});
    auto state = ctl->receive_type("status");
    ASSERT_TRUE(state);
    EXPECT_EQ((*state)["state"], "succeeded");
}

// A burst larger than Paho's own default queue (100 commands): every one
// must reach the device and be answered, none left waiting in the bridge.
TEST_P(MqttVersions, BurstOfFiveHundredCommandsIsAnsweredInFull) {
    controller_and_mqtt_device setup(GetParam());
    ASSERT_TRUE(setup.device_online()) << setup.broker.log();
    auto& [broker, gw, ctl, dev] = setup;

    constexpr int burst = 500;
    for (int i = 0; i < burst; ++i) {
        ctl->send(command("pump-12", "b-" + std::to_string(i), {{"timeout_ms", 30000}}));
    }
    std::set<std::string> answered;
    while (answered.size() < burst) {
        auto r = ctl->receive_type("response", 30s);
        ASSERT_TRUE(r) << answered.size() << " of " << burst
                       << " answered; bridge: " << gw.bridge().health_json();
        ASSERT_EQ((*r)["ok"], true)
            << r->dump() << "; answers the device could not queue: " << dev.answers_refused();
        answered.insert((*r)["id"].get<std::string>());
    }
    // The broker's PUBACKs may trail the answers a little.
    EXPECT_TRUE(eventually([&] { return json::parse(gw.bridge().health_json())["unacked"] == 0; }));
    // mosquitto drops what overflows a client's queue (max_queued_messages);
    // config/mosquitto.conf sizes it for bursts like this one.
    EXPECT_EQ(broker.log().find("dropped"), std::string::npos) << broker.log();
}

// A burst far past the broker's receive maximum (mosquitto's
// max_inflight_messages, 20, in its MQTT 5 CONNACK) reaches the device, and
// every command is answered in order within its own timeout: none ends as
// `timeout` with its answer after it. The broker is frozen while the burst
// is accepted, so that it all waits behind the window whatever the
// machine's speed. Paho C 1.3.12 kept what the window refused in its own
// queue and, the burst over, sent it only at each one-second wake of its
// send thread (a PUBACK does not wake it): 20 a second, so most of this
// burst timed out, before the bridge kept the window itself
// (publish_window). The device is switchboard-sim's (libmosquitto) in its
// own process: another Paho client in this one would wake that thread,
// which Paho shares between the clients of a process, and hide the fault.
TEST(MqttBridge, BurstPastTheBrokersReceiveMaximumIsAnsweredInOrderWithinItsTimeout) {
    mosquitto_broker broker;
    bridged_gateway gw(broker, mqtt_version::v5);
    auto ctl = follower(gw.port(), "dash-1", {"pump-0"});
    child_process dev({test_paths::simulator(), "fleet", "--url",
                       "ws://127.0.0.1:" + std::to_string(gw.port()) + "/ws", "--mqtt-url",
                       broker.url(), "--transport", "mqtt", "--devices", "1", "--id-prefix",
                       "pump-", "--quiet"});
    ASSERT_TRUE(wait_presence(*ctl, "pump-0", true, "mqtt")) << dev.output() << broker.log();
    ASSERT_EQ(json::parse(gw.bridge().health_json())["send_window"], 19)
        << "mosquitto's receive maximum, less one";

    constexpr int burst = 500;
    broker.freeze();
    for (int i = 0; i < burst; ++i) {
        // Generous for a loaded machine: held back, the burst took 25 s.
        ctl->send(command("pump-0", "w-" + std::to_string(i),
                          {{"name", "echo"}, {"timeout_ms", 15000}, {"ack", true}}));
    }
    // Every command accepted (handed to the bridge) before the broker resumes.
    for (int acked = 0; acked < burst; ++acked) {
        auto a = ctl->receive_type("ack", 30s);
        if (!a) broker.thaw();
        ASSERT_TRUE(a) << acked << " of " << burst << " acknowledged";
        ASSERT_EQ((*a)["status"], "delivered") << a->dump();
    }
    broker.thaw();

    // One connection each way, and the device answers each command as it
    // comes: the answers' order is the order the device got the commands in.
    int in_time = 0;
    for (int next = 0; next < burst; ++next) {
        auto r = ctl->receive_type("response", 30s);
        ASSERT_TRUE(r) << next << " of " << burst
                       << " ended; bridge: " << gw.bridge().health_json();
        if ((*r)["ok"] != true) {
            ADD_FAILURE() << "not answered within its timeout: " << r->dump();
            continue;
        }
        ++in_time;
        EXPECT_EQ((*r)["id"], "w-" + std::to_string(next)) << r->dump();
    }
    EXPECT_EQ(in_time, burst);
    EXPECT_TRUE(eventually([&] { return json::parse(gw.bridge().health_json())["unacked"] == 0; }));
    EXPECT_GT(json::parse(gw.bridge().health_json())["window_waits"].get<int>(), 0);
    // No command ended as `timeout`, and no answer came after its command.
    EXPECT_EQ(gw.get().stats().command_timeouts.load(), 0u);
    EXPECT_EQ(gw.get().stats().late_responses.load(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Bridge, MqttVersions,
                         ::testing::Values(mqtt_version::v3_1_1, mqtt_version::v5),
                         [](const auto& info) {
                             return info.param == mqtt_version::v5 ? "v5" : "v311";
                         });

TEST(MqttBridge, MosquittoClientsActAsDevice) {
    mosquitto_broker broker;
    bridged_gateway gw(broker);
    auto ctl = follower(gw.port(), "dash-1", {"pump-7"});
    const std::string port = std::to_string(broker.port());

    // The device: a retained status, then a subscriber on its inbox that
    // exits after one frame (one client ID holds one connection at a time).
    auto status = run_program({mosquitto_program("mosquitto_pub"), "-h", "127.0.0.1", "-p", port,
                               "-i", "pump-7", "-q", "1", "-r", "-t", "sb/pump-7/status", "-m",
                               R"({"online":true,"role":"device","meta":{"fw":"1.0"}})"});
    ASSERT_EQ(status.status, 0) << status.output;
    ASSERT_TRUE(wait_presence(*ctl, "pump-7", true, "mqtt"));
    child_process sub({"/usr/bin/stdbuf", "-oL", mosquitto_program("mosquitto_sub"), "-h",
                       "127.0.0.1", "-p", port, "-i", "pump-7", "-q", "1", "-t", "sb/pump-7/in",
                       "-C", "1", "-d"});
    ASSERT_TRUE(sub.wait_for_line("received SUBACK", 5s)) << sub.output();

    ctl->send(command("pump-7", "c-9", {{"args", {{"on", true}}}}));
    auto line = sub.wait_for_line(R"("type":"command")", 5s);
    ASSERT_TRUE(line) << sub.output();
    auto cmd = json::parse(line->substr(line->find('{')));
    EXPECT_EQ(cmd["from"], "dash-1");
    EXPECT_EQ(cmd["id"], "c-9");
    ASSERT_EQ(sub.wait_exit(5s), 0);

    json answer{{"type", "response"},
                {"to", cmd["from"]},
                {"id", cmd["id"]},
                {"ok", true},
                {"result", {{"on", true}}}};
    auto pub = run_program({mosquitto_program("mosquitto_pub"), "-h", "127.0.0.1", "-p", port, "-i",
                            "pump-7", "-q", "1", "-t", "sb/pump-7/out", "-m", answer.dump()});
    ASSERT_EQ(pub.status, 0) << pub.output;
    auto res = ctl->receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["from"], "pump-7");
    EXPECT_EQ((*res)["id"], "c-9");
    EXPECT_EQ((*res)["result"]["on"], true);
}

TEST(MqttBridge, LastWillOfKilledClientMarksItOffline) {
    mosquitto_broker broker;
    bridged_gateway gw(broker);
    auto ctl = follower(gw.port(), "dash-1", {"sensor-5"});
    const std::string port = std::to_string(broker.port());

    auto status = run_program({mosquitto_program("mosquitto_pub"), "-h", "127.0.0.1", "-p", port,
                               "-i", "sensor-5", "-q", "1", "-r", "-t", "sb/sensor-5/status", "-m",
                               R"({"online":true,"role":"device"})"});
    ASSERT_EQ(status.status, 0) << status.output;
    child_process sub({"/usr/bin/stdbuf",
                       "-oL",
                       mosquitto_program("mosquitto_sub"),
                       "-h",
                       "127.0.0.1",
                       "-p",
                       port,
                       "-i",
                       "sensor-5",
                       "-q",
                       "1",
                       "-t",
                       "sb/sensor-5/in",
                       "-d",
                       "--will-topic",
                       "sb/sensor-5/status",
                       "--will-payload",
                       R"({"online":false})",
                       "--will-retain",
                       "--will-qos",
                       "1"});
    ASSERT_TRUE(sub.wait_for_line("received SUBACK", 5s)) << sub.output();
    ASSERT_TRUE(wait_presence(*ctl, "sensor-5", true, "mqtt"));
    // Commands it received and will never answer (30 s timeouts).
    for (int i = 0; i < 10; ++i) {
        ctl->send(command("sensor-5", "w-" + std::to_string(i), {{"timeout_ms", 30000}}));
    }
    ASSERT_TRUE(sub.wait_for_line("\"w-9\"", 5s)) << sub.output();

    sub.signal(SIGKILL);
    ASSERT_TRUE(sub.wait_exit(5s));
    // Its Last Will ends each command at once, then it is offline.
    std::set<std::string> ended;
    for (;;) {
        auto f = ctl->receive(10s);
        ASSERT_TRUE(f) << broker.log();
        if ((*f)["type"] == "presence") {
            EXPECT_EQ((*f)["online"], false);
            EXPECT_EQ((*f)["reason"], "lwt") << f->dump();
            break;
        }
        EXPECT_EQ((*f)["type"], "response") << f->dump();
        EXPECT_EQ((*f)["error"]["code"], "device_disconnected") << f->dump();
        EXPECT_TRUE(ended.insert((*f)["id"].get<std::string>()).second) << f->dump();
    }
    EXPECT_EQ(ended.size(), 10u);
    ctl->send(command("sensor-5", "c-1"));
    auto e = ctl->receive_type("error");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["code"], "offline");
}

TEST(MqttBridge, AclStopsWritingAsAnotherClient) {
    mosquitto_broker broker;
    bridged_gateway gw(broker);
    auto ctl = follower(gw.port(), "dash-1", {"pump-12", "evil", "ops-1"});
    mqtt_test_client dev(broker.url(), mqtt_client("pump-12", "device"));
    auto evil_options = mqtt_client("evil", "device");
    evil_options.subscriptions.push_back(topic("pump-12", "in"));  // not its own: ACL says no
    mqtt_test_client evil(broker.url(), evil_options);
    ASSERT_TRUE(dev.connect());
    ASSERT_TRUE(evil.connect());
    ASSERT_TRUE(wait_presence(*ctl, "pump-12", true, "mqtt"));
    ASSERT_TRUE(wait_presence(*ctl, "evil", true, "mqtt"));

    ctl->send(command("pump-12", "c-1", {{"timeout_ms", 10000}}));
    ASSERT_TRUE(dev.receive_type("command"));

    // Answering in pump-12's name, or claiming to be a controller in its
    // status: the broker refuses both (MQTT 5 PUBACK "not authorized").
    EXPECT_FALSE(
        evil.publish(topic("pump-12", "out"),
                     json{{"type", "response"}, {"to", "dash-1"}, {"id", "c-1"}, {"ok", false}}));
    EXPECT_FALSE(evil.publish(topic("ops-1", "status"), online_status("controller"), 1, true));
    // Nor could it read pump-12's inbox: it never saw the command (checked at the end).

    // A marker through evil's own outbox: had the forgery passed, it would
    // have arrived first.
    ASSERT_TRUE(evil.publish(topic("evil", "out"),
                             json{{"type", "message"}, {"to", "dash-1"}, {"payload", "marker"}}));
    auto next = ctl->receive(5s);
    ASSERT_TRUE(next);
    EXPECT_EQ((*next)["type"], "message") << next->dump();
    EXPECT_EQ((*next)["from"], "evil");

    // The real device still answers its command, once.
    ASSERT_TRUE(
        dev.publish(topic("pump-12", "out"),
                    json{{"type", "response"}, {"to", "dash-1"}, {"id", "c-1"}, {"ok", true}}));
    auto res = ctl->receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["from"], "pump-12");
    EXPECT_EQ((*res)["ok"], true);
    EXPECT_TRUE(evil.quiet_for(100ms));
}

TEST(MqttBridge, TopicBreakingIdsAreRefused) {
    mosquitto_broker broker;
    bridged_gateway gw(broker);
    auto ctl = follower(gw.port(), "dash-1", {"*"});
    const std::string port = std::to_string(broker.port());
    const std::string long_id(max_id_bytes + 1, 'a');
    for (const std::string& id : {std::string("bad id"), long_id}) {
        auto r = run_program({mosquitto_program("mosquitto_pub"), "-h", "127.0.0.1", "-p", port,
                              "-i", id, "-q", "1", "-r", "-t", "sb/" + id + "/status", "-m",
                              R"({"online":true,"role":"device"})"});
        ASSERT_EQ(r.status, 0) << r.output;
    }
    // A good client after them: its presence is the first the follower hears.
    mqtt_test_client good(broker.url(), mqtt_client("good-1", "device"));
    ASSERT_TRUE(good.connect());
    auto p = ctl->receive_type("presence");
    ASSERT_TRUE(p);
    EXPECT_EQ((*p)["id"], "good-1");
    ctl->send({{"type", "list"}});
    auto list = ctl->receive_type("list");
    ASSERT_TRUE(list);
    ASSERT_EQ((*list)["items"].size(), 2u) << list->dump();  // dash-1 and good-1
    auto health = json::parse(gw.bridge().health_json());
    EXPECT_GE(health["refused_topics"].get<int>(), 2);
}

TEST(MqttBridge, WebSocketDeviceEventsArePublishedForBackends) {
    mosquitto_broker broker;
    bridged_gateway gw(broker);
    mqtt_client_options backend;
    backend.client_id = "backend-1";
    backend.subscriptions = {"sb/+/events"};
    mqtt_test_client sink(broker.url(), backend);
    ASSERT_TRUE(sink.connect());
    // Events are mirrored only while the bridge is connected: wait until an
    // MQTT client's presence has come through it.
    auto ctl = follower(gw.port(), "dash-1", {"probe-1"});
    mqtt_test_client probe(broker.url(), mqtt_client("probe-1", "device"));
    ASSERT_TRUE(probe.connect());
    ASSERT_TRUE(wait_presence(*ctl, "probe-1", true, "mqtt"));

    ws_test_client dev(gw.port());
    dev.register_as("meter-2", "device");
    dev.send({{"type", "event"}, {"name", "reading"}, {"data", {{"kwh", 12.5}}}});
    auto m = sink.receive(5s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->topic, "sb/meter-2/events");
    auto payload = json::parse(m->payload);
    EXPECT_EQ(payload["name"], "reading");
    EXPECT_EQ(payload["data"]["kwh"], 12.5);
}

TEST(MqttBridge, HealthReportsTheBridge) {
    mosquitto_broker broker;
    bridged_gateway gw(broker);
    auto ctl = follower(gw.port(), "dash-1", {"pump-1"});
    mqtt_test_client dev(broker.url(), mqtt_client("pump-1", "device"));
    ASSERT_TRUE(dev.connect());
    ASSERT_TRUE(wait_presence(*ctl, "pump-1", true, "mqtt"));
    auto health = json::parse(gw.bridge().health_json());
    EXPECT_EQ(health["state"], "connected");
    EXPECT_EQ(health["reconnects"], 0);
    EXPECT_EQ(health["clients"], 1);
    EXPECT_EQ(health["version"], "5");
    // mosquitto's receive maximum (max_inflight_messages, 20), one slot kept free.
    EXPECT_EQ(health["send_window"], 19);
    // The Paho C build this process loaded (bridge/paho_build, tested on its own).
    EXPECT_EQ(health["paho_version"], loaded_paho_build().version);
    EXPECT_EQ(health["paho_tracking"], loaded_paho_build().tracks_calls);
    // Every field is in docs/mqtt.md's example of it.
    const std::string doc = read_doc("docs/mqtt.md");
    const std::size_t example = doc.find("\"mqtt\": {\"state\"");
    ASSERT_NE(example, std::string::npos);
    const std::string block = doc.substr(example, doc.find("```", example) - example);
    for (const auto& [key, value] : health.items()) {
        EXPECT_NE(block.find("\"" + key + "\":"), std::string::npos)
            << key << " is not in docs/mqtt.md's /stats example";
    }
}

// A PUBACK no longer wakes the bridge's strand by itself (it waits for the
// next wake-up, usually the device's answer): one with nothing after it is
// still taken, so the frame counts as published and its slot is freed.
TEST(MqttBridge, APubackWithNothingAfterItIsStillTaken) {
    controller_and_mqtt_device setup(mqtt_version::v5);
    ASSERT_TRUE(setup.device_online()) << setup.broker.log();
    auto& [broker, gw, ctl, dev] = setup;
    auto health = [&] { return json::parse(gw.bridge().health_json()); };
    // The bridge's own retained statuses are settled first.
    ASSERT_TRUE(eventually([&] { return health()["unacked"] == 0; })) << health();
    for (int i = 1; i <= 3; ++i) {
        const auto published = health()["published"].get<int>();
        const std::string frame =
            R"({"type":"message","from":"dash-1","n":)" + std::to_string(i) + "}";
        ASSERT_TRUE(
            gw.bridge().publish_inbox("pump-12", std::make_shared<const std::string>(frame)));
        auto got = dev.receive();
        ASSERT_TRUE(got) << "frame " << i << " not delivered";
        EXPECT_EQ(got->payload, frame);
        EXPECT_TRUE(eventually([&] {
            auto h = health();
            return h["published"] == published + 1 && h["unacked"] == 0;
        })) << health();
    }
}

TEST(MqttBridge, ConnectionOpenAndCloseAreLoggedForMqttClients) {
    log_capture log;
    mosquitto_broker broker;
    bridged_gateway gw(broker);
    spdlog::set_level(spdlog::level::info);  // bridged_gateway quiets the log to warn
    auto ctl = follower(gw.port(), "dash-1", {"pump-log"});
    mqtt_test_client dev(broker.url(), mqtt_client("pump-log", "device"));
    ASSERT_TRUE(dev.connect());
    ASSERT_TRUE(wait_presence(*ctl, "pump-log", true, "mqtt"));
    const std::string facts = "id=pump-log role=device transport=mqtt remote=broker session=mqtt-";
    EXPECT_TRUE(eventually([&] {
        return log.text().find("connection open: " + facts) != std::string::npos;
    })) << log.text();

    ASSERT_TRUE(
        dev.publish(topic("pump-log", "status"), std::string(R"({"online":false})"), 1, true));
    ASSERT_TRUE(wait_presence(*ctl, "pump-log", false, "mqtt"));
    EXPECT_TRUE(eventually([&] {
        auto text = log.text();
        auto closed = text.find("connection closed: " + facts);
        return closed != std::string::npos &&
               text.find(R"(reason="offline status")", closed) != std::string::npos;
    })) << log.text();
    // The status payload a client wrote never reaches the log.
    EXPECT_EQ(log.text().find(R"("model")"), std::string::npos) << log.text();
}

// --- tracing (docs/mqtt.md, "Tracing") ---

namespace {

const std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";

std::optional<std::string> user_property(const mqtt_test_client::message& m,
                                         const std::string& name) {
    for (const auto& [key, value] : m.user_properties) {
        if (key == name) return value;
    }
    return std::nullopt;
}

// The next message on the device's inbox that is a command.
std::optional<mqtt_test_client::message> next_command(mqtt_test_client& dev) {
    for (int i = 0; i < 20; ++i) {
        auto m = dev.receive();
        if (!m) return std::nullopt;
        auto frame = json::parse(m->payload, nullptr, false);
        if (frame.is_object() && frame.value("type", "") == "command") return m;
    }
    return std::nullopt;
}

}  // namespace

TEST(MqttBridge, TraceparentRoundTripOverMqtt5UserPropertyAndField) {
    mosquitto_broker broker;
    bridged_gateway gw(broker, mqtt_version::v5);
    auto ctl = follower(gw.port(), "dash-1", {"pump-12"});
    mqtt_test_client dev(broker.url(), mqtt_client("pump-12", "device", 5));
    ASSERT_TRUE(dev.connect() && wait_presence(*ctl, "pump-12", true, "mqtt")) << broker.log();
    const std::string out = topic("pump-12", "out");
    auto response = [](const std::string& id) {
        return json{{"type", "response"}, {"to", "dash-1"}, {"id", id}, {"ok", true}};
    };

    // To the device: the field and the user property, the same value, the
    // controller's trace under the gateway's span.
    ctl->send(command("pump-12", "c-1", {{"traceparent", traceparent}}));
    auto seen = next_command(dev);
    ASSERT_TRUE(seen);
    auto frame = json::parse(seen->payload);
    std::string sent = frame["traceparent"];
    EXPECT_EQ(sent.substr(0, 36), "00-" + trace_id + "-");
    EXPECT_NE(sent, traceparent);
    EXPECT_EQ(user_property(*seen, "traceparent"), sent);

    // Back by the user property alone: the device's own span comes through.
    const std::string device_span = "00-" + trace_id + "-bbbbbbbbbbbbbbbb-01";
    ASSERT_TRUE(dev.publish_with_properties(out, response("c-1"), {{"traceparent", device_span}}));
    auto res = ctl->receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["id"], "c-1");
    EXPECT_EQ((*res)["traceparent"], device_span);

    // Back by the field alone.
    ctl->send(command("pump-12", "c-2", {{"traceparent", traceparent}}));
    ASSERT_TRUE(next_command(dev));
    json with_field = response("c-2");
    with_field["traceparent"] = device_span;
    ASSERT_TRUE(dev.publish(out, with_field));
    res = ctl->receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["traceparent"], device_span);

    // Neither: the gateway adds the one it sent the device.
    ctl->send(command("pump-12", "c-3", {{"traceparent", traceparent}}));
    seen = next_command(dev);
    ASSERT_TRUE(seen);
    ASSERT_TRUE(dev.publish(out, response("c-3")));
    res = ctl->receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["traceparent"], json::parse(seen->payload)["traceparent"]);

    // A malformed property is refused on the device's inbox, naming it; the
    // command still waits for a good answer.
    ctl->send(command("pump-12", "c-4", {{"traceparent", traceparent}}));
    ASSERT_TRUE(next_command(dev));
    ASSERT_TRUE(dev.publish_with_properties(out, response("c-4"), {{"traceparent", "nope"}}));
    auto error = dev.receive_type("error");
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["code"], "bad_request");
    EXPECT_EQ((*error)["field"], "traceparent");
    EXPECT_EQ((*error)["id"], "c-4");
    ASSERT_TRUE(dev.publish(out, response("c-4")));
    res = ctl->receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["id"], "c-4");

    // An untraced command carries no property.
    ctl->send(command("pump-12", "c-5"));
    seen = next_command(dev);
    ASSERT_TRUE(seen);
    EXPECT_FALSE(user_property(*seen, "traceparent"));
    EXPECT_FALSE(json::parse(seen->payload).contains("traceparent"));
}

TEST(MqttBridge, Mqtt311DevicesGetTheTraceparentInThePayload) {
    mosquitto_broker broker;
    bridged_gateway gw(broker, mqtt_version::v3_1_1);
    auto ctl = follower(gw.port(), "dash-1", {"pump-12"});
    mqtt_test_client dev(broker.url(), mqtt_client("pump-12", "device", 4));
    ASSERT_TRUE(dev.connect() && wait_presence(*ctl, "pump-12", true, "mqtt")) << broker.log();
    ctl->send(command("pump-12", "c-1", {{"traceparent", traceparent}}));
    auto seen = next_command(dev);
    ASSERT_TRUE(seen);
    EXPECT_TRUE(seen->user_properties.empty());
    std::string sent = json::parse(seen->payload)["traceparent"];
    EXPECT_EQ(sent.substr(0, 36), "00-" + trace_id + "-");
    ASSERT_TRUE(dev.publish(topic("pump-12", "out"), json{{"type", "response"},
                                                          {"to", "dash-1"},
                                                          {"id", "c-1"},
                                                          {"ok", true},
                                                          {"traceparent", sent}}));
    auto res = ctl->receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["traceparent"], sent);
}
