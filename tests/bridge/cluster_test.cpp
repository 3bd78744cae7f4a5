// Scale-out (docs/scaling.md): gateway nodes bridged to one mosquitto act as
// one gateway. Two nodes in this process, each with its own node name and
// MQTT client ID, a real mosquitto, WebSocket clients spread over the nodes
// and Paho MQTT devices answering commands.

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "answering_devices.hpp"
#include "bridged_gateway.hpp"
#include "command_frame.hpp"
#include "eventually.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_test_client.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {

bool forgot(bridged_gateway& gw, const std::string& id) {
    return eventually([&] { return gw.get().routing().clients().find(id) == nullptr; }, 20s);
}

// Sends `n` commands from `ctl` to `devices` in turn and collects their
// outcomes: every command must end in exactly one `response`, ok.
void every_command_answered(ws_test_client& ctl, const std::vector<std::string>& devices,
                            const std::string& tag, int n) {
    for (int i = 0; i < n; ++i) {
        ctl.send(command(devices[static_cast<std::size_t>(i) % devices.size()],
                         tag + "-" + std::to_string(i), {{"timeout_ms", 20000}}));
    }
    std::set<std::string> answered;
    while (answered.size() < static_cast<std::size_t>(n)) {
        auto f = ctl.receive(30s);
        ASSERT_TRUE(f) << tag << ": " << answered.size() << " of " << n << " answered";
        ASSERT_EQ((*f)["type"], "response") << f->dump();
        ASSERT_EQ((*f)["ok"], true) << f->dump();
        ASSERT_TRUE(answered.insert((*f)["id"].get<std::string>()).second)
            << "answered twice: " << f->dump();
    }
    EXPECT_TRUE(ctl.quiet_for(300ms)) << tag << ": a command had a second outcome";
}

}  // namespace

// The headline bug of issue 14: an MQTT device's response reaches one node
// of the shared subscription at random; the node that does not hold the
// command relays it to the node that does.
TEST(Cluster, MqttDevicesAnswerControllersOnBothNodes) {
    mosquitto_broker broker;
    auto a = cluster_node(broker, "gw-a");
    auto b = cluster_node(broker, "gw-b");
    std::vector<std::string> devices;
    std::vector<std::unique_ptr<mqtt_test_client>> fleet;
    for (int i = 0; i < 4; ++i) {
        devices.push_back("pump-" + std::to_string(i));
        fleet.push_back(
            std::make_unique<mqtt_test_client>(broker.url(), answering_device(devices.back())));
        ASSERT_TRUE(fleet.back()->connect()) << broker.log();
    }
    ws_test_client ctl_a(a->port());
    ASSERT_EQ(ctl_a.register_as("ctl-a", "controller")["type"], "registered");
    ws_test_client ctl_b(b->port());
    ASSERT_EQ(ctl_b.register_as("ctl-b", "controller")["type"], "registered");
    for (const auto& id : devices) {
        ASSERT_TRUE(knows(*a, id) && knows(*b, id)) << id;
    }
    // Each controller is a remote client on the other node.
    ASSERT_TRUE(knows(*a, "ctl-b") && knows(*b, "ctl-a")) << broker.log();

    every_command_answered(ctl_a, devices, "a", 60);
    every_command_answered(ctl_b, devices, "b", 60);
    EXPECT_EQ(a->get().routing().ledger().size(), 0u);
    EXPECT_EQ(b->get().routing().ledger().size(), 0u);
}

TEST(Cluster, WebSocketClientsOnDifferentNodesCommandMessageAndList) {
    mosquitto_broker broker;
    auto a = cluster_node(broker, "gw-a");
    auto b = cluster_node(broker, "gw-b");
    ws_test_client ctl(a->port());
    ASSERT_EQ(ctl.register_as("ctl-a", "controller")["type"], "registered");
    ctl.send({{"type", "subscribe"}, {"ids", {"dev-b"}}});
    ASSERT_TRUE(ctl.receive_type("subscribed"));
    auto dev = answering_ws_device(b->port(), "dev-b");
    ASSERT_TRUE(knows(*a, "dev-b") && knows(*b, "ctl-a")) << broker.log();

    // Presence and list, cluster-wide.
    auto presence = ctl.receive_type("presence", 20s);
    ASSERT_TRUE(presence);
    EXPECT_EQ((*presence)["id"], "dev-b");
    EXPECT_EQ((*presence)["online"], true);
    ctl.send({{"type", "list"}});
    auto list = ctl.receive_type("list");
    ASSERT_TRUE(list);
    std::set<std::string> listed;
    for (const auto& item : (*list)["items"]) listed.insert(item["id"].get<std::string>());
    EXPECT_TRUE(listed.count("dev-b") && listed.count("ctl-a")) << list->dump();

    // WS -> WS across nodes, with an ack, then many in a row.
    ctl.send(command("dev-b", "c-1", {{"ack", true}, {"timeout_ms", 20000}}));
    auto ack = ctl.receive(20s);
    ASSERT_TRUE(ack);
    EXPECT_EQ((*ack)["type"], "ack") << ack->dump();
    auto res = ctl.receive(20s);
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["type"], "response") << res->dump();
    EXPECT_EQ((*res)["from"], "dev-b");
    EXPECT_EQ((*res)["id"], "c-1");
    EXPECT_EQ((*res)["result"]["done"], "set_speed");
    every_command_answered(ctl, {"dev-b"}, "w", 40);

    // A private message the other way: device on B to controller on A.
    ws_test_client dev2(b->port());
    ASSERT_EQ(dev2.register_as("dev-b2", "device")["type"], "registered");
    dev2.send({{"type", "message"}, {"to", "ctl-a"}, {"payload", {{"hello", 1}}}});
    auto msg = ctl.receive_type("message", 20s);
    ASSERT_TRUE(msg);
    EXPECT_EQ((*msg)["from"], "dev-b2");
    EXPECT_EQ((*msg)["payload"]["hello"], 1);

    // The device leaves B: A's controller sees it go, and it is gone from A.
    dev->close();
    bool offline = false;
    for (int i = 0; i < 20 && !offline; ++i) {
        auto p = ctl.receive_type("presence", 20s);
        ASSERT_TRUE(p);
        offline = (*p)["id"] == "dev-b" && (*p)["online"] == false;
    }
    EXPECT_TRUE(offline);
    EXPECT_TRUE(forgot(*a, "dev-b"));
    ctl.send(command("dev-b", "c-2"));
    auto err = ctl.receive_type("error");
    ASSERT_TRUE(err);
    EXPECT_EQ((*err)["code"], "offline");
}

