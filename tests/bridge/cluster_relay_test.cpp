// Scale-out's cluster relay (docs/scaling.md, "The cluster relay"): an MQTT
// controller's command lands on whichever node the shared subscription
// picks, its device's answer on any node; the node that does not hold the
// command relays the answer on `sb/$relay`, read by every node, and the one
// that holds it settles it. Every node replies to the relaying node on
// `sb/$relay/{node}`; when none held it, the relaying node answers the
// device `unknown_command`. Two or three nodes in this process, a real
// mosquitto with the shipped config and ACL, Paho MQTT and WebSocket clients.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>

#include "bridged_gateway.hpp"
#include "eventually.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_test_client.hpp"
#include "test_paths.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

mqtt_client_options client_of(const std::string& id, const std::string& role, int version) {
    mqtt_client_options o = registering_client(id, role);
    o.version = version;
    if (role == "device") o.answer_topic = "sb/" + id + "/out";
    return o;
}

json command_to(const std::string& device, const std::string& id) {
    return {{"type", "command"}, {"to", device},           {"id", id},
            {"name", "go"},      {"args", json::object()}, {"timeout_ms", 20000}};
}

// Two nodes speaking `version` to mosquitto, an MQTT controller and four
// MQTT devices of the same version: `n` commands, each answered exactly
// once, ok; no unknown_command, no timeout.
void every_mqtt_command_answered_once(mqtt_version version, int n) {
    const int v = version == mqtt_version::v5 ? 5 : 4;
    mosquitto_broker broker;
    auto a = cluster_node(broker, "gw-a", version);
    auto b = cluster_node(broker, "gw-b", version);
    // Each node has heard the other's word that it is up.
    ASSERT_TRUE(eventually([&] { return health(*a, "peers_up") == 1; }, 20s)) << broker.log();
    ASSERT_TRUE(eventually([&] { return health(*b, "peers_up") == 1; }, 20s)) << broker.log();
    std::vector<std::string> devices;
    std::vector<std::unique_ptr<mqtt_test_client>> fleet;
    for (int i = 0; i < 4; ++i) {
        devices.push_back("pump-" + std::to_string(i));
        fleet.push_back(std::make_unique<mqtt_test_client>(broker.url(),
                                                           client_of(devices.back(), "device", v)));
        ASSERT_TRUE(fleet.back()->connect()) << broker.log();
    }
    mqtt_test_client ops(broker.url(), client_of("ops", "controller", v));
    ASSERT_TRUE(ops.connect()) << broker.log();
    for (const auto& id : devices) ASSERT_TRUE(knows(*a, id) && knows(*b, id)) << id;
    ASSERT_TRUE(knows(*a, "ops") && knows(*b, "ops"));

    for (int i = 0; i < n; ++i) {
        ASSERT_TRUE(ops.publish("sb/ops/out",
                                command_to(devices[static_cast<std::size_t>(i) % devices.size()],
                                           "c-" + std::to_string(i))))
            << i;
    }
    std::set<std::string> answered;
    while (answered.size() < static_cast<std::size_t>(n)) {
        auto m = ops.receive(30s);
        ASSERT_TRUE(m) << answered.size() << " of " << n << " answered\n" << broker.log();
        auto f = json::parse(m->payload);
        ASSERT_EQ(f["type"], "response") << f.dump();
        ASSERT_EQ(f["ok"], true) << f.dump();
        ASSERT_TRUE(answered.insert(f["id"].get<std::string>()).second)
            << "answered twice: " << f.dump();
    }
    EXPECT_TRUE(ops.quiet_for(300ms)) << "a command had a second outcome";
    // Each device heard its commands and nothing else (no unknown_command).
    int commands_heard = 0;
    for (auto& device : fleet) {
        while (auto m = device->receive(200ms)) {
            auto f = json::parse(m->payload);
            ASSERT_EQ(f["type"], "command") << f.dump();
            ++commands_heard;
        }
    }
    EXPECT_EQ(commands_heard, n);
    EXPECT_EQ(a->get().routing().ledger().size(), 0u);
    EXPECT_EQ(b->get().routing().ledger().size(), 0u);
    // Some answers crossed (the shared subscription alternates), each
    // settled once, by the node that held it.
    const std::int64_t published = health(*a, "relays_published") + health(*b, "relays_published");
    const std::int64_t settled = health(*a, "relays_settled") + health(*b, "relays_settled");
    EXPECT_GT(published, 0);
    EXPECT_EQ(settled, published);
    EXPECT_EQ(health(*a, "relays_late") + health(*b, "relays_late"), 0);
    EXPECT_EQ(health(*a, "relays_invalid") + health(*b, "relays_invalid"), 0);
    EXPECT_EQ(a->get().stats().unknown_responses.load() + b->get().stats().unknown_responses.load(),
              0u);
    // Every relay ended at the node that published it with the holder's
    // word (the replies follow the settling), none as held nowhere.
    auto sum = [&](const char* key) { return health(*a, key) + health(*b, key); };
    EXPECT_TRUE(eventually([&] { return sum("relays_held_elsewhere") == published; }, 20s))
        << sum("relays_held_elsewhere") << " of " << published;
    EXPECT_EQ(sum("relays_answered_unknown"), 0);
    EXPECT_EQ(sum("relays_held_too_late"), 0);
    EXPECT_EQ(sum("relays_waiting"), 0);
}

