// mosquitto killed with SIGKILL in the middle of traffic and restarted on
// the same port: WebSocket routing is unaffected, the bridge reconnects and
// resubscribes by itself, and every command accepted has exactly one
// outcome (its response, a timeout, or an immediate error), none lost.

#include <gtest/gtest.h>

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

constexpr int command_timeout_ms = 1500;

json ping(const std::string& to, const std::string& id) {
    return command(to, id, {{"name", "ping"}, {"timeout_ms", command_timeout_ms}});
}

// Outcomes by command ID: "ok", "timeout", or an error code. Counts every
// outcome so that a second one for the same command shows.
struct outcomes_by_id {
    std::map<std::string, std::vector<std::string>> by_id;

    void take(const json& f) {
        if (f["type"] == "response") {
            by_id[f["id"]].push_back(f["ok"] == true ? "ok"
                                                     : f["error"]["code"].get<std::string>());
        } else if (f["type"] == "error" && f.contains("id")) {
            by_id[f["id"]].push_back("error:" + f["code"].get<std::string>());
        }
    }
    // Reads frames until every ID in `ids` has an outcome, or the deadline.
    bool collect(ws_test_client& c, const std::set<std::string>& ids,
                 std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            bool all = true;
            for (const auto& id : ids) all = all && by_id.contains(id);
            if (all) return true;
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            auto f = c.receive(left);
            if (!f) return false;
            take(*f);
        }
    }
};

// An MQTT device that answers every command, reconnects by itself and
// re-publishes its status.
mqtt_client_options reconnecting_device(const std::string& id) {
    mqtt_client_options o = answering_device(id);
    o.auto_reconnect = true;
    return o;
}

bool wait_presence(ws_test_client& c, const std::string& id, bool online, outcomes_by_id& seen) {
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto f = c.receive(15s);
        if (!f) return false;
        if ((*f)["type"] == "presence") {
            if ((*f)["id"] == id && (*f)["online"] == online) return true;
        } else {
            seen.take(*f);
        }
    }
    return false;
}

}  // namespace

TEST(BrokerRestart, BridgeRecoversAndEveryCommandHasOneOutcome) {
    mosquitto_broker broker;
    bridged_gateway gw(broker);

    ws_test_client ctl(gw.port());
    ctl.register_as("dash-1", "controller");
    ctl.send({{"type", "subscribe"}, {"ids", {"pump-1"}}});
    ASSERT_TRUE(ctl.receive_type("subscribed"));

    // A WebSocket device too: its traffic must not notice the broker at all.
    ws_test_client ws_dev(gw.port());
    ws_dev.register_as("valve-1", "device");
    ws_dev.set_handler([](const json& f, ws_test_client& self) {
        if (f["type"] == "command") {
            self.send({{"type", "response"}, {"to", f["from"]}, {"id", f["id"]}, {"ok", true}});
        }
    });

    mqtt_test_client dev(broker.url(), reconnecting_device("pump-1"));
    ASSERT_TRUE(dev.connect());

    outcomes_by_id seen;
    std::set<std::string> sent;
    ASSERT_TRUE(wait_presence(ctl, "pump-1", true, seen));

    // Before: a burst of commands to both devices.
    int n = 0;
    auto send = [&](const std::string& to) {
        std::string id = "c-" + std::to_string(++n);
        ctl.send(ping(to, id));
        sent.insert(id);
        return id;
    };
    for (int i = 0; i < 20; ++i) {
        send("pump-1");
        send("valve-1");
    }
    ASSERT_TRUE(seen.collect(ctl, sent, 10s));

    // During: more in flight, then the broker dies under them.
    for (int i = 0; i < 30; ++i) send("pump-1");
    broker.kill();
    for (int i = 0; i < 10; ++i) send("pump-1");
    ASSERT_TRUE(wait_presence(ctl, "pump-1", false, seen));
    EXPECT_NE(gw.bridge().state(), bridge_state::connected);
    auto health = json::parse(gw.bridge().health_json());
    EXPECT_NE(health["state"], "connected");

    // While it is down: MQTT commands fail at once and clearly; WebSocket
    // routing goes on.
    std::string down_id = send("pump-1");
    std::string ws_id = send("valve-1");
    ASSERT_TRUE(seen.collect(ctl, {down_id, ws_id}, 5s));
    EXPECT_EQ(seen.by_id[down_id], std::vector<std::string>{"error:offline"});
    EXPECT_EQ(seen.by_id[ws_id], std::vector<std::string>{"ok"});

    // After: same port; the bridge and the device find it again by themselves.
    broker.restart();
    ASSERT_TRUE(wait_presence(ctl, "pump-1", true, seen)) << broker.log();
    EXPECT_GE(gw.bridge().reconnects(), 1u);
    EXPECT_EQ(gw.bridge().state(), bridge_state::connected);
    std::set<std::string> after;
    for (int i = 0; i < 20; ++i) after.insert(send("pump-1"));
    ASSERT_TRUE(seen.collect(ctl, after, 10s));
    for (const auto& id : after) EXPECT_EQ(seen.by_id[id], std::vector<std::string>{"ok"}) << id;

    // Every command ever sent: exactly one outcome, each a response or a
    // clear error. (Timeouts end within command_timeout_ms.)
    ASSERT_TRUE(seen.collect(ctl, sent, std::chrono::milliseconds(command_timeout_ms * 4)));
    EXPECT_TRUE(ctl.quiet_for(std::chrono::milliseconds(command_timeout_ms + 200)))
        << "a command had a second outcome";
    std::map<std::string, int> tally;
    for (const auto& id : sent) {
        ASSERT_EQ(seen.by_id[id].size(), 1u) << id;
        ++tally[seen.by_id[id][0]];
    }
    for (const auto& [kind, count] : tally) {
        EXPECT_TRUE(kind == "ok" || kind == "timeout" || kind == "device_disconnected" ||
                    kind == "error:offline" || kind == "error:overloaded")
            << kind << " x" << count;
    }
}

