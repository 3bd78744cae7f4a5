#include "core/router.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "fake_endpoint.hpp"

namespace switchboard {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using testing::fake_endpoint;

// One registered client as the tests see it: its record and its fake link.
struct peer {
    client_ptr self;
    std::shared_ptr<fake_endpoint> link;

    const std::string& id() const { return self->id; }
    json last() const { return link->last(); }
    std::size_t count() const { return link->frame_count(); }
};

// A router with a fake clock; every client it holds is a fake endpoint.
class harness {
public:
    explicit harness(router_options options = test_options())
        : router_(std::move(options), stats_) {}

    static router_options test_options() {
        router_options o;
        o.node = "gw-test";
        o.command_timeout_default = 30000ms;
        o.command_timeout_max = 300000ms;
        return o;
    }

    // Registers and checks the `registered` answer; clears the link so that
    // tests see only what follows.
    peer connect(const std::string& id, client_role role, json meta = json::object()) {
        auto link = std::make_shared<fake_endpoint>();
        register_request req;
        req.id = id;
        req.role = role;
        req.meta_json = meta.dump();
        client_ptr self = router_.register_client(req, transport_kind::ws, link, next_session());
        EXPECT_NE(self, nullptr) << "registration of " << id << " refused";
        if (self) {
            EXPECT_GE(link->frame_count(), 1u);
            EXPECT_EQ(link->frame(0)["type"], "registered");
        }
        link->clear();
        return {self, link};
    }
    peer device(const std::string& id) { return connect(id, client_role::device); }
    peer controller(const std::string& id) { return connect(id, client_role::controller); }

    // Sends `frame` as `from` would over its connection; the frame must parse.
    void send(const peer& from, const json& frame) {
        parse_result parsed = parse_frame(frame.dump());
        if (auto* e = std::get_if<frame_error>(&parsed)) {
            FAIL() << "test frame does not parse: " << e->message << ": " << frame.dump();
        }
        router_.route(from.self, std::get<inbound_frame>(parsed), now_);
    }

    // Routes an already-parsed frame (the property test's fast path).
    void route(const peer& from, inbound_frame frame) { router_.route(from.self, frame, now_); }

    void command(const peer& from, const std::string& to, const std::string& id,
                 json extra = json::object()) {
        json f = {{"type", "command"}, {"to", to}, {"id", id}, {"name", "do_it"}};
        f.update(extra);
        send(from, f);
    }

    void respond(const peer& from, const std::string& to, const std::string& id,
                 json extra = {{"ok", true}}) {
        json f = {{"type", "response"}, {"to", to}, {"id", id}};
        f.update(extra);
        send(from, f);
    }

    void advance(std::chrono::milliseconds d) {
        now_ += d;
        router_.expire_commands(now_);
    }

    void leave(const peer& p) { router_.unregister_client(p.self); }

    std::string next_session() { return "session-" + std::to_string(++sessions_); }

