// Commands with ttl_ms to offline devices, over WebSocket against the
// gateway: queued with `ack queued`, sent in order when the device
// registers, expired, cancelled, and refused past the per-device quota.

#include <gtest/gtest.h>

#include <string>

#include "command_frame.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {

json queued_ack(const std::string& id) {
    return {{"type", "ack"}, {"id", id}, {"status", "queued"}};
}

std::string state_of(ws_test_client& ctl, const std::string& id) {
    ctl.send({{"type", "status"}, {"id", id}});
    auto f = ctl.receive_type("status", 5s);
    EXPECT_TRUE(f) << "no answer to status " << id;
    return f ? (*f)["state"].get<std::string>() : "";
}

}  // namespace

TEST(QueuedCommands, WaitForTheDeviceAndArriveInOrderWhenItRegisters) {
    running_gateway gw;
    ws_test_client ctl(gw.port());
    ctl.register_as("dash-1", "controller");
    for (int i = 0; i < 5; ++i) {
        const std::string id = "q-" + std::to_string(i);
        ctl.send(command("pump-5", id, {{"ttl_ms", 60000}}));
        auto ack = ctl.receive(5s);
        ASSERT_TRUE(ack);
        EXPECT_EQ(*ack, queued_ack(id));
    }
    EXPECT_EQ(state_of(ctl, "q-2"), "queued");

    ws_test_client dev(gw.port());
    dev.register_as("pump-5", "device");
    for (int i = 0; i < 5; ++i) {
        auto cmd = dev.receive_type("command", 5s);
        ASSERT_TRUE(cmd);
        EXPECT_EQ((*cmd)["id"], "q-" + std::to_string(i));
        EXPECT_EQ((*cmd)["from"], "dash-1");
        dev.send({{"type", "response"}, {"to", "dash-1"}, {"id", (*cmd)["id"]}, {"ok", true}});
    }
    for (int i = 0; i < 5; ++i) {
        auto answer = ctl.receive_type("response", 5s);
        ASSERT_TRUE(answer);
        EXPECT_EQ((*answer)["id"], "q-" + std::to_string(i));
        EXPECT_EQ((*answer)["ok"], true);
    }
    EXPECT_EQ(state_of(ctl, "q-4"), "succeeded");
    EXPECT_EQ(gw.stats().commands_queued.load(), 5u);
    EXPECT_EQ(gw.stats().commands_accepted.load(), 5u);
}

TEST(QueuedCommands, ExpireWhenTheTtlPassesAndAreNeverSent) {
    running_gateway gw;
    ws_test_client ctl(gw.port());
    ctl.register_as("dash-1", "controller");
    ctl.send(command("pump-5", "q-short", {{"ttl_ms", 100}}));
    auto ack = ctl.receive(5s);
    ASSERT_TRUE(ack);
    EXPECT_EQ(*ack, queued_ack("q-short"));
    auto expired = ctl.receive_type("response", 5s);
    ASSERT_TRUE(expired);
    EXPECT_EQ((*expired)["id"], "q-short");
    EXPECT_EQ((*expired)["from"], "pump-5");
    EXPECT_EQ((*expired)["ok"], false);
    EXPECT_EQ((*expired)["error"]["code"], "expired");
    EXPECT_EQ(state_of(ctl, "q-short"), "expired");

    // The device comes online later: the first command it gets is a new one.
    ws_test_client dev(gw.port());
    dev.register_as("pump-5", "device");
    ctl.send(command("pump-5", "now"));
    auto cmd = dev.receive_type("command", 5s);
    ASSERT_TRUE(cmd);
    EXPECT_EQ((*cmd)["id"], "now");
    EXPECT_EQ(gw.stats().commands_expired.load(), 1u);
}

TEST(QueuedCommands, OnlyTheSenderCancelsAndOnlyWhileQueued) {
    running_gateway gw;
    ws_test_client ctl(gw.port()), spy(gw.port());
    ctl.register_as("dash-1", "controller");
    spy.register_as("dash-2", "controller");
    ctl.send(command("pump-5", "q-1", {{"ttl_ms", 60000}}));
    ASSERT_TRUE(ctl.receive_type("ack", 5s));
    ctl.send(command("pump-5", "q-2", {{"ttl_ms", 60000}}));
    ASSERT_TRUE(ctl.receive_type("ack", 5s));

    spy.send({{"type", "cancel"}, {"id", "q-1"}});
    auto refused = spy.receive(5s);
    ASSERT_TRUE(refused);
    EXPECT_EQ((*refused)["code"], "unknown_command");
    EXPECT_EQ((*refused)["request_type"], "cancel");

    ctl.send({{"type", "cancel"}, {"id", "q-1"}});
    auto cancelled = ctl.receive(5s);
    ASSERT_TRUE(cancelled);
    EXPECT_EQ((*cancelled)["type"], "response");
    EXPECT_EQ((*cancelled)["id"], "q-1");
    EXPECT_EQ((*cancelled)["ok"], false);
    EXPECT_EQ((*cancelled)["error"]["code"], "cancelled");
    EXPECT_EQ(state_of(ctl, "q-1"), "cancelled");

    ws_test_client dev(gw.port());
    dev.register_as("pump-5", "device");
    auto cmd = dev.receive_type("command", 5s);
    ASSERT_TRUE(cmd);
    EXPECT_EQ((*cmd)["id"], "q-2") << "the cancelled command was sent";
    EXPECT_EQ(state_of(ctl, "q-2"), "sent");
    ctl.send({{"type", "cancel"}, {"id", "q-2"}});
    auto too_late = ctl.receive(5s);
    ASSERT_TRUE(too_late);
    EXPECT_EQ((*too_late)["code"], "already_sent");

    ctl.send({{"type", "cancel"}});
    auto bad = ctl.receive(5s);
    ASSERT_TRUE(bad);
    EXPECT_EQ((*bad)["code"], "bad_request");
    EXPECT_EQ((*bad)["field"], "id");
    EXPECT_EQ(gw.stats().commands_cancelled.load(), 1u);
}

TEST(QueuedCommands, PastTheQuotaAreRefusedWithOverloadedAndBadTtlsWithBadRequest) {
    running_gateway gw([](gateway_config& c) { c.routing.max_queued_per_device = 2; });
    ws_test_client ctl(gw.port());
    ctl.register_as("dash-1", "controller");
    for (const char* id : {"q-1", "q-2"}) {
        ctl.send(command("pump-5", id, {{"ttl_ms", 60000}}));
        auto ack = ctl.receive(5s);
        ASSERT_TRUE(ack);
        EXPECT_EQ(*ack, queued_ack(id));
    }
    ctl.send(command("pump-5", "q-3", {{"ttl_ms", 60000}}));
    auto full = ctl.receive(5s);
    ASSERT_TRUE(full);
    EXPECT_EQ((*full)["code"], "overloaded");
    EXPECT_EQ((*full)["id"], "q-3");
    EXPECT_EQ(state_of(ctl, "q-3"), "unknown");

    ctl.send(command("pump-5", "q-4", {{"ttl_ms", 86400001}}));
    auto too_long = ctl.receive(5s);
    ASSERT_TRUE(too_long);
    EXPECT_EQ((*too_long)["code"], "bad_request");
    EXPECT_EQ((*too_long)["field"], "ttl_ms");

    // Without ttl_ms an offline device is still `offline`.
    ctl.send(command("pump-5", "q-5"));
    auto offline = ctl.receive(5s);
    ASSERT_TRUE(offline);
    EXPECT_EQ((*offline)["code"], "offline");
}