// Publishes still waiting for the broker's PUBACK when the bridge is torn
// down: destroying the Paho client fails their tokens, which reach the
// bridge's listeners. They must still be whole then (it once crashed here
// with "pure virtual method called").
TEST(BrokerRestart, BridgeTornDownWithPublishesInFlightStopsCleanly) {
    mosquitto_broker broker;
    auto gw = std::make_unique<bridged_gateway>(broker);
    ws_test_client ctl(gw->port());
    ctl.register_as("dash-9", "controller");
    ctl.send({{"type", "subscribe"}, {"ids", {"pump-9"}}});
    ASSERT_TRUE(ctl.receive_type("subscribed"));
    mqtt_test_client dev(broker.url(), registering_client("pump-9", "device"));
    ASSERT_TRUE(dev.connect());
    outcomes_by_id seen;
    ASSERT_TRUE(wait_presence(ctl, "pump-9", true, seen));

    broker.freeze();
    for (int i = 0; i < 20; ++i) ctl.send(ping("pump-9", "f-" + std::to_string(i)));
    ASSERT_TRUE(eventually(
        [&] { return json::parse(gw->bridge().health_json())["unacked"].get<int>() > 0; }));
    gw.reset();  // stop, then the bridge's last reference goes
    broker.thaw();
}

// mosquitto stopped with SIGSTOP (a frozen broker: its TCP stack still
// accepts bytes, nothing answers). Paho alone noticed after ~2.75
// keepalives, accepting commands meanwhile; the watchdog gives up within
// 1.5 keepalives. Commands sent while frozen end exactly once, and none
// reaches the device twice: the frames handed to the frozen broker are not
// resent after the reconnect, since it delivers them when it resumes.
TEST(BrokerRestart, FrozenBrokerIsNoticedWithinAKeepaliveAndNothingArrivesTwice) {
    constexpr auto keepalive = std::chrono::seconds(2);
    mosquitto_broker broker;
    bridged_gateway gw(broker, mqtt_version::v5,
                       [&](gateway_config& c) { c.mqtt.keepalive = keepalive; });
    ws_test_client ctl(gw.port());
    ctl.register_as("dash-7", "controller");
    ctl.send({{"type", "subscribe"}, {"ids", {"pump-7"}}});
    ASSERT_TRUE(ctl.receive_type("subscribed"));
    mqtt_test_client dev(broker.url(), reconnecting_device("pump-7"));
    ASSERT_TRUE(dev.connect());
    outcomes_by_id seen;
    ASSERT_TRUE(wait_presence(ctl, "pump-7", true, seen));
    // Live and answered before the freeze.
    ctl.send(ping("pump-7", "before"));
    ASSERT_TRUE(seen.collect(ctl, {"before"}, 5s));
    ASSERT_EQ(seen.by_id["before"], std::vector<std::string>{"ok"});

    std::set<std::string> sent;
    broker.freeze();
    auto frozen_at = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; ++i) {
        std::string id = "frozen-" + std::to_string(i);
        ctl.send(ping("pump-7", id));
        sent.insert(id);
    }
    ASSERT_TRUE(eventually([&] { return gw.bridge().state() != bridge_state::connected; },
                           std::chrono::seconds(10)));
    auto noticed_after = std::chrono::steady_clock::now() - frozen_at;
    EXPECT_LE(noticed_after, keepalive * 3 / 2)
        << std::chrono::duration_cast<std::chrono::milliseconds>(noticed_after).count() << " ms";
    ASSERT_TRUE(wait_presence(ctl, "pump-7", false, seen));
    auto health = json::parse(gw.bridge().health_json());
    EXPECT_EQ(health["silences"], 1);
    EXPECT_EQ(health["abandoned"], 10) << health.dump();

    // Noticed: a command now fails at once.
    ctl.send(ping("pump-7", "noticed"));
    sent.insert("noticed");
    ASSERT_TRUE(seen.collect(ctl, {"noticed"}, 5s));
    EXPECT_EQ(seen.by_id["noticed"], std::vector<std::string>{"error:offline"});

    broker.thaw();
    ASSERT_TRUE(wait_presence(ctl, "pump-7", true, seen)) << broker.log();
    ctl.send(ping("pump-7", "after"));
    sent.insert("after");
    ASSERT_TRUE(seen.collect(ctl, sent, std::chrono::milliseconds(command_timeout_ms * 4)));
    EXPECT_EQ(seen.by_id["after"], std::vector<std::string>{"ok"});
    EXPECT_TRUE(ctl.quiet_for(std::chrono::milliseconds(command_timeout_ms + 200)))
        << "a command had a second outcome";
    for (const auto& id : sent) {
        ASSERT_EQ(seen.by_id[id].size(), 1u) << id;
        const std::string& outcome = seen.by_id[id][0];
        EXPECT_TRUE(outcome == "ok" || outcome == "timeout" || outcome == "device_disconnected" ||
                    outcome == "error:offline")
            << id << ": " << outcome;
    }

    // What the device received, by command ID: nothing twice.
    std::map<std::string, int> delivered;
    while (auto m = dev.receive(std::chrono::milliseconds(300))) {
        auto f = json::parse(m->payload, nullptr, false);
        if (m->topic == "sb/pump-7/in" && f.is_object() && f.value("type", "") == "command") {
            ++delivered[f.value("id", "")];
        }
    }
    for (const auto& [id, times] : delivered) EXPECT_EQ(times, 1) << id << " delivered twice";
    EXPECT_EQ(delivered.count("after"), 1u);
}
