// core/router with controller recovery on: a leaving controller's commands
// run on, their outcomes wait for its ID and come back after `registered`,
// in order and once; the window's end drops what is still in flight; a
// takeover hears its ID's outcomes live; with a store the kept outcomes
// survive a restart, and so does a restored command's outcome.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "memory_command_store.hpp"
#include "router_harness.hpp"

namespace switchboard::testing {
namespace {

router_options with_recovery(std::chrono::milliseconds window = 120000ms) {
    router_options o = harness::test_options();
    o.recovery.window = window;
    return o;
}

std::vector<std::string> ids_of(const peer& p) {
    std::vector<std::string> ids;
    for (const auto& f : p.link->frames()) ids.push_back(f.value("id", ""));
    return ids;
}

TEST(RouterRecovery, OutcomesWhileAwayComeBackAfterRegisteredInOrderOnce) {
    harness h(with_recovery());
    auto pump = h.device("pump");
    auto valve = h.device("valve");
    auto dash = h.controller("dash");
    h.command(dash, "pump", "c-1", {{"timeout_ms", 5000}});
    h.command(dash, "valve", "c-2", {{"timeout_ms", 5000}});
    h.command(dash, "pump", "c-3", {{"timeout_ms", 1000}});
    h.leave(dash);
    EXPECT_EQ(load(h.stats().commands_dropped), 0u);
    EXPECT_EQ(h.r().ledger().size(), 3u);
    h.respond(pump, "dash", "c-1", {{"ok", true}, {"result", {{"rpm", 5}}}});
    h.leave(valve);     // c-2: device_disconnected
    h.advance(1500ms);  // c-3: timeout
    EXPECT_EQ(dash.count(), 0u);
    EXPECT_EQ(load(h.stats().recovery_kept), 3u);

    auto back = h.controller("dash");
    ASSERT_EQ(ids_of(back), (std::vector<std::string>{"c-1", "c-2", "c-3"}));
    for (const auto& f : back.link->frames()) EXPECT_EQ(f["recovered"], true);
    EXPECT_EQ(back.link->frame(0)["result"]["rpm"], 5);
    EXPECT_EQ(back.link->frame(1)["error"]["code"], "device_disconnected");
    EXPECT_EQ(back.link->frame(2)["error"]["code"], "timeout");
    EXPECT_EQ(load(h.stats().recovery_delivered), 3u);
    h.leave(back);
    EXPECT_EQ(h.controller("dash").count(), 0u);
}

TEST(RouterRecovery, TheWindowsEndDropsWhatIsStillInFlight) {
    harness h(with_recovery(1000ms));
    auto pump = h.device("pump");
    auto dash = h.controller("dash");
    h.command(dash, "pump", "c-1", {{"timeout_ms", 60000}});
    h.command(dash, "pump", "c-2", {{"timeout_ms", 60000}});
    h.leave(dash);
    h.respond(pump, "dash", "c-1");
    h.advance(999ms);
    EXPECT_EQ(load(h.stats().commands_dropped), 0u);
    h.advance(1ms);
    EXPECT_EQ(load(h.stats().commands_dropped), 1u);
    EXPECT_EQ(load(h.stats().recovery_expired), 1u);
    EXPECT_EQ(h.r().ledger().size(), 0u);
    h.respond(pump, "dash", "c-2");
    EXPECT_EQ(pump.last()["code"], "unknown_command");
    EXPECT_EQ(h.controller("dash").count(), 0u);
}

TEST(RouterRecovery, ACommandSentByTheReturningConnectionOutlivesTheOldWindow) {
    harness h(with_recovery(1000ms));
    auto pump = h.device("pump");
    auto dash = h.controller("dash");
    h.command(dash, "pump", "c-1", {{"timeout_ms", 60000}});
    h.leave(dash);
    auto back = h.controller("dash");
    h.command(back, "pump", "c-2", {{"timeout_ms", 60000}});
    h.leave(back);
    h.advance(500ms);
    auto third = h.controller("dash");
    h.advance(5000ms);  // both windows have passed; the ID is attached
    EXPECT_EQ(load(h.stats().commands_dropped), 0u);
    h.respond(pump, "dash", "c-1");
    h.respond(pump, "dash", "c-2");
    EXPECT_EQ(ids_of(third), (std::vector<std::string>{"c-1", "c-2"}));
}

TEST(RouterRecovery, ATakeoverHearsItsIdsOutcomesLive) {
    harness h(with_recovery());
    auto pump = h.device("pump");
    auto dash = h.controller("dash");
    h.command(dash, "pump", "c-1");
    auto fresh = h.controller("dash");  // takes the ID over
    h.leave(dash);                      // the old one's cleanup
    h.respond(pump, "dash", "c-1");
    ASSERT_EQ(fresh.count(), 1u);
    EXPECT_EQ(fresh.last()["id"], "c-1");
    EXPECT_FALSE(fresh.last().contains("recovered"));
    EXPECT_EQ(load(h.stats().recovery_kept), 0u);
}

TEST(RouterRecovery, KeptOutcomesSurviveARestartWithAStore) {
    memory_command_store store;
    {
        harness before(with_recovery());
        before.r().use_store(store, before.now(), wall_ms());
        auto pump = before.device("pump");
        auto dash = before.controller("dash");
        before.command(dash, "pump", "c-1");
        before.command(dash, "pump", "c-2");
        before.leave(dash);
        before.respond(pump, "dash", "c-2");
        before.respond(pump, "dash", "c-1");
        store.commit();
    }
    ASSERT_EQ(store.outcomes().size(), 2u);
    harness after(with_recovery());
    after.r().use_store(store, after.now(), wall_ms());
    auto restored = after.r().restore_outcomes(after.now(), wall_ms());
    EXPECT_EQ(restored.kept, 2u);
    auto dash = after.controller("dash");
    EXPECT_EQ(ids_of(dash), (std::vector<std::string>{"c-2", "c-1"}));
    store.commit();
    EXPECT_TRUE(store.outcomes().empty());
}

TEST(RouterRecovery, ARestoredCommandsOutcomeWaitsForItsController) {
    memory_command_store store;
    {
        harness before(with_recovery());
        before.r().use_store(store, before.now(), wall_ms());
        auto dash = before.controller("dash");
        before.command(dash, "pump", "q-1", {{"ttl_ms", 60000}});
        store.commit();
    }
    harness after(with_recovery());
    after.r().use_store(store, after.now(), wall_ms());
    auto pump = after.device("pump");
    after.respond(pump, "dash", "q-1");
    EXPECT_EQ(load(after.stats().recovery_kept), 1u);
    auto dash = after.controller("dash");
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["id"], "q-1");
    EXPECT_EQ(dash.last()["recovered"], true);
}

}  // namespace
}  // namespace switchboard::testing