// `count` nodes speaking `version`; an MQTT controller's four commands,
// answered once each by an MQTT device (some answers cross nodes); then the
// device answers each of them again, and six IDs never sent. No node holds
// any of those ten: each gets exactly one `unknown_command`, with one node's
// words, from the node that took it, once every other node said it does
// not hold it. The controller hears nothing more.
void answers_held_nowhere_get_one_unknown_command(mqtt_version version, int count) {
    const int v = version == mqtt_version::v5 ? 5 : 4;
    mosquitto_broker broker;
    std::vector<std::unique_ptr<bridged_gateway>> nodes;
    for (int i = 0; i < count; ++i)
        nodes.push_back(cluster_node(broker, "gw-" + std::to_string(i), version));
    for (auto& gw : nodes) {
        ASSERT_TRUE(eventually([&] { return health(*gw, "peers_up") == count - 1; }, 20s))
            << broker.log();
    }
    mqtt_test_client pump(broker.url(), client_of("pump", "device", v));
    ASSERT_TRUE(pump.connect()) << broker.log();
    mqtt_test_client ops(broker.url(), client_of("ops", "controller", v));
    ASSERT_TRUE(ops.connect()) << broker.log();
    for (auto& gw : nodes) ASSERT_TRUE(knows(*gw, "pump") && knows(*gw, "ops"));

    std::vector<std::string> ids;
    for (int i = 0; i < 4; ++i) {
        ids.push_back("c-" + std::to_string(i));
        ASSERT_TRUE(ops.publish("sb/ops/out", command_to("pump", ids.back())));
    }
    std::set<std::string> answered;
    while (answered.size() < 4) {
        auto m = ops.receive(30s);
        ASSERT_TRUE(m) << answered.size() << " of 4 answered\n" << broker.log();
        auto f = json::parse(m->payload);
        ASSERT_EQ(f["type"], "response") << f.dump();
        ASSERT_TRUE(answered.insert(f["id"].get<std::string>()).second) << f.dump();
    }
    for (int i = 0; i < 6; ++i) ids.push_back("never-" + std::to_string(i));
    for (const auto& id : ids) {
        ASSERT_TRUE(pump.publish("sb/pump/out", json{{"type", "response"},
                                                     {"to", "ops"},
                                                     {"id", id},
                                                     {"ok", true},
                                                     {"result", json::object()}}));
    }
    std::set<std::string> unknown;
    while (unknown.size() < ids.size()) {
        auto m = pump.receive(30s);
        ASSERT_TRUE(m) << unknown.size() << " of " << ids.size() << " answered\n" << broker.log();
        auto f = json::parse(m->payload);
        if (f["type"] == "command") continue;  // the four commands themselves
        ASSERT_EQ(f["type"], "error") << f.dump();
        ASSERT_EQ(f["code"], "unknown_command") << f.dump();
        const std::string id = f["id"].get<std::string>();
        EXPECT_EQ(f["message"], "no command '" + id + "' from ops is pending for you");
        ASSERT_TRUE(unknown.insert(id).second) << "told twice: " << f.dump();
    }
    EXPECT_EQ(unknown, std::set<std::string>(ids.begin(), ids.end()));
    EXPECT_TRUE(pump.quiet_for(500ms)) << "a second unknown_command";
    EXPECT_TRUE(ops.quiet_for(200ms)) << "an answer nobody held reached the controller";
    std::int64_t answered_unknown = 0, deadline = 0, unknown_responses = 0;
    for (auto& gw : nodes) {
        answered_unknown += health(*gw, "relays_answered_unknown");
        deadline += health(*gw, "relays_deadline");
        unknown_responses += static_cast<std::int64_t>(gw->get().stats().unknown_responses.load());
        EXPECT_EQ(health(*gw, "relays_waiting"), 0);
        EXPECT_EQ(gw->get().routing().ledger().size(), 0u);
    }
    // Every one was relayed (the controller is an MQTT client), none waited
    // for the deadline.
    EXPECT_EQ(answered_unknown, static_cast<std::int64_t>(ids.size()));
    EXPECT_EQ(deadline, 0);
    EXPECT_EQ(unknown_responses, static_cast<std::int64_t>(ids.size()));
}

}  // namespace