    router& r() { return router_; }
    counters& stats() { return stats_; }
    steady_time now() const { return now_; }

private:
    counters stats_;
    router router_;
    steady_time now_{};
    int sessions_ = 0;
};

std::uint64_t load(const counters::counter& c) { return c.load(); }

// --- registration ---

TEST(Router, RegisterAnswersRegisteredWithSessionNodeAndLimits) {
    router_options o = harness::test_options();
    o.max_message_bytes = 4096;
    o.max_subscriptions = 7;
    o.command_timeout_max = 60000ms;
    harness h(o);
    auto link = std::make_shared<fake_endpoint>();
    register_request req;
    req.id = "dash-1";
    req.role = client_role::controller;
    client_ptr self = h.r().register_client(req, transport_kind::ws, link, "5f1c");
    ASSERT_NE(self, nullptr);
    EXPECT_EQ(self->id, "dash-1");
    EXPECT_EQ(self->session, "5f1c");
    ASSERT_EQ(link->frame_count(), 1u);
    json j = link->frame(0);
    EXPECT_EQ(j["type"], "registered");
    EXPECT_EQ(j["id"], "dash-1");
    EXPECT_EQ(j["role"], "controller");
    EXPECT_EQ(j["session"], "5f1c");
    EXPECT_EQ(j["node"], "gw-test");
    EXPECT_EQ(j["limits"]["max_message_bytes"], 4096);
    EXPECT_EQ(j["limits"]["max_subscriptions"], 7);
    EXPECT_EQ(j["limits"]["command_timeout_max_ms"], 60000);
    EXPECT_EQ(h.r().clients().find("dash-1"), self);
    EXPECT_EQ(load(h.stats().sessions_registered), 1u);
}

TEST(Router, DuplicateIdTakesOverAndClosesTheOldWith4003) {
    harness h;
    auto dash = h.controller("dash");
    auto old_pump = h.device("pump-1");
    auto new_pump = h.device("pump-1");
    ASSERT_EQ(old_pump.link->closes().size(), 1u);
    EXPECT_EQ(old_pump.link->closes()[0].code, close_code::replaced);
    EXPECT_EQ(old_pump.link->closes()[0].code, 4003);
    EXPECT_TRUE(new_pump.link->closes().empty());
    EXPECT_EQ(h.r().clients().find("pump-1"), new_pump.self);
    EXPECT_EQ(load(h.stats().takeovers), 1u);

    h.command(dash, "pump-1", "c-1");
    EXPECT_EQ(old_pump.count(), 0u);
    ASSERT_EQ(new_pump.count(), 1u);
    EXPECT_EQ(new_pump.last()["type"], "command");
    EXPECT_EQ(new_pump.last()["id"], "c-1");
}

TEST(Router, DuplicateIdUnderRejectPolicyGetsIdTaken) {
    router_options o = harness::test_options();
    o.duplicates = duplicate_policy::reject;
    harness h(o);
    auto first = h.device("pump-1");
    auto link = std::make_shared<fake_endpoint>();
    register_request req;
    req.id = "pump-1";
    req.role = client_role::device;
    EXPECT_EQ(h.r().register_client(req, transport_kind::ws, link, "second"), nullptr);
    ASSERT_EQ(link->frame_count(), 1u);
    EXPECT_EQ(link->last()["type"], "error");
    EXPECT_EQ(link->last()["code"], "id_taken");
    EXPECT_EQ(link->last()["request_type"], "register");
    EXPECT_TRUE(first.link->closes().empty());
    EXPECT_EQ(h.r().clients().find("pump-1"), first.self);
    EXPECT_EQ(load(h.stats().registrations_rejected), 1u);
}

TEST(Router, UnauthenticatedClaimDoesNotPushAnAuthenticatedOwnerOff) {
    harness h;
    auto owner_link = std::make_shared<fake_endpoint>();
    register_request req;
    req.id = "pump-12";
    client_ptr owner = h.r().register_client(req, transport_kind::ws, owner_link, "ws-1",
                                             registered_reply::send, client_trust::authenticated);
    ASSERT_NE(owner, nullptr);
    EXPECT_EQ(owner->trust, client_trust::authenticated);
    // An MQTT status through a broker that does not authenticate.
    auto claim_link = std::make_shared<fake_endpoint>();
    EXPECT_EQ(h.r().register_client(req, transport_kind::mqtt, claim_link, "mqtt-1",
                                    registered_reply::skip, client_trust::unauthenticated),
              nullptr);
    EXPECT_TRUE(owner_link->closes().empty());
    EXPECT_EQ(h.r().clients().find("pump-12"), owner);
    ASSERT_EQ(claim_link->frame_count(), 1u);
    EXPECT_EQ(claim_link->last()["code"], "id_taken");
    EXPECT_EQ(claim_link->last()["message"], "pump-12 is held by an authenticated connection");
    EXPECT_EQ(load(h.stats().takeovers), 0u);
    EXPECT_EQ(load(h.stats().registrations_rejected), 1u);
    // Through an authenticating broker the claim is as good as the owner's.
    auto trusted_link = std::make_shared<fake_endpoint>();
    EXPECT_NE(h.r().register_client(req, transport_kind::mqtt, trusted_link, "mqtt-2",
                                    registered_reply::skip, client_trust::authenticated),
              nullptr);
    ASSERT_EQ(owner_link->closes().size(), 1u);
    EXPECT_EQ(owner_link->closes()[0].code, close_code::replaced);
}

TEST(Router, SecondRegisterOnOneSessionIsBadRequest) {
    harness h;
    auto dash = h.controller("dash");
    h.send(dash, {{"type", "register"}, {"id", "other"}, {"role", "device"}});
    EXPECT_EQ(dash.last()["code"], "bad_request");
    EXPECT_EQ(dash.last()["request_type"], "register");
    EXPECT_EQ(h.r().clients().find("other"), nullptr);
}

// --- commands ---

TEST(Router, CommandReachesTheDeviceWithFromStampedByTheServer) {
    harness h;
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-17",
              {{"from", "mallory"}, {"name", "set_speed"}, {"args", {{"rpm", 1200}}}});
    ASSERT_EQ(pump.count(), 1u);
    json c = pump.last();
    EXPECT_EQ(c, json({{"type", "command"},
                       {"from", "dash-1"},
                       {"id", "c-17"},
                       {"name", "set_speed"},
                       {"args", {{"rpm", 1200}}}}));
    EXPECT_EQ(dash.count(), 0u);  // no ack unless asked
    EXPECT_EQ(load(h.stats().commands_accepted), 1u);
}

TEST(Router, ResponseReachesOnlyTheSendingController) {
    harness h;
    auto dash = h.controller("dash-1");
    auto other = h.controller("dash-2");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-17");
    h.respond(pump, "dash-1", "c-17",
              {{"ok", true}, {"result", {{"rpm", 1200}}}, {"from", "someone-else"}});
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last(), json({{"type", "response"},
                                 {"from", "pump-12"},
                                 {"id", "c-17"},
                                 {"ok", true},
                                 {"result", {{"rpm", 1200}}}}));
    EXPECT_EQ(other.count(), 0u);
    EXPECT_EQ(pump.count(), 1u);  // just the command, no error
    EXPECT_EQ(h.r().pending().size(), 0u);
    EXPECT_EQ(load(h.stats().commands_answered), 1u);
}

