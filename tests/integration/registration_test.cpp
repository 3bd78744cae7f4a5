// Registration, duplicate IDs and the register timeout, against the real
// gateway over real WebSocket connections.

#include <gtest/gtest.h>

#include "eventually.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;

TEST(Registration, AnswersRegisteredWithSessionNodeAndLimits) {
    running_gateway gw;
    ws_test_client c(gw.port(), {.subprotocol = "switchboard.v1"});
    ASSERT_TRUE(c.connected()) << c.upgrade_error();
    EXPECT_EQ(c.accepted_subprotocol(), "switchboard.v1");
    auto reg = c.register_as("pump-12", "device", {{"meta", {{"model", "P-1"}}}});
    EXPECT_EQ(reg["type"], "registered");
    EXPECT_EQ(reg["id"], "pump-12");
    EXPECT_EQ(reg["role"], "device");
    EXPECT_EQ(reg["node"], "gw-test");
    // 15 hex digits: short enough for std::string's inline buffer (session_context.cpp).
    EXPECT_EQ(reg["session"].get<std::string>().size(), 15u);
    EXPECT_EQ(reg["limits"]["max_message_bytes"], 65536);
}

TEST(Registration, ClientWithoutSubprotocolIsAccepted) {
    running_gateway gw;
    ws_test_client c(gw.port());
    ASSERT_TRUE(c.connected());
    EXPECT_EQ(c.accepted_subprotocol(), "");
    EXPECT_EQ(c.register_as("a", "controller")["type"], "registered");
}

TEST(Registration, InvalidIdIsRefusedAndConnectionStays) {
    running_gateway gw;
    ws_test_client c(gw.port());
    for (const std::string& bad :
         std::vector<std::string>{"", "a/b", "sb/+/x", "x#", "with space", std::string(129, 'a')}) {
        auto e = c.register_as(bad, "device");
        EXPECT_EQ(e["type"], "error") << bad;
        EXPECT_EQ(e["code"], "bad_request");
        EXPECT_EQ(e["field"], "id");
    }
    auto e = c.register_as("ok-id", "king");
    EXPECT_EQ(e["field"], "role");
    EXPECT_EQ(c.register_as(std::string(128, 'a'), "device")["type"], "registered");
}

TEST(Registration, FramesBeforeRegisterGetNotRegistered) {
    running_gateway gw;
    ws_test_client c(gw.port());
    c.send({{"type", "command"}, {"to", "pump-1"}, {"id", "c-1"}, {"name", "x"}});
    auto e = c.receive();
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["code"], "not_registered");
    EXPECT_EQ((*e)["id"], "c-1");
    EXPECT_EQ((*e)["request_type"], "command");
    EXPECT_EQ(c.register_as("dash", "controller")["type"], "registered");
}

TEST(Registration, NoRegisterInTimeClosesWith4002) {
    running_gateway gw(
        [](gateway_config& c) { c.session.register_timeout = std::chrono::milliseconds(200); });
    ws_test_client c(gw.port());
    ASSERT_TRUE(c.connected());
    EXPECT_EQ(c.wait_closed(3s), 4002);
    EXPECT_EQ(gw.stats().register_timeouts.load(), 1u);
}

TEST(Registration, RegisteredClientIsNotTimedOut) {
    running_gateway gw(
        [](gateway_config& c) { c.session.register_timeout = std::chrono::milliseconds(100); });
    ws_test_client c(gw.port());
    EXPECT_EQ(c.register_as("d", "device")["type"], "registered");
    EXPECT_FALSE(c.wait_closed(400ms));
}

TEST(Registration, SecondRegisterOnOneConnectionIsRefused) {
    running_gateway gw;
    ws_test_client c(gw.port());
    c.register_as("d1", "device");
    auto e = c.register_as("d2", "device");
    EXPECT_EQ(e["type"], "error");
    EXPECT_EQ(e["code"], "bad_request");
}

TEST(Registration, DuplicateIdTakesOverAndClosesOldWith4003) {
    running_gateway gw;
    ws_test_client old_conn(gw.port()), new_conn(gw.port()), ctl(gw.port());
    old_conn.register_as("pump-1", "device");
    ASSERT_EQ(new_conn.register_as("pump-1", "device")["type"], "registered");
    EXPECT_EQ(old_conn.wait_closed(), 4003);

    ctl.register_as("dash", "controller");
    ctl.send({{"type", "command"}, {"to", "pump-1"}, {"id", "c1"}, {"name", "ping"}});
    auto cmd = new_conn.receive_type("command");
    ASSERT_TRUE(cmd);
    EXPECT_EQ((*cmd)["id"], "c1");
    EXPECT_EQ(gw.stats().takeovers.load(), 1u);
}

TEST(Registration, DuplicateIdRejectedUnderRejectPolicy) {
    running_gateway gw([](gateway_config& c) { c.duplicates = duplicate_policy::reject; });
    ws_test_client first(gw.port()), second(gw.port());
    first.register_as("pump-1", "device");
    auto e = second.register_as("pump-1", "device");
    EXPECT_EQ(e["type"], "error");
    EXPECT_EQ(e["code"], "id_taken");
    EXPECT_FALSE(first.closed());
    // The refused connection may still register under a free ID.
    EXPECT_EQ(second.register_as("pump-2", "device")["type"], "registered");
}

TEST(Registration, IdIsFreedWhenItsConnectionCloses) {
    running_gateway gw([](gateway_config& c) { c.duplicates = duplicate_policy::reject; });
    {
        ws_test_client first(gw.port());
        first.register_as("pump-1", "device");
        first.close();
        EXPECT_TRUE(first.wait_closed());
    }
    // The gateway forgets the first session a moment after the client sees the close.
    EXPECT_TRUE(eventually([&] { return gw.get().routing().clients().size() == 0; }));
    ws_test_client second(gw.port());
    EXPECT_EQ(second.register_as("pump-1", "device")["type"], "registered");
}
