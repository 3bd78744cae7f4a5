// core/router: commands, their acks, responses, timeouts and the ways they end early.

#include <gtest/gtest.h>

#include "router_harness.hpp"

namespace switchboard::testing {
namespace {

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
    EXPECT_EQ(h.r().ledger().size(), 0u);
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
    EXPECT_EQ(h.r().ledger().size(), 0u);
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
    EXPECT_EQ(h.r().ledger().size(), 0u);
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
    EXPECT_EQ(h.r().ledger().size(), 1u);  // c-1 is still pending
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
    EXPECT_EQ(h.r().ledger().size(), 0u);
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
    EXPECT_EQ(h.r().ledger().size(), 0u);
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
    EXPECT_EQ(h.r().ledger().size(), 1u);
    h.advance(100ms);
    EXPECT_EQ(old_dash.count(), 0u);
    ASSERT_EQ(new_dash.count(), 1u);
    EXPECT_EQ(new_dash.last()["id"], "new-1");
    EXPECT_EQ(new_dash.last()["error"]["code"], "timeout");
}

TEST(Router, DeviceLeavingEndsItsCommandsAtOnceAsDeviceDisconnected) {
    harness h;
    auto dash = h.controller("dash");
    auto ops = h.controller("ops");
    auto pump = h.device("pump");
    auto valve = h.device("valve");
    for (int i = 0; i < 10; ++i) h.command(dash, "pump", "c-" + std::to_string(i));
    h.command(ops, "pump", "o-1");
    h.command(dash, "valve", "v-1");
    h.leave(pump);
    // No time passed: each ended on the spot, once, to its own controller.
    ASSERT_EQ(dash.count(), 10u);
    for (int i = 0; i < 10; ++i) {
        json f = dash.link->frame(static_cast<std::size_t>(i));
        EXPECT_EQ(f["type"], "response");
        EXPECT_EQ(f["from"], "pump");
        EXPECT_EQ(f["id"], "c-" + std::to_string(i));
        EXPECT_EQ(f["ok"], false);
        EXPECT_EQ(f["error"]["code"], "device_disconnected");
    }
    ASSERT_EQ(ops.count(), 1u);
    EXPECT_EQ(ops.last()["error"]["code"], "device_disconnected");
    EXPECT_EQ(load(h.stats().commands_device_disconnected), 11u);
    // The valve's command is untouched, and nothing times out later.
    EXPECT_EQ(h.r().ledger().size(), 1u);
    h.advance(1h);
    EXPECT_EQ(dash.count(), 11u);
    EXPECT_EQ(dash.last()["id"], "v-1");
    EXPECT_EQ(dash.last()["error"]["code"], "timeout");
}

TEST(Router, ANewSessionOfTheDeviceCannotAnswerItsPredecessorsCommands) {
    harness h;
    auto dash = h.controller("dash");
    auto old_pump = h.device("pump");
    h.command(dash, "pump", "c-1");
    // Taken over: the new session registers first, then the old one's cleanup runs.
    auto new_pump = h.device("pump");
    h.respond(new_pump, "dash", "c-1");
    EXPECT_EQ(new_pump.last()["code"], "unknown_command");
    EXPECT_EQ(dash.count(), 0u);
    h.leave(old_pump);
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["error"]["code"], "device_disconnected");
    // Still no: the command ended, and the device is told so.
    h.respond(new_pump, "dash", "c-1");
    EXPECT_EQ(new_pump.last()["code"], "unknown_command");
    EXPECT_NE(new_pump.last()["message"].get<std::string>().find("disconnected"), std::string::npos)
        << new_pump.last().dump();
    EXPECT_EQ(dash.count(), 1u);
    // The new session's own commands are its to answer.
    h.command(dash, "pump", "c-2");
    h.respond(new_pump, "dash", "c-2");
    EXPECT_EQ(dash.last()["ok"], true);
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
    EXPECT_EQ(h.r().ledger().size(), 0u);
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

// --- what /metrics reads: round-trip latency, frames by type, refusals by reason ---

TEST(Router, CommandRoundTripIsTimedByOutcome) {
    harness h;
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-1");
    h.command(dash, "pump-1", "c1");
    h.advance(3ms);
    h.respond(pump, "dash-1", "c1");
    h.command(dash, "pump-1", "c2");
    h.respond(pump, "dash-1", "c2", {{"ok", false}, {"error", {{"code", "busy"}}}});
    h.command(dash, "pump-1", "c3", {{"timeout_ms", 50}});
    h.advance(60ms);

    auto ok = h.stats().command_latency[0].read();
    auto error = h.stats().command_latency[1].read();
    auto timeout = h.stats().command_latency[2].read();
    EXPECT_EQ(ok.count, 1u);
    EXPECT_EQ(ok.sum_us, 3000u);
    EXPECT_EQ(ok.counts[5], 1u);  // 3 ms lands in (2.5 ms, 5 ms]
    EXPECT_EQ(error.count, 1u);
    EXPECT_EQ(error.sum_us, 0u);
    EXPECT_EQ(timeout.count, 1u);
    EXPECT_GE(timeout.sum_us, 50000u);
}

TEST(Router, FramesAreCountedByTypeInAndOut) {
    harness h;
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-1");
    h.send(dash, {{"type", "subscribe"}, {"ids", {"pump-*"}}});
    h.command(dash, "pump-1", "c1", {{"ack", true}});
    h.respond(pump, "dash-1", "c1");
    h.send(pump, {{"type", "event"}, {"name", "temp"}});
    h.command(dash, "nobody", "c2");

    auto in = [&](std::size_t i) { return load(h.stats().frames_routed[i]); };
    auto out = [&](outbound_type t) {
        return load(h.stats().frames_sent[static_cast<std::size_t>(t)]);
    };
    EXPECT_EQ(in(1), 2u);  // command
    EXPECT_EQ(in(2), 1u);  // response
    EXPECT_EQ(in(4), 1u);  // event
    EXPECT_EQ(in(5), 1u);  // subscribe
    EXPECT_EQ(out(outbound_type::registered), 2u);
    EXPECT_EQ(out(outbound_type::subscribed), 1u);
    EXPECT_EQ(out(outbound_type::ack), 1u);
    EXPECT_EQ(out(outbound_type::command), 1u);
    EXPECT_EQ(out(outbound_type::response), 1u);
    EXPECT_EQ(out(outbound_type::event), 1u);
    EXPECT_EQ(out(outbound_type::error), 1u);
    EXPECT_EQ(load(h.stats().commands_refused_offline), 1u);
}

TEST(Router, RefusedCommandsAreCountedByReason) {
    router_options o = harness::test_options();
    o.max_pending_per_controller = 1;
    harness h(o);
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-1");
    h.command(pump, "pump-1", "x");  // a device may not command
    h.command(dash, "pump-1", "c1");
    h.command(dash, "pump-1", "c1");  // still pending
    h.command(dash, "pump-1", "c2");  // over the cap of 1
    EXPECT_EQ(load(h.stats().commands_refused_forbidden), 1u);
    EXPECT_EQ(load(h.stats().commands_refused_duplicate), 1u);
    EXPECT_EQ(load(h.stats().commands_refused_overloaded), 1u);
    EXPECT_EQ(load(h.stats().commands_accepted), 1u);
}

}  // namespace
}  // namespace switchboard::testing