TEST(Router, FailedResponseIsPassedOnWithItsError) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    h.command(dash, "pump", "c-1");
    h.respond(pump, "dash", "c-1",
              {{"ok", false}, {"error", {{"code", "busy"}, {"message", "motor hot"}}}});
    EXPECT_EQ(dash.last()["ok"], false);
    EXPECT_EQ(dash.last()["error"], json({{"code", "busy"}, {"message", "motor hot"}}));
}

TEST(Router, SameCorrelationIdFromTwoControllersStaysApart) {
    harness h;
    auto a = h.controller("dash-a");
    auto b = h.controller("dash-b");
    auto pump = h.device("pump");
    h.command(a, "pump", "c-1");
    h.command(b, "pump", "c-1");
    h.respond(pump, "dash-b", "c-1", {{"ok", true}, {"result", "for b"}});
    EXPECT_EQ(a.count(), 0u);
    ASSERT_EQ(b.count(), 1u);
    EXPECT_EQ(b.last()["result"], "for b");
    h.respond(pump, "dash-a", "c-1", {{"ok", true}, {"result", "for a"}});
    ASSERT_EQ(a.count(), 1u);
    EXPECT_EQ(a.last()["result"], "for a");
}

TEST(Router, AckDeliveredComesBeforeTheResponse) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    h.command(dash, "pump", "c-1", {{"ack", true}});
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last(), json({{"type", "ack"}, {"id", "c-1"}, {"status", "delivered"}}));
    h.respond(pump, "dash", "c-1");
    ASSERT_EQ(dash.count(), 2u);
    EXPECT_EQ(dash.link->frame(0)["type"], "ack");
    EXPECT_EQ(dash.link->frame(1)["type"], "response");
}

TEST(Router, AckComesBeforeTheResponseOfADeviceThatAnswersAtOnce) {
    // In the gateway the device's session answers on its own thread, possibly
    // before on_command returns: the fake answers from inside deliver().
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    pump.link->on_deliver([&](const std::string& text) {
        json c = json::parse(text);
        if (c["type"] == "command") h.respond(pump, c["from"], c["id"]);
    });
    h.command(dash, "pump", "c-1", {{"ack", true}});
    ASSERT_EQ(dash.count(), 2u);
    EXPECT_EQ(dash.link->frame(0)["type"], "ack");
    EXPECT_EQ(dash.link->frame(1)["type"], "response");
    EXPECT_EQ(dash.link->frame(1)["id"], "c-1");
}

TEST(Router, CommandToOfflineDeviceIsOffline) {
    harness h;
    auto dash = h.controller("dash");
    h.command(dash, "pump-99", "c-18", {{"ack", true}});
    ASSERT_EQ(dash.count(), 1u);
    json e = dash.last();
    EXPECT_EQ(e["type"], "error");
    EXPECT_EQ(e["code"], "offline");
    EXPECT_EQ(e["id"], "c-18");
    EXPECT_EQ(e["request_type"], "command");
    EXPECT_NE(e["message"].get<std::string>().find("pump-99"), std::string::npos);
    EXPECT_EQ(h.r().pending().size(), 0u);
    EXPECT_EQ(load(h.stats().offline_errors), 1u);
}

TEST(Router, CommandToAControllerIsForbidden) {
    harness h;
    auto dash = h.controller("dash");
    auto ops = h.controller("ops");
    h.command(dash, "ops", "c-1");
    EXPECT_EQ(ops.count(), 0u);
    EXPECT_EQ(dash.last()["code"], "forbidden");
    EXPECT_EQ(dash.last()["id"], "c-1");
    EXPECT_EQ(h.r().pending().size(), 0u);
}

TEST(Router, CommandFromADeviceIsForbidden) {
    harness h;
    auto pump = h.device("pump");
    auto valve = h.device("valve");
    h.command(pump, "valve", "c-1");
    EXPECT_EQ(valve.count(), 0u);
    EXPECT_EQ(pump.last()["code"], "forbidden");
    EXPECT_EQ(pump.last()["request_type"], "command");
    EXPECT_EQ(load(h.stats().forbidden), 1u);
}

TEST(Router, DuplicatePendingIdIsBadRequestNamingId) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    h.command(dash, "pump", "c-1");
    h.command(dash, "pump", "c-1");
    EXPECT_EQ(pump.count(), 1u);
    EXPECT_EQ(dash.last()["code"], "bad_request");
    EXPECT_EQ(dash.last()["field"], "id");
    EXPECT_EQ(dash.last()["id"], "c-1");
}

