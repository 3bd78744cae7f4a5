// Commands, responses, messages, events, presence and list, end to end.

#include <gtest/gtest.h>

#include <set>

#include "command_frame.hpp"
#include "eventually.hpp"
#include "raw_connection.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {
// Asks for `id` and returns the answer (a `status` frame, or whatever came).
json status_of(ws_test_client& ctl, const std::string& id) {
    ctl.send({{"type", "status"}, {"id", id}});
    auto f = ctl.receive(5s);
    EXPECT_TRUE(f) << "no answer to status " << id;
    return f ? *f : json();
}

json status_answer(const std::string& id, const std::string& state, const std::string& to = {}) {
    json f = {{"type", "status"}, {"id", id}, {"state", state}};
    if (!to.empty()) f["to"] = to;
    return f;
}
}  // namespace

TEST(Routing, CommandRoundTripWithAckAndServerStampedFrom) {
    running_gateway gw;
    ws_test_client dev(gw.port()), ctl(gw.port()), other(gw.port());
    dev.register_as("pump-12", "device");
    ctl.register_as("dash-1", "controller");
    other.register_as("dash-2", "controller");

    ctl.send(command(
        "pump-12", "c-17",
        {{"args", {{"rpm", 1200}}}, {"ack", true}, {"from", "dash-2"}, {"timeout_ms", 5000}}));
    auto ack = ctl.receive();
    ASSERT_TRUE(ack);
    EXPECT_EQ((*ack)["type"], "ack");
    EXPECT_EQ((*ack)["id"], "c-17");
    EXPECT_EQ((*ack)["status"], "delivered");

    auto cmd = dev.receive();
    ASSERT_TRUE(cmd);
    EXPECT_EQ((*cmd)["type"], "command");
    EXPECT_EQ((*cmd)["from"], "dash-1");  // the client's "from" did not survive
    EXPECT_EQ((*cmd)["name"], "set_speed");
    EXPECT_EQ((*cmd)["args"]["rpm"], 1200);

    dev.send({{"type", "response"},
              {"to", "dash-1"},
              {"id", "c-17"},
              {"ok", true},
              {"result", {{"rpm", 1200}}},
              {"from", "pump-99"}});
    auto res = ctl.receive();
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["type"], "response");
    EXPECT_EQ((*res)["from"], "pump-12");
    EXPECT_EQ((*res)["ok"], true);
    EXPECT_EQ((*res)["result"]["rpm"], 1200);
    EXPECT_TRUE(other.quiet_for(100ms)) << "a bystander saw something";
}

TEST(Routing, CommandToOfflineDeviceFailsAtOnce) {
    running_gateway gw;
    ws_test_client ctl(gw.port());
    ctl.register_as("dash-1", "controller");
    ctl.send(command("pump-99", "c-18"));
    auto e = ctl.receive();
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["type"], "error");
    EXPECT_EQ((*e)["code"], "offline");
    EXPECT_EQ((*e)["id"], "c-18");
}

TEST(Routing, UnansweredCommandTimesOutOnceAndLateAnswerIsDropped) {
    running_gateway gw;
    ws_test_client dev(gw.port()), ctl(gw.port());
    dev.register_as("pump-1", "device");
    ctl.register_as("dash", "controller");
    ctl.send(command("pump-1", "c-1", {{"timeout_ms", 150}}));
    ASSERT_TRUE(dev.receive_type("command"));
    auto res = ctl.receive(3s);
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["type"], "response");
    EXPECT_EQ((*res)["from"], "pump-1");
    EXPECT_EQ((*res)["ok"], false);
    EXPECT_EQ((*res)["error"]["code"], "timeout");

    dev.send({{"type", "response"}, {"to", "dash"}, {"id", "c-1"}, {"ok", true}});
    auto e = dev.receive();
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["code"], "unknown_command");
    EXPECT_TRUE(ctl.quiet_for(150ms));
    EXPECT_EQ(gw.stats().command_timeouts.load(), 1u);
    EXPECT_EQ(gw.stats().late_responses.load(), 1u);
}

TEST(Routing, TimeoutIsCappedByConfig) {
    running_gateway gw(
        [](gateway_config& c) { c.routing.command_timeout_max = std::chrono::milliseconds(100); });
    ws_test_client dev(gw.port()), ctl(gw.port());
    dev.register_as("pump-1", "device");
    ctl.register_as("dash", "controller");
    ctl.send(command("pump-1", "c-1", {{"timeout_ms", 3600000}}));
    auto res = ctl.receive(3s);
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["error"]["code"], "timeout");
}