TEST(ClusterRelay, MqttControllerCommandsMqttDevicesAcrossNodesV5) {
    every_mqtt_command_answered_once(mqtt_version::v5, 80);
}

// MQTT 3.1.1 has no "no local": each node also reads its own relays back,
// and drops them as not held.
TEST(ClusterRelay, MqttControllerCommandsMqttDevicesAcrossNodesV311) {
    every_mqtt_command_answered_once(mqtt_version::v3_1_1, 80);
}

TEST(ClusterRelay, AnAnswerNoNodeHoldsGetsOneUnknownCommandV5) {
    answers_held_nowhere_get_one_unknown_command(mqtt_version::v5, 2);
}

// MQTT 3.1.1: each node also reads its own relay back; it must not count
// as a reply.
TEST(ClusterRelay, AnAnswerNoNodeHoldsGetsOneUnknownCommandV311) {
    answers_held_nowhere_get_one_unknown_command(mqtt_version::v3_1_1, 2);
}

TEST(ClusterRelay, AnAnswerNoNodeHoldsGetsOneUnknownCommandThreeNodes) {
    answers_held_nowhere_get_one_unknown_command(mqtt_version::v5, 3);
}

// A WebSocket device on gw-b answers the WebSocket controller on gw-a: a
// command it holds is answered once; a wrong id goes to gw-a's inbox, on to
// every node from there, and gw-a tells the device (through gw-b)
// `unknown_command`, once.
TEST(ClusterRelay, AWebSocketDevicesAnswerNoNodeHoldsGetsOneUnknownCommand) {
    mosquitto_broker broker;
    auto a = cluster_node(broker, "gw-a", mqtt_version::v5);
    auto b = cluster_node(broker, "gw-b", mqtt_version::v5);
    ASSERT_TRUE(eventually([&] { return health(*a, "peers_up") == 1; }, 20s)) << broker.log();
    ASSERT_TRUE(eventually([&] { return health(*b, "peers_up") == 1; }, 20s)) << broker.log();
    ws_test_client ctl(a->port());
    ASSERT_EQ(ctl.register_as("ctl", "controller")["type"], "registered");
    ws_test_client dev(b->port());
    ASSERT_EQ(dev.register_as("dev", "device")["type"], "registered");
    ASSERT_TRUE(knows(*a, "dev") && knows(*b, "ctl")) << broker.log();

    ctl.send(command_to("dev", "c-1"));
    auto cmd = dev.receive(20s);
    ASSERT_TRUE(cmd && (*cmd)["type"] == "command") << (cmd ? cmd->dump() : "nothing");
    const json answer = {{"type", "response"},
                         {"to", "ctl"},
                         {"id", "c-1"},
                         {"ok", true},
                         {"result", json::object()}};
    dev.send(answer);
    auto got = ctl.receive(20s);
    ASSERT_TRUE(got && (*got)["type"] == "response") << (got ? got->dump() : "nothing");
    json wrong = answer;
    wrong["id"] = "wrong-1";
    dev.send(wrong);
    auto err = dev.receive(20s);
    ASSERT_TRUE(err) << broker.log();
    EXPECT_EQ((*err)["type"], "error") << err->dump();
    EXPECT_EQ((*err)["code"], "unknown_command") << err->dump();
    EXPECT_EQ((*err)["id"], "wrong-1") << err->dump();
    EXPECT_EQ((*err)["message"], "no command 'wrong-1' from ctl is pending for you");
    EXPECT_TRUE(dev.quiet_for(500ms)) << "told twice";
    EXPECT_TRUE(ctl.quiet_for(200ms)) << "the controller heard the wrong answer";
    EXPECT_EQ(health(*a, "relays_answered_unknown"), 1);
    EXPECT_EQ(health(*b, "relays_not_held"), 1);
}