TEST(Router, TooManyCommandsInFlightIsOverloaded) {
    router_options o = harness::test_options();
    o.max_pending_per_controller = 2;
    harness h(o);
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    h.command(dash, "pump", "c-1");
    h.command(dash, "pump", "c-2");
    h.command(dash, "pump", "c-3");
    EXPECT_EQ(pump.count(), 2u);
    EXPECT_EQ(dash.last()["code"], "overloaded");
    EXPECT_EQ(dash.last()["id"], "c-3");
}

// A reload: new ACL rules and limits hold for the next frame of a client
// already registered; what is pending stays, and the node name cannot change.
TEST(Router, NewOptionsApplyToTheNextFrameOfOpenClients) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    h.command(dash, "pump", "c-1");
    EXPECT_EQ(pump.count(), 1u);

    router_options o = harness::test_options();
    o.node = "another-name";
    o.max_pending_per_controller = 1;
    o.access.rules.push_back({.allow = false, .from = "dash", .to = "pump", .names = {"stop"}});
    h.r().set_options(o);
    EXPECT_EQ(h.r().options()->node, "gw-test");
    EXPECT_EQ(h.r().options()->max_pending_per_controller, 1u);

    h.send(dash, {{"type", "command"}, {"to", "pump"}, {"id", "c-2"}, {"name", "stop"}});
    EXPECT_EQ(dash.last()["code"], "forbidden");
    h.command(dash, "pump", "c-3");
    EXPECT_EQ(dash.last()["code"], "overloaded");
    EXPECT_EQ(pump.count(), 1u);
    EXPECT_EQ(h.r().pending().size(), 1u);  // c-1 is still pending
    h.respond(pump, "dash", "c-1");
    EXPECT_EQ(dash.last()["type"], "response");

    auto late = h.controller("late");
    h.command(late, "pump", "c-4");
    EXPECT_EQ(pump.count(), 2u);
}

// --- timeouts ---

TEST(Router, TimeoutGivesExactlyOneServerMadeResponse) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    h.command(dash, "pump", "c-1", {{"timeout_ms", 5000}});
    h.advance(4999ms);
    EXPECT_EQ(dash.count(), 0u);
    h.advance(1ms);
    ASSERT_EQ(dash.count(), 1u);
    json r = dash.last();
    EXPECT_EQ(r["type"], "response");
    EXPECT_EQ(r["from"], "pump");
    EXPECT_EQ(r["id"], "c-1");
    EXPECT_EQ(r["ok"], false);
    EXPECT_EQ(r["error"]["code"], "timeout");
    EXPECT_TRUE(r["error"]["message"].is_string());
    EXPECT_FALSE(r.contains("result"));
    h.advance(1h);
    EXPECT_EQ(dash.count(), 1u);
    EXPECT_EQ(load(h.stats().command_timeouts), 1u);
}

TEST(Router, ClearReleasesEveryRecordAndSendsNothing) {
    harness h;
    std::weak_ptr<const client_record> dash_record, pump_record;
    std::shared_ptr<fake_endpoint> dash_link;
    {
        auto dash = h.controller("dash");
        auto pump = h.device("pump");
        h.send(dash, {{"type", "subscribe"}, {"ids", {"pump", "p*"}}});
        h.command(dash, "pump", "c-1");
        dash.link->clear();
        dash_record = dash.self;
        pump_record = pump.self;
        dash_link = dash.link;
    }
    EXPECT_FALSE(dash_record.expired());  // held by the registry, followers, pending
    h.r().clear();
    EXPECT_TRUE(dash_record.expired());
    EXPECT_TRUE(pump_record.expired());
    EXPECT_EQ(h.r().clients().size(), 0u);
    EXPECT_EQ(h.r().pending().size(), 0u);
    EXPECT_EQ(dash_link->frame_count(), 0u);  // shutdown: no timeouts, no presence
    h.advance(1h);
    EXPECT_EQ(dash_link->frame_count(), 0u);
}

TEST(Router, LateResponseGetsUnknownCommandAndNothingReachesTheController) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    h.command(dash, "pump", "c-1", {{"timeout_ms", 100}});
    h.advance(100ms);
    ASSERT_EQ(dash.count(), 1u);
    h.respond(pump, "dash", "c-1", {{"ok", true}, {"result", 1}});
    EXPECT_EQ(dash.count(), 1u);
    EXPECT_EQ(pump.last()["type"], "error");
    EXPECT_EQ(pump.last()["code"], "unknown_command");
    EXPECT_EQ(pump.last()["id"], "c-1");
    EXPECT_EQ(pump.last()["request_type"], "response");
    EXPECT_EQ(load(h.stats().late_responses), 1u);
}

TEST(Router, DefaultTimeoutAppliesWhenNoneGiven) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    h.command(dash, "pump", "c-1");
    h.advance(29999ms);
    EXPECT_EQ(dash.count(), 0u);
    h.advance(1ms);
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["error"]["code"], "timeout");
}

TEST(Router, TimeoutOverTheMaxIsCapped) {
    router_options o = harness::test_options();
    o.command_timeout_max = 60000ms;
    harness h(o);
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    h.command(dash, "pump", "c-1", {{"timeout_ms", std::int64_t{1} << 60}});
    h.advance(59999ms);
    EXPECT_EQ(dash.count(), 0u);
    h.advance(1ms);
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["error"]["code"], "timeout");
    EXPECT_NE(dash.last()["error"]["message"].get<std::string>().find("60000"), std::string::npos);
}

