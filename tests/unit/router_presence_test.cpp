// core/router: subscriptions, events, presence and the observer.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "router_harness.hpp"

namespace switchboard::testing {
namespace {

// --- subscriptions, events, presence ---

TEST(Router, SubscribeIsConfirmed) {
    harness h;
    auto dash = h.controller("dash");
    h.send(dash, {{"type", "subscribe"}, {"ids", {"pump-*", "valve-1"}}, {"id", "s-1"}});
    EXPECT_EQ(dash.last(),
              json({{"type", "subscribed"}, {"id", "s-1"}, {"ids", {"pump-*", "valve-1"}}}));
    h.send(dash, {{"type", "unsubscribe"}, {"ids", {"valve-1"}}});
    EXPECT_EQ(dash.last(), json({{"type", "unsubscribed"}, {"ids", {"valve-1"}}}));
}

TEST(Router, EventsReachOnlySubscribedFollowers) {
    harness h;
    auto follower = h.controller("dash");
    auto family = h.controller("family");
    auto stranger = h.controller("stranger");
    auto pump = h.device("pump-1");
    auto valve = h.device("valve-1");
    h.send(follower, {{"type", "subscribe"}, {"ids", {"pump-1"}}});
    h.send(family, {{"type", "subscribe"}, {"ids", {"pump-*"}}});
    h.send(stranger, {{"type", "subscribe"}, {"ids", {"valve-*"}}});
    follower.link->clear();
    family.link->clear();
    stranger.link->clear();

    h.send(pump,
           {{"type", "event"}, {"name", "temp"}, {"data", {{"c", 21.5}}}, {"from", "valve-1"}});
    json expected = {
        {"type", "event"}, {"from", "pump-1"}, {"name", "temp"}, {"data", {{"c", 21.5}}}};
    ASSERT_EQ(follower.count(), 1u);
    EXPECT_EQ(follower.last(), expected);
    ASSERT_EQ(family.count(), 1u);
    EXPECT_EQ(family.last(), expected);
    EXPECT_EQ(stranger.count(), 0u);
    EXPECT_EQ(pump.count(), 0u);
    EXPECT_EQ(valve.count(), 0u);
}

TEST(Router, FollowerMatchingTwiceGetsOneEvent) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump-1");
    h.send(dash, {{"type", "subscribe"}, {"ids", {"pump-1", "pump-*", "*"}}});
    dash.link->clear();
    h.send(pump, {{"type", "event"}, {"name", "boot"}});
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["name"], "boot");
    EXPECT_FALSE(dash.last().contains("data"));
}

TEST(Router, UnsubscribeAndLeavingStopEvents) {
    harness h;
    auto a = h.controller("dash-a");
    auto b = h.controller("dash-b");
    auto pump = h.device("pump-1");
    h.send(a, {{"type", "subscribe"}, {"ids", {"pump-1"}}});
    h.send(b, {{"type", "subscribe"}, {"ids", {"*"}}});
    h.send(a, {{"type", "unsubscribe"}, {"ids", {"pump-1"}}});
    h.leave(b);
    a.link->clear();
    b.link->clear();
    h.send(pump, {{"type", "event"}, {"name", "temp"}});
    EXPECT_EQ(a.count(), 0u);
    EXPECT_EQ(b.count(), 0u);
}

TEST(Router, PresenceOnlineAndOfflineReachFollowers) {
    harness h;
    auto dash = h.controller("dash");
    auto stranger = h.controller("stranger");
    h.send(dash, {{"type", "subscribe"}, {"ids", {"pump-*"}}});
    h.send(stranger, {{"type", "subscribe"}, {"ids", {"valve-*"}}});
    dash.link->clear();
    stranger.link->clear();

    auto pump = h.connect("pump-1", client_role::device, {{"model", "P2"}});
    ASSERT_EQ(dash.count(), 1u);
    json on = dash.last();
    EXPECT_EQ(on["type"], "presence");
    EXPECT_EQ(on["id"], "pump-1");
    EXPECT_EQ(on["role"], "device");
    EXPECT_EQ(on["online"], true);
    EXPECT_EQ(on["via"], "ws");
    EXPECT_EQ(on["meta"], json({{"model", "P2"}}));
    EXPECT_TRUE(on["since"].is_number_integer());
    EXPECT_EQ(on["reason"], "register");

    h.leave(pump);
    ASSERT_EQ(dash.count(), 2u);
    json off = dash.last();
    EXPECT_EQ(off["type"], "presence");
    EXPECT_EQ(off["id"], "pump-1");
    EXPECT_EQ(off["online"], false);
    EXPECT_EQ(off["reason"], "close");
    EXPECT_GT(off["seq"].get<std::uint64_t>(), on["seq"].get<std::uint64_t>());
    EXPECT_EQ(stranger.count(), 0u);
    EXPECT_EQ(h.r().clients().find("pump-1"), nullptr);
}

TEST(Router, TakeoverDoesNotAnnounceOfflineWhenTheOldSessionLeaves) {
    harness h;
    auto dash = h.controller("dash");
    h.send(dash, {{"type", "subscribe"}, {"ids", {"pump-1"}}});
    auto old_pump = h.device("pump-1");
    auto new_pump = h.device("pump-1");
    dash.link->clear();
    h.leave(old_pump);  // its connection's cleanup, after the 4003 close
    EXPECT_EQ(dash.count(), 0u);
    EXPECT_EQ(h.r().clients().find("pump-1"), new_pump.self);
    h.leave(new_pump);
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["online"], false);
}