TEST(Routing, OnlyTheTargetDeviceMayAnswerAndOnlyOnce) {
    running_gateway gw;
    ws_test_client dev(gw.port()), intruder(gw.port()), ctl(gw.port());
    dev.register_as("pump-1", "device");
    intruder.register_as("pump-2", "device");
    ctl.register_as("dash", "controller");
    ctl.send(command("pump-1", "c-1"));
    ASSERT_TRUE(dev.receive_type("command"));

    intruder.send({{"type", "response"}, {"to", "dash"}, {"id", "c-1"}, {"ok", true}});
    auto e = intruder.receive();
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["code"], "unknown_command");

    dev.send({{"type", "response"}, {"to", "dash"}, {"id", "c-1"}, {"ok", true}});
    auto res = ctl.receive();
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["from"], "pump-1");

    dev.send({{"type", "response"}, {"to", "dash"}, {"id", "c-1"}, {"ok", true}});
    auto again = dev.receive();
    ASSERT_TRUE(again);
    EXPECT_EQ((*again)["code"], "unknown_command");
    EXPECT_TRUE(ctl.quiet_for(100ms));
}

TEST(Routing, DevicesMayNotCommandAndControllersAreNotCommanded) {
    running_gateway gw;
    ws_test_client dev(gw.port()), ctl(gw.port()), ctl2(gw.port());
    dev.register_as("pump-1", "device");
    ctl.register_as("dash", "controller");
    ctl2.register_as("dash-2", "controller");
    dev.send(command("pump-1", "c-1"));
    EXPECT_EQ((*dev.receive())["code"], "forbidden");
    ctl.send(command("dash-2", "c-2"));
    EXPECT_EQ((*ctl.receive())["code"], "forbidden");
}

TEST(Routing, ControllerThatLeavesHasItsCommandsDropped) {
    // With controller recovery off; with it on they run on (controller_recovery_test).
    running_gateway gw([](gateway_config& c) { c.routing.recovery.window = 0ms; });
    ws_test_client dev(gw.port());
    dev.register_as("pump-1", "device");
    {
        ws_test_client ctl(gw.port());
        ctl.register_as("dash", "controller");
        ctl.send(command("pump-1", "c-1", {{"timeout_ms", 200}}));
        ASSERT_TRUE(dev.receive_type("command"));
        ctl.close();
        ASSERT_TRUE(ctl.wait_closed());
    }
    EXPECT_TRUE(eventually([&] { return gw.get().routing().ledger().size() == 0; }));
    EXPECT_EQ(gw.stats().commands_dropped.load(), 1u);
    dev.send({{"type", "response"}, {"to", "dash"}, {"id", "c-1"}, {"ok", true}});
    EXPECT_EQ((*dev.receive())["code"], "unknown_command");
    EXPECT_EQ(gw.stats().command_timeouts.load(), 0u);
}

TEST(Routing, DuplicatePendingCommandIdIsRefused) {
    running_gateway gw;
    ws_test_client dev(gw.port()), ctl(gw.port());
    dev.register_as("pump-1", "device");
    ctl.register_as("dash", "controller");
    ctl.send(command("pump-1", "c-1"));
    ctl.send(command("pump-1", "c-1"));
    auto e = ctl.receive();
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["code"], "bad_request");
    EXPECT_EQ((*e)["field"], "id");
}

TEST(Routing, PrivateMessagesFlowBothWays) {
    running_gateway gw;
    ws_test_client a(gw.port()), b(gw.port()), c(gw.port());
    a.register_as("userA@example.com", "controller");
    b.register_as("plant-3:pump-12", "device");
    c.register_as("eve", "controller");
    a.send({{"type", "message"},
            {"to", "plant-3:pump-12"},
            {"payload", {{"hello", 1}}},
            {"id", "m1"},
            {"from", "eve"}});
    auto m = b.receive();
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["type"], "message");
    EXPECT_EQ((*m)["from"], "userA@example.com");
    EXPECT_EQ((*m)["payload"]["hello"], 1);
    EXPECT_EQ((*m)["id"], "m1");
    b.send({{"type", "message"}, {"to", "userA@example.com"}, {"payload", "hi back"}});
    auto back = a.receive();
    ASSERT_TRUE(back);
    EXPECT_EQ((*back)["payload"], "hi back");
    EXPECT_EQ((*back)["from"], "plant-3:pump-12");
    a.send({{"type", "message"}, {"to", "nobody"}, {"payload", 1}});
    EXPECT_EQ((*a.receive())["code"], "offline");
    EXPECT_TRUE(c.quiet_for(100ms));
}

