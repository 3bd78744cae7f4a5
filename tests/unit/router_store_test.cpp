// core/router with a command store (a fake that commits when told): `ack
// queued` only after the row is committed, the row kept while the command
// may still need sending after a crash and deleted when it ends, and a
// restart's restore (order, same IDs, what expired while down).

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "memory_command_store.hpp"
#include "router_harness.hpp"

namespace switchboard::testing {
namespace {

std::vector<std::string> command_ids(const peer& p) {
    std::vector<std::string> ids;
    for (const auto& f : p.link->of_type("command")) ids.push_back(f["id"]);
    return ids;
}

TEST(RouterStore, AckQueuedIsSentOnlyOnceTheRowIsCommitted) {
    harness h;
    memory_command_store store;
    h.r().use_store(store, h.now(), wall_ms());
    auto dash = h.controller("dash-1");
    h.command(dash, "pump-7", "c-1", {{"ttl_ms", 60000}, {"timeout_ms", 5000}});
    EXPECT_EQ(dash.count(), 0u);
    EXPECT_EQ(state_of(h, dash, "c-1"), "queued");
    dash.link->clear();
    // A device that comes online before the commit gets nothing yet.
    auto pump = h.device("pump-7");
    EXPECT_EQ(pump.count(), 0u);
    store.commit();
    EXPECT_EQ(dash.link->of_type("ack").at(0), queued_ack("c-1"));
    ASSERT_EQ(command_ids(pump), std::vector<std::string>{"c-1"});
    ASSERT_EQ(store.rows().size(), 1u);
    const stored_command row = store.rows()[0];
    EXPECT_EQ(row.controller, "dash-1");
    EXPECT_EQ(row.device, "pump-7");
    EXPECT_EQ(row.timeout, std::chrono::milliseconds(5000));
    EXPECT_NEAR(static_cast<double>(row.expires_ms), static_cast<double>(wall_ms() + 60000),
                60000.0);
    EXPECT_EQ(json::parse(row.frame)["id"], "c-1");
}

TEST(RouterStore, ASentCommandKeepsItsRowUntilItEndsSoACrashSendsItAgain) {
    harness h;
    memory_command_store store;
    h.r().use_store(store, h.now(), wall_ms());
    auto dash = h.controller("dash-1");
    for (std::string id : {"c-1", "c-2", "c-3", "c-4"}) {
        h.command(dash, "pump-7", id, {{"ttl_ms", 60000}, {"timeout_ms", 5000}});
    }
    h.command(dash, "valve-1", "v-1", {{"ttl_ms", 1000}});
    h.command(dash, "valve-1", "v-2", {{"ttl_ms", 60000}});
    store.commit();
    EXPECT_EQ(store.rows().size(), 6u);
    auto pump = h.device("pump-7");
    EXPECT_EQ(command_ids(pump), (std::vector<std::string>{"c-1", "c-2", "c-3", "c-4"}));
    store.commit();
    EXPECT_EQ(store.rows().size(), 6u);  // sent is not ended
    h.respond(pump, "dash-1", "c-1");    // succeeded
    h.respond(pump, "dash-1", "c-2");
    h.send(dash, {{"type", "cancel"}, {"id", "v-2"}});  // cancelled
    h.advance(2s);                                      // v-1 expired
    store.commit();
    EXPECT_EQ(store.ids(), (std::vector<std::string>{"c-3", "c-4"}));
    h.advance(4s);  // c-3, c-4 time out
    store.commit();
    EXPECT_TRUE(store.rows().empty());

    // A device that leaves with a command outstanding ends it, and its row.
    h.leave(pump);
    h.command(dash, "pump-7", "c-5", {{"ttl_ms", 60000}});
    store.commit();
    auto again = h.device("pump-7");
    EXPECT_EQ(command_ids(again), std::vector<std::string>{"c-5"});
    EXPECT_EQ(store.ids(), std::vector<std::string>{"c-5"});
    h.leave(again);
    EXPECT_EQ(dash.last()["error"]["code"], "device_disconnected");
    store.commit();
    EXPECT_TRUE(store.rows().empty());
}

TEST(RouterStore, ARestartQueuesAgainWhatHadNoOutcomeInOrderWithTheSameIds) {
    memory_command_store store;
    {
        harness before;
        before.r().use_store(store, before.now(), wall_ms());
        auto dash = before.controller("dash-1");
        auto other = before.controller("dash-2");
        for (int i = 0; i < 3; ++i) {
            before.command(dash, "pump-7", "c-" + std::to_string(i), {{"ttl_ms", 60000}});
            before.command(other, "pump-7", "o-" + std::to_string(i),
                           {{"ttl_ms", 60000}, {"ack", true}});
        }
        before.command(dash, "valve-1", "v-1", {{"ttl_ms", 60000}});
        store.commit();
        // c-0 and o-0 go out and c-0 is answered; then the gateway dies
        // (nothing more is committed or cleaned up).
        auto pump = before.device("pump-7");
        before.respond(pump, "dash-1", "c-0");
        store.commit();
    }
    std::vector<stored_command> rows = store.rows();
    // Its TTL passed while the gateway was down.
    rows.back().expires_ms = wall_ms() - 1;
    memory_command_store reopened;
    for (auto& row : rows) reopened.put(row, {});
    reopened.commit();

    harness after;
    auto restored = after.r().use_store(reopened, after.now(), wall_ms());
    EXPECT_EQ(restored.queued, 5u);
    EXPECT_EQ(restored.expired, 1u);
    // status answers by ID before the controller's new connection sent anything.
    auto dash = after.controller("dash-1");
    EXPECT_EQ(state_of(after, dash, "c-1"), "queued");
    EXPECT_EQ(state_of(after, dash, "v-1"), "expired");
    EXPECT_EQ(state_of(after, dash, "c-0"), "unknown");
    auto pump = after.device("pump-7");
    // o-0 was sent before the crash and never answered: sent again, same ID.
    EXPECT_EQ(command_ids(pump), (std::vector<std::string>{"o-0", "c-1", "o-1", "c-2", "o-2"}));
    // The answers reach the controller IDs' current connections.
    after.respond(pump, "dash-1", "c-1");
    EXPECT_EQ(dash.last()["type"], "response");
    EXPECT_EQ(dash.last()["id"], "c-1");
    EXPECT_EQ(state_of(after, dash, "c-1"), "succeeded");
    // One for a controller not connected goes nowhere, and still ends.
    after.respond(pump, "dash-2", "o-1");
    reopened.commit();
    EXPECT_EQ(reopened.ids(), (std::vector<std::string>{"o-0", "c-2", "o-2"}));
}

TEST(RouterStore, ACommandWhoseRowCannotBeWrittenIsRefusedNotAcknowledged) {
    harness h;
    memory_command_store store;
    h.r().use_store(store, h.now(), wall_ms());
    auto dash = h.controller("dash-1");
    h.command(dash, "pump-7", "c-1", {{"ttl_ms", 60000}});
    store.commit(false);
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["type"], "error");
    EXPECT_EQ(dash.last()["code"], "internal");
    EXPECT_EQ(dash.last()["id"], "c-1");
    EXPECT_EQ(h.r().ledger().queued_size(), 0u);
    auto pump = h.device("pump-7");
    EXPECT_EQ(pump.count(), 0u);
}

TEST(RouterStore, CancelledBeforeItsCommitItEndsOnceAndIsNeverAcknowledged) {
    harness h;
    memory_command_store store;
    h.r().use_store(store, h.now(), wall_ms());
    auto dash = h.controller("dash-1");
    h.command(dash, "pump-7", "c-1", {{"ttl_ms", 60000}});
    h.send(dash, {{"type", "cancel"}, {"id", "c-1"}});
    EXPECT_EQ(dash.last()["error"]["code"], "cancelled");
    store.commit();
    EXPECT_TRUE(dash.link->of_type("ack").empty());
    EXPECT_TRUE(store.rows().empty());
}

TEST(RouterStore, TheFastPathWritesNothing) {
    harness h;
    memory_command_store store;
    h.r().use_store(store, h.now(), wall_ms());
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-7");
    h.command(dash, "pump-7", "c-1", {{"ack", true}});
    EXPECT_EQ(dash.last()["status"], "delivered");
    h.respond(pump, "dash-1", "c-1");
    // An online device with ttl_ms is not queued either.
    h.command(dash, "pump-7", "c-2", {{"ttl_ms", 5000}});
    h.respond(pump, "dash-1", "c-2");
    EXPECT_EQ(store.waiting(), 0u);
}

}  // namespace
}  // namespace switchboard::testing