// --- wrong answers ---

TEST(Router, ResponseFromTheWrongDeviceIsUnknownCommand) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    auto valve = h.device("valve");
    h.command(dash, "pump", "c-1");
    h.respond(valve, "dash", "c-1");
    EXPECT_EQ(dash.count(), 0u);
    EXPECT_EQ(valve.last()["code"], "unknown_command");
    // The real device still answers it.
    h.respond(pump, "dash", "c-1");
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["from"], "pump");
}

TEST(Router, SecondResponseIsUnknownCommand) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    h.command(dash, "pump", "c-1");
    h.respond(pump, "dash", "c-1");
    h.respond(pump, "dash", "c-1");
    EXPECT_EQ(dash.count(), 1u);
    EXPECT_EQ(pump.last()["code"], "unknown_command");
    EXPECT_EQ(load(h.stats().unknown_responses), 1u);
}

TEST(Router, ResponseToNoCommandIsUnknownCommand) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    h.respond(pump, "dash", "never-sent");
    h.respond(pump, "nobody", "c-1");
    EXPECT_EQ(dash.count(), 0u);
    ASSERT_EQ(pump.count(), 2u);
    EXPECT_EQ(pump.link->frame(0)["code"], "unknown_command");
    EXPECT_EQ(pump.link->frame(1)["code"], "unknown_command");
}

// --- controllers leaving, full queues ---

TEST(Router, ControllerLeavingDropsItsPendingCommands) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    h.command(dash, "pump", "c-1", {{"timeout_ms", 100}});
    h.command(dash, "pump", "c-2", {{"timeout_ms", 100}});
    h.leave(dash);
    EXPECT_EQ(h.r().pending().size(), 0u);
    EXPECT_EQ(load(h.stats().commands_dropped), 2u);
    h.advance(1h);
    EXPECT_EQ(dash.count(), 0u);
    h.respond(pump, "dash", "c-1");
    EXPECT_EQ(dash.count(), 0u);
    EXPECT_EQ(pump.last()["code"], "unknown_command");
}

TEST(Router, TakenOverControllerLeavingKeepsTheNewSessionsCommands) {
    harness h;
    auto pump = h.device("pump");
    auto old_dash = h.controller("dash");
    h.command(old_dash, "pump", "old-1", {{"timeout_ms", 100}});
    auto new_dash = h.controller("dash");
    h.command(new_dash, "pump", "new-1", {{"timeout_ms", 100}});
    h.leave(old_dash);
    EXPECT_EQ(h.r().pending().size(), 1u);
    h.advance(100ms);
    EXPECT_EQ(old_dash.count(), 0u);
    ASSERT_EQ(new_dash.count(), 1u);
    EXPECT_EQ(new_dash.last()["id"], "new-1");
    EXPECT_EQ(new_dash.last()["error"]["code"], "timeout");
}

TEST(Router, RefusedDeliveryGivesOverloadedAndNoLaterTimeout) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    pump.link->refuse();
    h.command(dash, "pump", "c-1", {{"timeout_ms", 100}});
    EXPECT_EQ(pump.link->refused(), 1u);
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["type"], "error");
    EXPECT_EQ(dash.last()["code"], "overloaded");
    EXPECT_EQ(dash.last()["id"], "c-1");
    EXPECT_EQ(h.r().pending().size(), 0u);
    h.advance(1h);
    EXPECT_EQ(dash.count(), 1u);
    EXPECT_EQ(load(h.stats().commands_accepted), 0u);
    EXPECT_EQ(load(h.stats().overloaded_errors), 1u);
}

TEST(Router, RefusedDeliveryWithAckStillEndsInOneOverloadedError) {
    // The ack is queued before the hand-off (see AckComesBeforeTheResponse...),
    // so a refused hand-off follows it with the command's one outcome.
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    pump.link->refuse();
    h.command(dash, "pump", "c-1", {{"timeout_ms", 100}, {"ack", true}});
    h.advance(1h);
    auto errors = dash.link->of_type("error");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0]["code"], "overloaded");
    EXPECT_EQ(errors[0]["id"], "c-1");
    EXPECT_TRUE(dash.link->of_type("response").empty());
    EXPECT_EQ(dash.last()["type"], "error");
}

// --- messages ---

TEST(Router, MessagesGoBothWaysPrivatelyWithFromStamped) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    auto bystander = h.controller("ops");
    h.send(dash, {{"type", "message"},
                  {"to", "pump"},
                  {"payload", {{"hello", 1}}},
                  {"from", "ops"},
                  {"id", "m-1"}});
    ASSERT_EQ(pump.count(), 1u);
    EXPECT_EQ(
        pump.last(),
        json({{"type", "message"}, {"from", "dash"}, {"id", "m-1"}, {"payload", {{"hello", 1}}}}));
    h.send(pump, {{"type", "message"}, {"to", "dash"}, {"payload", "back"}, {"from", "ops"}});
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last(), json({{"type", "message"}, {"from", "pump"}, {"payload", "back"}}));
    EXPECT_EQ(bystander.count(), 0u);
    EXPECT_EQ(load(h.stats().messages_routed), 2u);
}