TEST(Routing, SubscribersSeePresenceAndEvents) {
    running_gateway gw;
    ws_test_client ctl(gw.port()), other(gw.port());
    ctl.register_as("dash", "controller");
    other.register_as("dash-2", "controller");
    ctl.send({{"type", "subscribe"}, {"ids", {"pump-*"}}, {"id", "s1"}});
    auto sub = ctl.receive();
    ASSERT_TRUE(sub);
    EXPECT_EQ((*sub)["type"], "subscribed");
    EXPECT_EQ((*sub)["id"], "s1");
    {
        ws_test_client dev(gw.port());
        dev.register_as("pump-7", "device", {{"meta", {{"model", "P-7"}, {"firmware", "1.2"}}}});
        auto online = ctl.receive();
        ASSERT_TRUE(online);
        EXPECT_EQ((*online)["type"], "presence");
        EXPECT_EQ((*online)["id"], "pump-7");
        EXPECT_EQ((*online)["online"], true);
        EXPECT_EQ((*online)["via"], "ws");
        EXPECT_EQ((*online)["meta"]["model"], "P-7");

        dev.send({{"type", "event"}, {"name", "telemetry"}, {"data", {{"rpm", 900}}}});
        auto ev = ctl.receive();
        ASSERT_TRUE(ev);
        EXPECT_EQ((*ev)["type"], "event");
        EXPECT_EQ((*ev)["from"], "pump-7");
        EXPECT_EQ((*ev)["data"]["rpm"], 900);
        dev.close();
        ASSERT_TRUE(dev.wait_closed());
    }
    auto offline = ctl.receive();
    ASSERT_TRUE(offline);
    EXPECT_EQ((*offline)["type"], "presence");
    EXPECT_EQ((*offline)["online"], false);

    // Not matching the pattern: nothing.
    ws_test_client valve(gw.port());
    valve.register_as("valve-1", "device");
    valve.send({{"type", "event"}, {"name", "t"}});
    EXPECT_TRUE(ctl.quiet_for(150ms));
    EXPECT_TRUE(other.quiet_for(10ms));

    ctl.send({{"type", "unsubscribe"}, {"ids", {"pump-*"}}});
    EXPECT_EQ((*ctl.receive())["type"], "unsubscribed");
    ws_test_client dev2(gw.port());
    dev2.register_as("pump-8", "device");
    EXPECT_TRUE(ctl.quiet_for(150ms));
}

TEST(Routing, ListFiltersByRoleAndPrefixWithMore) {
    running_gateway gw;
    ws_test_client ctl(gw.port());
    ctl.register_as("dash", "controller");
    std::vector<std::unique_ptr<ws_test_client>> devices;
    for (int i = 0; i < 5; ++i) {
        devices.push_back(std::make_unique<ws_test_client>(gw.port()));
        devices.back()->register_as("pump-" + std::to_string(i), "device");
    }
    ctl.send(
        {{"type", "list"}, {"role", "device"}, {"prefix", "pump-"}, {"limit", 3}, {"id", "l1"}});
    auto page = ctl.receive();
    ASSERT_TRUE(page);
    EXPECT_EQ((*page)["type"], "list");
    EXPECT_EQ((*page)["id"], "l1");
    ASSERT_EQ((*page)["items"].size(), 3u);
    EXPECT_EQ((*page)["items"][0]["id"], "pump-0");
    EXPECT_EQ((*page)["items"][0]["via"], "ws");
    EXPECT_EQ((*page)["more"], true);
    ctl.send({{"type", "list"}, {"role", "device"}, {"after", "pump-2"}});
    auto rest = ctl.receive();
    ASSERT_TRUE(rest);
    ASSERT_EQ((*rest)["items"].size(), 2u);
    EXPECT_EQ((*rest)["more"], false);
    ctl.send({{"type", "list"}, {"role", "controller"}});
    auto controllers = ctl.receive();
    ASSERT_EQ((*controllers)["items"].size(), 1u);
    EXPECT_EQ((*controllers)["items"][0]["id"], "dash");
}