TEST(Cluster, TakeoverAcrossNodesClosesTheOlderConnection) {
    mosquitto_broker broker;
    auto a = cluster_node(broker, "gw-a");
    auto b = cluster_node(broker, "gw-b");
    ws_test_client ctl(a->port());
    ASSERT_EQ(ctl.register_as("ctl-a", "controller")["type"], "registered");
    ws_test_client old_dev(a->port());
    ASSERT_EQ(old_dev.register_as("dev-x", "device")["type"], "registered");
    ASSERT_TRUE(knows(*b, "dev-x"));
    auto new_dev = answering_ws_device(b->port(), "dev-x");
    auto code = old_dev.wait_closed(20s);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 4003);
    // A's controller reaches the device on B now.
    ASSERT_TRUE(eventually(
        [&] {
            auto x = a->get().routing().clients().find("dev-x");
            return x && x->session.starts_with("remote:");
        },
        20s));
    every_command_answered(ctl, {"dev-x"}, "t", 10);
}

TEST(Cluster, RejectAcrossNodesRefusesTheNewcomer) {
    mosquitto_broker broker;
    auto a = cluster_node(broker, "gw-a", mqtt_version::v5, duplicate_policy::reject);
    auto b = cluster_node(broker, "gw-b", mqtt_version::v5, duplicate_policy::reject);
    ws_test_client first(a->port());
    ASSERT_EQ(first.register_as("dev-x", "device")["type"], "registered");
    ASSERT_TRUE(knows(*b, "dev-x"));
    ws_test_client second(b->port());
    auto refused = second.register_as("dev-x", "device");
    EXPECT_EQ(refused["type"], "error") << refused.dump();
    EXPECT_EQ(refused["code"], "id_taken");
    EXPECT_TRUE(first.quiet_for(500ms));
    EXPECT_FALSE(first.closed());
}

// A queued command (ttl_ms) waits on the controller's node and goes to the
// device when it registers on another node; its answer comes back there.
TEST(Cluster, QueuedCommandReachesADeviceThatRegistersOnAnotherNode) {
    mosquitto_broker broker;
    auto a = cluster_node(broker, "gw-a");
    auto b = cluster_node(broker, "gw-b");
    ws_test_client ctl(a->port());
    ASSERT_EQ(ctl.register_as("ctl-a", "controller")["type"], "registered");
    ASSERT_TRUE(knows(*b, "ctl-a"));
    ctl.send(command("dev-q", "q-1", {{"ttl_ms", 60000}, {"timeout_ms", 20000}}));
    auto ack = ctl.receive_type("ack");
    ASSERT_TRUE(ack);
    EXPECT_EQ((*ack)["status"], "queued");
    auto dev = answering_ws_device(b->port(), "dev-q");
    auto res = ctl.receive_type("response", 20s);
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["id"], "q-1");
    EXPECT_EQ((*res)["from"], "dev-q");
    EXPECT_EQ((*res)["ok"], true) << res->dump();
}

// A device on another node that leaves before answering: the command ends
// once, as device_disconnected, on the controller's node.
TEST(Cluster, RemoteDeviceLeavingEndsItsCommandsOnce) {
    mosquitto_broker broker;
    auto a = cluster_node(broker, "gw-a");
    auto b = cluster_node(broker, "gw-b");
    ws_test_client ctl(a->port());
    ASSERT_EQ(ctl.register_as("ctl-a", "controller")["type"], "registered");
    ws_test_client dev(b->port());
    ASSERT_EQ(dev.register_as("dev-s", "device")["type"], "registered");
    ASSERT_TRUE(knows(*a, "dev-s") && knows(*b, "ctl-a"));
    ctl.send(command("dev-s", "s-1", {{"timeout_ms", 60000}}));
    auto got = dev.receive_type("command", 20s);
    ASSERT_TRUE(got);
    dev.close();
    auto res = ctl.receive_type("response", 20s);
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["id"], "s-1");
    EXPECT_EQ((*res)["ok"], false);
    EXPECT_EQ((*res)["error"]["code"], "device_disconnected") << res->dump();
    EXPECT_TRUE(ctl.quiet_for(500ms));
}