TEST(Router, MessageToOfflineIdIsOffline) {
    harness h;
    auto dash = h.controller("dash");
    h.send(dash, {{"type", "message"}, {"to", "ghost"}, {"payload", 1}, {"id", "m-1"}});
    EXPECT_EQ(dash.last()["code"], "offline");
    EXPECT_EQ(dash.last()["id"], "m-1");
    EXPECT_EQ(dash.last()["request_type"], "message");
}

TEST(Router, MessageToAFullQueueIsOverloaded) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump");
    pump.link->refuse();
    h.send(dash, {{"type", "message"}, {"to", "pump"}, {"payload", 1}});
    EXPECT_EQ(dash.last()["code"], "overloaded");
    EXPECT_FALSE(dash.last().contains("id"));
}

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

    h.leave(pump);
    ASSERT_EQ(dash.count(), 2u);
    json off = dash.last();
    EXPECT_EQ(off["type"], "presence");
    EXPECT_EQ(off["id"], "pump-1");
    EXPECT_EQ(off["online"], false);
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

// --- list ---

TEST(Router, ListFiltersByRoleAndPrefix) {
    harness h;
    auto dash = h.controller("dash");
    h.device("pump-2");
    h.device("pump-1");
    h.device("valve-1");
    h.controller("pump-ctl");
    h.send(dash, {{"type", "list"}, {"role", "device"}, {"prefix", "pump-"}, {"id", "l-1"}});
    json l = dash.last();
    EXPECT_EQ(l["type"], "list");
    EXPECT_EQ(l["id"], "l-1");
    EXPECT_EQ(l["more"], false);
    ASSERT_EQ(l["items"].size(), 2u);
    EXPECT_EQ(l["items"][0]["id"], "pump-1");
    EXPECT_EQ(l["items"][1]["id"], "pump-2");
    EXPECT_EQ(l["items"][0]["role"], "device");
    EXPECT_EQ(l["items"][0]["via"], "ws");

    h.send(dash, {{"type", "list"}, {"role", "controller"}});
    json controllers = dash.last();
    std::vector<std::string> ids;
    for (auto& item : controllers["items"]) ids.push_back(item["id"]);
    EXPECT_EQ(ids, (std::vector<std::string>{"dash", "pump-ctl"}));
}

TEST(Router, ListLimitSetsMoreAndIsCappedAtTheMax) {
    router_options o = harness::test_options();
    o.list_limit_default = 3;
    o.list_limit_max = 5;
    harness h(o);
    auto dash = h.controller("dash");
    for (int i = 0; i < 9; ++i) h.device("d" + std::to_string(i));

    h.send(dash, {{"type", "list"}, {"role", "device"}});
    EXPECT_EQ(dash.last()["items"].size(), 3u);
    EXPECT_EQ(dash.last()["more"], true);

    h.send(dash, {{"type", "list"}, {"role", "device"}, {"limit", 1000}});
    EXPECT_EQ(dash.last()["items"].size(), 5u);
    EXPECT_EQ(dash.last()["more"], true);

    h.send(dash, {{"type", "list"}, {"role", "device"}, {"limit", 5}, {"after", "d4"}});
    json l = dash.last();
    ASSERT_EQ(l["items"].size(), 4u);
    EXPECT_EQ(l["items"][0]["id"], "d5");
    EXPECT_EQ(l["more"], false);
}

// --- names and who may watch (issue 10, items 6 and 7) ---

TEST(Router, NamesOutsideTheGrammarAreBadRequestAndNeverDelivered) {
    for (const char* text :
         {R"({"type":"command","to":"pump","id":"c-1","name":"factory_reset\u0000"})",
          R"({"type":"command","to":"pump","id":"c-1","name":"factory reset\n"})",
          R"({"type":"event","name":"temp\u0000x"})", R"({"type":"event","name":""})"}) {
        parse_result parsed = parse_frame(text);
        auto* error = std::get_if<frame_error>(&parsed);
        ASSERT_NE(error, nullptr) << text;
        EXPECT_EQ(error->code, error_code::bad_request);
        EXPECT_EQ(error->field, "name");
    }
    EXPECT_TRUE(std::holds_alternative<inbound_frame>(
        parse_frame(R"({"type":"command","to":"p","id":"c","name":"plant-1:reset@v2.1"})")));
}