// A device that closes, and one whose TCP connection is cut, each with ten
// commands outstanding (30 s timeouts): every command ends at once as
// `device_disconnected`, exactly once, instead of at its timeout.
TEST(Routing, DeviceClosedOrCutEndsItsOutstandingCommandsAsDeviceDisconnected) {
    running_gateway gw;
    ws_test_client ctl(gw.port());
    ctl.register_as("dash-1", "controller");
    for (bool cut : {false, true}) {
        SCOPED_TRACE(cut ? "cut" : "closed");
        std::string device = cut ? "pump-cut" : "pump-closed";
        ws_test_client dev(gw.port());
        dev.register_as(device, "device");
        for (int i = 0; i < 10; ++i) {
            ctl.send(command(device, device + "-" + std::to_string(i), {{"timeout_ms", 30000}}));
        }
        for (int i = 0; i < 10; ++i) ASSERT_TRUE(dev.receive_type("command"));
        auto left_at = std::chrono::steady_clock::now();
        if (cut) {
            dev.cut();
        } else {
            dev.close();
        }
        std::set<std::string> ended;
        for (int i = 0; i < 10; ++i) {
            auto f = ctl.receive(5s);
            ASSERT_TRUE(f) << "only " << ended.size() << " of 10 ended";
            EXPECT_EQ((*f)["type"], "response") << f->dump();
            EXPECT_EQ((*f)["from"], device);
            EXPECT_EQ((*f)["ok"], false);
            EXPECT_EQ((*f)["error"]["code"], "device_disconnected") << f->dump();
            EXPECT_TRUE(ended.insert((*f)["id"].get<std::string>()).second) << f->dump();
        }
        // Seconds would mean a timeout of some kind; it is the close itself.
        EXPECT_LT(std::chrono::steady_clock::now() - left_at, 2s);
        EXPECT_TRUE(ctl.quiet_for(200ms)) << "a second outcome";
    }
    EXPECT_EQ(gw.stats().commands_device_disconnected.load(), 20u);
}

// A follower learns why each device left, with sequence numbers that grow
// in the order of the changes: closed, timed out (never reading, so the
// keepalive ping goes unanswered), taken over.
TEST(Routing, PresenceSaysWhyAndInWhichOrder) {
    running_gateway gw([](gateway_config& c) { c.session.idle_timeout = 1000ms; });
    ws_test_client ctl(gw.port());
    ctl.register_as("dash-1", "controller");
    ctl.send({{"type", "subscribe"}, {"ids", {"pump-*"}}});
    ASSERT_TRUE(ctl.receive_type("subscribed"));
    std::uint64_t last_seq = 0;
    auto expect_presence = [&](const std::string& id, bool online, const std::string& reason) {
        auto f = ctl.receive_type("presence", 10s);
        ASSERT_TRUE(f) << id << " " << reason;
        EXPECT_EQ((*f)["id"], id) << f->dump();
        EXPECT_EQ((*f)["online"], online) << f->dump();
        EXPECT_EQ((*f)["reason"], reason) << f->dump();
        EXPECT_GT((*f)["seq"].get<std::uint64_t>(), last_seq) << f->dump();
        last_seq = (*f)["seq"].get<std::uint64_t>();
    };
    {
        ws_test_client pump(gw.port());
        pump.register_as("pump-1", "device");
        expect_presence("pump-1", true, "register");
        pump.close();
        expect_presence("pump-1", false, "close");
    }
    {
        // A bare socket that never reads again: the keepalive ping goes unanswered.
        raw_connection pump(gw.port());
        ASSERT_TRUE(register_raw(pump, "pump-2"));
        expect_presence("pump-2", true, "register");
        expect_presence("pump-2", false, "timeout");
    }
    ws_test_client first(gw.port()), second(gw.port());
    first.register_as("pump-3", "device");
    expect_presence("pump-3", true, "register");
    second.register_as("pump-3", "device");
    expect_presence("pump-3", true, "takeover");
    EXPECT_EQ(first.wait_closed(), 4003);
}

// --- status: the ledger's state of a command (docs/protocol.md §4) ---