TEST(Router, TakeoverAnnouncesTheNewSessionOnline) {
    harness h;
    auto dash = h.controller("dash");
    h.send(dash, {{"type", "subscribe"}, {"ids", {"pump-1"}}});
    auto old_pump = h.connect("pump-1", client_role::device, {{"fw", "1"}});
    dash.link->clear();
    auto new_pump = h.connect("pump-1", client_role::device, {{"fw", "2"}});
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["online"], true);
    EXPECT_EQ(dash.last()["meta"]["fw"], "2");
    EXPECT_EQ(dash.last()["reason"], "takeover");
}

TEST(Router, PresenceSequenceNumbersFollowTheOrderOfChangesAndNameTheReason) {
    harness h;
    auto dash = h.controller("dash");
    h.send(dash, {{"type", "subscribe"}, {"ids", {"pump-*"}}});
    dash.link->clear();
    std::uint64_t last = 0;
    auto next = [&](bool online, const char* reason) {
        ASSERT_GT(dash.count(), 0u);
        json f = dash.last();
        EXPECT_EQ(f["online"], online) << f.dump();
        EXPECT_EQ(f["reason"], reason) << f.dump();
        // Microseconds of the wall clock at least: they keep growing
        // across a restart of the gateway.
        EXPECT_GT(f["seq"].get<std::uint64_t>(), 1'700'000'000'000'000u);
        EXPECT_GT(f["seq"].get<std::uint64_t>(), last) << f.dump();
        last = f["seq"].get<std::uint64_t>();
    };
    auto pump = h.device("pump-1");
    next(true, "register");
    h.r().unregister_client(pump.self, presence_reason::timed_out);
    next(false, "timeout");
    pump = h.device("pump-1");
    next(true, "register");
    h.r().unregister_client(pump.self, presence_reason::last_will);
    next(false, "lwt");
    pump = h.device("pump-1");
    next(true, "register");
    h.r().unregister_client(pump.self, presence_reason::broker_lost);
    next(false, "broker_lost");
}

TEST(Router, LeavingTwiceAnnouncesOfflineOnce) {
    harness h;
    auto dash = h.controller("dash");
    h.send(dash, {{"type", "subscribe"}, {"ids", {"*"}}});
    auto pump = h.device("pump-1");
    dash.link->clear();
    h.leave(pump);
    h.leave(pump);
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["online"], false);
}

TEST(Router, FollowerThatLeftHearsNoPresence) {
    harness h;
    auto dash = h.controller("dash");
    h.send(dash, {{"type", "subscribe"}, {"ids", {"*"}}});
    h.leave(dash);
    dash.link->clear();
    auto pump = h.device("pump-1");
    h.leave(pump);
    EXPECT_EQ(dash.count(), 0u);
}

TEST(Router, SenderDoesNotHearItsOwnEvent) {
    harness h;
    auto pump = h.device("pump-1");
    h.send(pump, {{"type", "subscribe"}, {"ids", {"pump-*"}}});
    pump.link->clear();
    h.send(pump, {{"type", "event"}, {"name", "temp"}});
    EXPECT_EQ(pump.count(), 0u);
}

TEST(Router, SubscriptionLimitIsBadRequestNamingIds) {
    router_options o = harness::test_options();
    o.max_subscriptions = 2;
    harness h(o);
    auto dash = h.controller("dash");
    h.send(dash, {{"type", "subscribe"}, {"ids", {"a", "b"}}});
    EXPECT_EQ(dash.last()["type"], "subscribed");
    h.send(dash, {{"type", "subscribe"}, {"ids", {"c"}}, {"id", "s-2"}});
    json e = dash.last();
    EXPECT_EQ(e["type"], "error");
    EXPECT_EQ(e["code"], "bad_request");
    EXPECT_EQ(e["field"], "ids");
    EXPECT_EQ(e["id"], "s-2");
    EXPECT_EQ(e["request_type"], "subscribe");

    auto c = h.device("c");
    dash.link->clear();
    h.send(c, {{"type", "event"}, {"name", "x"}});
    EXPECT_EQ(dash.count(), 0u);
}

// --- observer ---

class recording_observer : public router_observer {
public:
    void on_presence(const client_record& client, bool online) override {
        presence.push_back(client.id + (online ? ":on" : ":off"));
    }
    void on_event(const client_record& from, const event_request& event) override {
        events.push_back(from.id + ":" + event.name);
    }
    std::vector<std::string> presence;
    std::vector<std::string> events;
};

TEST(Router, ObserverHearsPresenceAndEvents) {
    harness h;
    recording_observer o;
    h.r().set_observer(&o);
    auto pump = h.device("pump");
    h.send(pump, {{"type", "event"}, {"name", "temp"}});
    h.leave(pump);
    h.r().set_observer(nullptr);
    EXPECT_EQ(o.presence, (std::vector<std::string>{"pump:on", "pump:off"}));
    EXPECT_EQ(o.events, std::vector<std::string>{"pump:temp"});
}

}  // namespace
}  // namespace switchboard::testing