// A device may not publish on the relay topic (config/mosquitto.acl): its
// forged answer to a command pending for a silent device never reaches a
// node, and the command stays pending.
TEST(ClusterRelay, ADeviceCannotInjectARelay) {
    mosquitto_broker broker;
    auto a = cluster_node(broker, "gw-a", mqtt_version::v5);
    auto b = cluster_node(broker, "gw-b", mqtt_version::v5);
    ASSERT_TRUE(eventually([&] { return health(*a, "peers_up") == 1; }, 20s)) << broker.log();
    mqtt_client_options mute_options = registering_client("mute", "device");
    mqtt_test_client mute(broker.url(), mute_options);  // never answers
    ASSERT_TRUE(mute.connect()) << broker.log();
    mqtt_test_client ops(broker.url(), registering_client("ops", "controller"));
    ASSERT_TRUE(ops.connect()) << broker.log();
    ASSERT_TRUE(knows(*a, "mute") && knows(*b, "mute") && knows(*a, "ops") && knows(*b, "ops"));
    ASSERT_TRUE(ops.publish("sb/ops/out", command_to("mute", "c-1")));
    ASSERT_TRUE(mute.receive_type("command", 20s)) << broker.log();

    // The forger: an ordinary client (here the device itself, with its own
    // client ID), publishing the relay every node would settle.
    const json forged = {{"type", "response"}, {"to", "ops"}, {"from", "mute"},
                         {"id", "c-1"},        {"ok", true},  {"result", {{"forged", true}}}};
    mute.publish("sb/$relay", forged.dump());  // refused, or dropped by the broker
    // Nor reply for a node: a forged `held` would keep a device from its
    // unknown_command, a forged `not held` would tell it too soon.
    for (const char* to : {"sb/$relay/gw-a", "sb/$relay/gw-b"}) {
        mute.publish(to, std::string(R"({"relay_seq":1,"node":"gw-b","held":true})"));
        mute.publish(to, std::string("not a reply"));
    }
    // Then a status of its own: the broker handles one client's publishes in
    // order, so once both nodes see it, a relay that got through came first.
    ASSERT_TRUE(mute.publish("sb/mute/status", online_status("device", {{"marker", 1}}), 1, true));
    auto saw_marker = [&](bridged_gateway& gw) {
        return eventually(
            [&] {
                auto rec = gw.get().routing().clients().find("mute");
                return rec && rec->meta_json.find("marker") != std::string::npos;
            },
            20s);
    };
    ASSERT_TRUE(saw_marker(*a) && saw_marker(*b)) << broker.log();
    for (bridged_gateway* gw : {a.get(), b.get()}) {
        EXPECT_EQ(health(*gw, "relays_settled"), 0);
        EXPECT_EQ(health(*gw, "relays_not_held"), 0);
        EXPECT_EQ(health(*gw, "relays_invalid"), 0);
        EXPECT_EQ(health(*gw, "relays_held_too_late"), 0);
    }
    EXPECT_TRUE(ops.quiet_for(200ms)) << "the forged answer reached the controller";
    EXPECT_EQ(a->get().routing().ledger().size() + b->get().routing().ledger().size(), 1u);
}

// What the docs say exists, exists, and the other way round: every key of
// the bridge's /stats object is shown in docs/mqtt.md's example.
TEST(ClusterRelay, EveryMqttStatsKeyIsDocumented) {
    mosquitto_broker broker;
    auto a = cluster_node(broker, "gw-a", mqtt_version::v5);
    std::ifstream in(test_paths::source_dir() + "/docs/mqtt.md");
    const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(doc.empty());
    const json stats = json::parse(a->bridge().health_json());
    for (const auto& [key, value] : stats.items()) {
        EXPECT_NE(doc.find("\"" + key + "\":"), std::string::npos) << key << " is not in mqtt.md";
    }
}