TEST(Router, DevicesMayObserveNoOneByDefaultControllersEveryone) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump-1");
    h.device("pump-2");
    h.send(pump, {{"type", "subscribe"}, {"ids", {"*"}}, {"id", "s-1"}});
    EXPECT_EQ(pump.last()["code"], "forbidden");
    EXPECT_EQ(pump.last()["request_type"], "subscribe");
    h.send(pump, {{"type", "subscribe"}, {"ids", {"pump-2"}}});
    EXPECT_EQ(pump.last()["code"], "forbidden");
    h.send(pump, {{"type", "list"}, {"id", "l-1"}});
    EXPECT_EQ(pump.last()["code"], "forbidden");
    EXPECT_EQ(pump.last()["request_type"], "list");
    EXPECT_EQ(load(h.stats().forbidden), 3u);
    // Refused, so nothing of the fleet reaches it.
    h.leave(h.device("pump-3"));
    EXPECT_EQ(pump.link->of_type("presence").size(), 0u);

    h.send(dash, {{"type", "subscribe"}, {"ids", {"*"}}});
    EXPECT_EQ(dash.last()["type"], "subscribed");
    h.send(dash, {{"type", "list"}});
    EXPECT_EQ(dash.last()["type"], "list");
}

TEST(Router, ObserveRulesUseTheSameFromAndToPatterns) {
    router_options o = harness::test_options();
    o.access.rules = {
        {.allow = true, .action = access_action::observe, .from = "pump-1", .to = "pump-*"},
        {.allow = false, .action = access_action::observe, .from = "dash-2"},
    };
    harness h(o);
    auto pump = h.device("pump-1");
    auto dash2 = h.controller("dash-2");
    h.send(pump, {{"type", "subscribe"}, {"ids", {"pump-*"}}});
    EXPECT_EQ(pump.last()["type"], "subscribed");
    h.send(pump, {{"type", "list"}, {"prefix", "pump-"}});
    EXPECT_EQ(pump.last()["type"], "list");
    h.send(pump, {{"type", "list"}});
    EXPECT_EQ(pump.last()["code"], "forbidden");
    h.send(dash2, {{"type", "subscribe"}, {"ids", {"pump-1"}}});
    EXPECT_EQ(dash2.last()["code"], "forbidden");
}

TEST(Router, ForbiddenComesBeforeOfflineSoPresenceDoesNotLeak) {
    router_options o = harness::test_options();
    o.access.rules = {{.allow = false, .from = "dash", .to = "secret-*"}};
    harness h(o);
    auto dash = h.controller("dash");
    h.command(dash, "secret-1", "c-1");  // not connected
    EXPECT_EQ(dash.last()["code"], "forbidden");
    h.send(dash, {{"type", "message"}, {"to", "secret-2"}, {"payload", 1}});
    EXPECT_EQ(dash.last()["code"], "forbidden");
    h.command(dash, "other", "c-2");
    EXPECT_EQ(dash.last()["code"], "offline");
}

