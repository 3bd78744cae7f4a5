// core/router: `status`, a controller asking for the state of one of its
// commands in the ledger, through every way a command ends.

#include <gtest/gtest.h>

#include "router_harness.hpp"

namespace switchboard::testing {
namespace {

json status_of(harness& h, const peer& from, const std::string& id) {
    std::size_t before = from.count();
    h.send(from, {{"type", "status"}, {"id", id}});
    EXPECT_EQ(from.count(), before + 1) << "no answer to status " << id;
    return from.last();
}

json status_answer(const std::string& id, const std::string& state, const std::string& to = {}) {
    json f = {{"type", "status"}, {"id", id}, {"state", state}};
    if (!to.empty()) f["to"] = to;
    return f;
}

TEST(RouterStatus, InFlightIsSentThenTheAnswerDecides) {
    harness h;
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1");
    h.command(dash, "pump-12", "c-2");
    EXPECT_EQ(status_of(h, dash, "c-1"), status_answer("c-1", "sent", "pump-12"));
    h.respond(pump, "dash-1", "c-1", {{"ok", true}});
    h.respond(pump, "dash-1", "c-2",
              {{"ok", false}, {"error", {{"code", "busy"}, {"message", "motor hot"}}}});
    EXPECT_EQ(status_of(h, dash, "c-1"), status_answer("c-1", "succeeded", "pump-12"));
    EXPECT_EQ(status_of(h, dash, "c-2"), status_answer("c-2", "failed", "pump-12"));
}

TEST(RouterStatus, TimeoutAndDeviceDisconnectedAreTerminalStates) {
    harness h;
    auto dash = h.controller("dash-1");
    auto slow = h.device("pump-1");
    auto gone = h.device("pump-2");
    h.command(dash, "pump-1", "c-1", {{"timeout_ms", 100}});
    h.command(dash, "pump-2", "c-2");
    h.advance(100ms);
    h.leave(gone);
    EXPECT_EQ(status_of(h, dash, "c-1"), status_answer("c-1", "timeout", "pump-1"));
    EXPECT_EQ(status_of(h, dash, "c-2"), status_answer("c-2", "device_disconnected", "pump-2"));
    // A late answer changes nothing.
    h.respond(slow, "dash-1", "c-1");
    EXPECT_EQ(slow.last()["code"], "unknown_command");
    EXPECT_EQ(status_of(h, dash, "c-1"), status_answer("c-1", "timeout", "pump-1"));
}

TEST(RouterStatus, UnknownIdsAndOtherControllersCommandsAreUnknown) {
    harness h;
    auto dash = h.controller("dash-1");
    auto spy = h.controller("dash-2");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1");
    h.command(dash, "pump-12", "c-2");
    h.respond(pump, "dash-1", "c-2");
    EXPECT_EQ(status_of(h, dash, "nope"), status_answer("nope", "unknown"));
    // The same answer whether dash-1's command is in flight, ended, or absent.
    EXPECT_EQ(status_of(h, spy, "c-1"), status_answer("c-1", "unknown"));
    EXPECT_EQ(status_of(h, spy, "c-2"), status_answer("c-2", "unknown"));
    EXPECT_EQ(status_of(h, spy, "nope"), status_answer("nope", "unknown"));
}

TEST(RouterStatus, RefusedAndDroppedCommandsAreUnknown) {
    harness h;
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-99", "offline-1");  // refused: never accepted
    EXPECT_EQ(dash.last()["code"], "offline");
    EXPECT_EQ(status_of(h, dash, "offline-1"), status_answer("offline-1", "unknown"));
    pump.link->refuse();
    h.command(dash, "pump-12", "full-1");  // withdrawn: its outcome was `overloaded`
    EXPECT_EQ(dash.last()["code"], "overloaded");
    EXPECT_EQ(status_of(h, dash, "full-1"), status_answer("full-1", "unknown"));
}

TEST(RouterStatus, ADeviceMayNotAsk) {
    harness h;
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1");
    h.send(pump, {{"type", "status"}, {"id", "c-1"}});
    json e = pump.last();
    EXPECT_EQ(e["type"], "error");
    EXPECT_EQ(e["code"], "forbidden");
    EXPECT_EQ(e["id"], "c-1");
    EXPECT_EQ(e["request_type"], "status");
}

TEST(RouterStatus, StatusFramesAreCountedInAndOut) {
    harness h;
    auto dash = h.controller("dash-1");
    h.send(dash, {{"type", "status"}, {"id", "a"}});
    h.send(dash, {{"type", "status"}, {"id", "b"}});
    EXPECT_EQ(load(h.stats().frames_routed[7]), 2u);  // status
    EXPECT_EQ(load(h.stats().frames_sent[static_cast<std::size_t>(outbound_type::status)]), 2u);
}

}  // namespace
}  // namespace switchboard::testing