TEST(Routing, StatusFollowsACommandThroughEveryEnd) {
    running_gateway gw;
    ws_test_client dev(gw.port()), ctl(gw.port()), spy(gw.port());
    dev.register_as("pump-1", "device");
    ctl.register_as("dash-1", "controller");
    spy.register_as("dash-2", "controller");

    // In flight: sent; answered ok: succeeded.
    ctl.send(command("pump-1", "c-ok"));
    ASSERT_TRUE(dev.receive_type("command"));
    EXPECT_EQ(status_of(ctl, "c-ok"), status_answer("c-ok", "sent", "pump-1"));
    EXPECT_EQ(status_of(spy, "c-ok"), status_answer("c-ok", "unknown")) << "another controller's";
    dev.send({{"type", "response"}, {"to", "dash-1"}, {"id", "c-ok"}, {"ok", true}});
    ASSERT_TRUE(ctl.receive_type("response"));
    EXPECT_EQ(status_of(ctl, "c-ok"), status_answer("c-ok", "succeeded", "pump-1"));

    // Answered with an error: failed.
    ctl.send(command("pump-1", "c-err"));
    ASSERT_TRUE(dev.receive_type("command"));
    dev.send({{"type", "response"},
              {"to", "dash-1"},
              {"id", "c-err"},
              {"ok", false},
              {"error", {{"code", "busy"}, {"message", "motor hot"}}}});
    ASSERT_TRUE(ctl.receive_type("response"));
    EXPECT_EQ(status_of(ctl, "c-err"), status_answer("c-err", "failed", "pump-1"));

    // Unanswered: timeout.
    ctl.send(command("pump-1", "c-late", {{"timeout_ms", 100}}));
    ASSERT_TRUE(dev.receive_type("command"));
    auto timed_out = ctl.receive_type("response", 5s);
    ASSERT_TRUE(timed_out);
    EXPECT_EQ((*timed_out)["error"]["code"], "timeout");
    EXPECT_EQ(status_of(ctl, "c-late"), status_answer("c-late", "timeout", "pump-1"));

    // The device leaves with a command outstanding: device_disconnected.
    ctl.send(command("pump-1", "c-gone"));
    ASSERT_TRUE(dev.receive_type("command"));
    dev.close();
    auto gone = ctl.receive_type("response", 5s);
    ASSERT_TRUE(gone);
    EXPECT_EQ((*gone)["error"]["code"], "device_disconnected");
    EXPECT_EQ(status_of(ctl, "c-gone"), status_answer("c-gone", "device_disconnected", "pump-1"));

    // Never sent, and someone else's: unknown, the same answer for both.
    EXPECT_EQ(status_of(ctl, "never"), status_answer("never", "unknown"));
    for (const char* id : {"c-ok", "c-err", "c-late", "c-gone", "never"}) {
        EXPECT_EQ(status_of(spy, id), status_answer(id, "unknown")) << id;
    }
    EXPECT_EQ(gw.stats().frames_routed[7].load(), 12u);  // every status asked
}

TEST(Routing, StatusBadRequestsGetClearErrors) {
    running_gateway gw;
    ws_test_client dev(gw.port()), ctl(gw.port());
    dev.register_as("pump-1", "device");
    ctl.register_as("dash-1", "controller");

    ctl.send({{"type", "status"}});
    auto missing = ctl.receive();
    ASSERT_TRUE(missing);
    EXPECT_EQ((*missing)["code"], "bad_request");
    EXPECT_EQ((*missing)["field"], "id");
    EXPECT_EQ((*missing)["request_type"], "status");

    ctl.send({{"type", "status"}, {"id", std::string(65, 'x')}});
    auto too_long = ctl.receive();
    ASSERT_TRUE(too_long);
    EXPECT_EQ((*too_long)["code"], "bad_request");
    EXPECT_EQ((*too_long)["field"], "id");

    dev.send({{"type", "status"}, {"id", "c-1"}});
    auto device_asks = dev.receive();
    ASSERT_TRUE(device_asks);
    EXPECT_EQ((*device_asks)["code"], "forbidden");
    EXPECT_EQ((*device_asks)["id"], "c-1");
    EXPECT_EQ((*device_asks)["request_type"], "status");
}

TEST(Routing, StatusIsRateLimitedLikeAnyFrame) {
    // A burst of 4, nearly no refill: register and three frames pass.
    running_gateway gw([](gateway_config& c) {
        c.session.rate = {.frames_per_second = 0.01, .burst = 4, .close_after = 1000};
    });
    ws_test_client ctl(gw.port());
    ctl.register_as("dash-1", "controller");
    int answered = 0, limited = 0;
    for (int i = 0; i < 6; ++i) ctl.send({{"type", "status"}, {"id", "c-" + std::to_string(i)}});
    for (int i = 0; i < 6; ++i) {
        auto f = ctl.receive(5s);
        ASSERT_TRUE(f);
        if ((*f)["type"] == "status") ++answered;
        if ((*f)["type"] == "error" && (*f)["code"] == "rate_limited") ++limited;
    }
    EXPECT_EQ(answered, 3);
    EXPECT_EQ(limited, 3);
}