TEST(Router, ListPageIsCappedInBytesAsWellAsCount) {
    router_options o = harness::test_options();
    o.list_max_bytes = 4096;
    harness h(o);
    auto dash = h.controller("dash");
    json meta = {{"note", std::string(900, 'm')}};
    for (int i = 0; i < 20; ++i) h.connect("d" + std::to_string(10 + i), client_role::device, meta);
    h.send(dash, {{"type", "list"}, {"role", "device"}, {"limit", 20}});
    json l = dash.last();
    EXPECT_EQ(l["more"], true);
    EXPECT_GE(l["items"].size(), 1u);
    EXPECT_LT(l["items"].size(), 5u);
    EXPECT_LE(dash.link->raw_frames().back().size(), 4096u + 1024u);
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

// --- exactly one outcome per command ---

TEST(Router, EveryAcceptedCommandHasExactlyOneOutcome) {
    router_options o = harness::test_options();
    o.command_timeout_max = 800ms;
    o.max_pending_per_controller = 64;
    harness h(o);
    std::mt19937 rng(20261125);
    auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
    auto pick = [&](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    };

    std::vector<peer> devices;
    for (int i = 0; i < 6; ++i) devices.push_back(h.device("dev-" + std::to_string(i)));

    struct ctl_slot {
        std::string id;
        peer p;
        bool online = false;
        std::vector<std::string> sent;  // correlation IDs sent by the current session
    };
    std::vector<ctl_slot> ctls;
    for (int i = 0; i < 4; ++i) ctls.push_back({"ctl-" + std::to_string(i), {}, false, {}});

    std::map<std::string, int> outcomes;  // correlation ID -> outcomes seen
    std::map<std::string, int> dropped;
    std::vector<std::shared_ptr<fake_endpoint>> controller_links;

    // Commands each device received and has not answered: {controller, id}.
    // Devices get nothing but commands here (errors to them come after
    // their answers), so a new frame is the command just sent; its fields
    // are checked by the tests above, and parsing them all would only
    // slow this one down.
    std::vector<std::vector<std::pair<std::string, std::string>>> inbox(devices.size());
    std::vector<std::pair<std::string, std::string>> answered;
    // Counts outcome frames (response, or error naming the command) that
    // reached controllers since the last call; acks are not outcomes.
    std::vector<std::size_t> seen_upto;
    std::size_t acks = 0;
    auto collect = [&] {
        seen_upto.resize(controller_links.size(), 0);
        for (std::size_t i = 0; i < controller_links.size(); ++i) {
            auto& link = *controller_links[i];
            for (; seen_upto[i] < link.frame_count(); ++seen_upto[i]) {
                json f = link.frame(seen_upto[i]);
                if (f["type"] == "ack") {
                    ++acks;
                    continue;
                }
                if (f["type"] != "response" && f["type"] != "error") continue;
                ASSERT_TRUE(f.contains("id")) << f.dump();
                ++outcomes[f["id"].get<std::string>()];
            }
        }
    };
    auto leave = [&](ctl_slot& c) {
        // Whatever had no outcome yet is dropped: that is its one outcome.
        // Frames reaching the old link later are still collected, and count.
        collect();
        h.leave(c.p);
        for (const auto& id : c.sent) {
            if (outcomes[id] == 0) {
                ++outcomes[id];
                ++dropped[id];
            }
        }
        c.sent.clear();
        c.online = false;
    };
    const int total = 10000;
    int accepted_or_refused = 0;
    for (int n = 0; n < total; ++n) {
        ctl_slot& c = ctls[pick(ctls.size())];
        if (!c.online) {
            c.p = h.controller(c.id);
            c.online = true;
            controller_links.push_back(c.p.link);
        }
        std::string id = "c-" + std::to_string(n);
        std::size_t to_device = pick(devices.size());
        bool ghost = chance(0.03);
        std::string target = ghost ? "ghost" : devices[to_device].id();
        std::size_t before = devices[to_device].count();
        std::size_t refusing = devices.size();
        if (chance(0.03)) {
            refusing = pick(devices.size());
            devices[refusing].link->refuse(true);
        }
        command_request cmd;
        cmd.to = target;
        cmd.id = id;
        cmd.name = "do_it";
        cmd.ack = chance(0.5);
        if (chance(0.9)) cmd.timeout_ms = static_cast<std::int64_t>(1 + pick(1000));
        h.route(c.p, cmd);
        if (refusing < devices.size()) devices[refusing].link->refuse(false);
        c.sent.push_back(id);
        outcomes.emplace(id, 0);
        ++accepted_or_refused;

        if (!ghost && devices[to_device].count() > before) {
            EXPECT_EQ(devices[to_device].count(), before + 1);
            inbox[to_device].emplace_back(c.id, id);
        }
        if (chance(0.5)) {
            std::size_t d = pick(devices.size());
            if (!inbox[d].empty()) {
                std::size_t k = pick(inbox[d].size());
                auto [to, cid] = inbox[d][k];
                inbox[d].erase(inbox[d].begin() + static_cast<std::ptrdiff_t>(k));
                response_request r;
                r.to = to;
                r.id = cid;
                r.ok = true;
                h.route(devices[d], r);
                answered.emplace_back(to, cid);
            }
        }
        if (chance(0.05) && !answered.empty()) {
            auto [to, cid] = answered[pick(answered.size())];
            h.respond(devices[pick(devices.size())], to, cid);  // repeat or wrong device
        }
        if (chance(0.3)) h.advance(std::chrono::milliseconds(pick(120)));
        if (chance(0.01)) leave(ctls[pick(ctls.size())]);
        if (chance(0.005)) {
            // Takeover: a new session claims the ID, then the old one's cleanup runs.
            ctl_slot& t = ctls[pick(ctls.size())];
            if (t.online) {
                peer fresh = h.controller(t.id);
                controller_links.push_back(fresh.link);
                leave(t);
                t.p = fresh;
                t.online = true;
            }
        }
    }
    h.advance(1h);
    for (std::size_t d = 0; d < devices.size(); ++d) {
        for (auto& [to, cid] : inbox[d]) {  // all too late
            response_request r;
            r.to = to;
            r.id = cid;
            h.route(devices[d], r);
        }
    }

    collect();
    EXPECT_EQ(accepted_or_refused, total);
    ASSERT_EQ(outcomes.size(), static_cast<std::size_t>(total));
    int bad = 0;
    for (const auto& [id, count] : outcomes) {
        if (count != 1 && ++bad <= 10) {
            ADD_FAILURE() << id << " had " << count << " outcomes"
                          << (dropped.count(id) ? " (one of them: dropped)" : "");
        }
    }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(h.r().pending().size(), 0u);
    EXPECT_GT(acks, 0u);
    // Every kind of outcome happened.
    EXPECT_GT(load(h.stats().commands_answered), 0u);
    EXPECT_GT(load(h.stats().command_timeouts), 0u);
    EXPECT_GT(load(h.stats().commands_dropped), 0u);
    EXPECT_GT(load(h.stats().overloaded_errors), 0u);
    EXPECT_GT(load(h.stats().offline_errors), 0u);
    EXPECT_GT(load(h.stats().late_responses), 0u);
    EXPECT_EQ(load(h.stats().commands_answered) + load(h.stats().command_timeouts) +
                  load(h.stats().commands_dropped),
              load(h.stats().commands_accepted));
}

}  // namespace
}  // namespace switchboard
