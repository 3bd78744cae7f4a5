// core/router: private messages between two IDs.

#include <gtest/gtest.h>

#include "router_harness.hpp"

namespace switchboard::testing {
namespace {

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

}  // namespace
}  // namespace switchboard::testing
