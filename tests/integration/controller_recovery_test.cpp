// Controller recovery over real WebSocket connections (protocol.md §4,
// "Controller recovery"): a controller that leaves and registers again with
// its ID within limits.recovery_window_ms gets the outcomes it missed,
// exactly once, in order, right after `registered`; after the window it gets
// none; the caps count what they refuse; with a store it survives kill -9.

#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "command_frame.hpp"
#include "eventually.hpp"
#include "gateway_with_store.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {

// Whether the gateway has let `id` go (its connection's close was handled).
bool gone(running_gateway& gw, const std::string& id) {
    return eventually([&] { return gw.get().routing().clients().find(id) == nullptr; }, 10s);
}

// Closes a controller's connection; true once the gateway let its ID go.
bool leave(std::unique_ptr<ws_test_client>& ctl, running_gateway& gw, const std::string& id) {
    ctl->close();
    ctl.reset();
    return gone(gw, id);
}

json answer(const std::string& to, const std::string& id, int n) {
    return {{"type", "response"}, {"to", to}, {"id", id}, {"ok", true}, {"result", {{"n", n}}}};
}

// The IDs of the commands a device was sent, in order.
std::vector<std::string> take_commands(ws_test_client& dev, int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
        auto cmd = dev.receive_type("command", 10s);
        if (!cmd) break;
        ids.push_back((*cmd)["id"]);
    }
    return ids;
}

}  // namespace

TEST(ControllerRecovery, OutcomesMissedWhileAwayArriveOnceInOrderAfterRegistered) {
    running_gateway gw;
    ws_test_client dev(gw.port());
    dev.register_as("pump-1", "device");
    ws_test_client dev2(gw.port());
    dev2.register_as("pump-2", "device");
    auto ctl = std::make_unique<ws_test_client>(gw.port());
    ctl->register_as("dash-1", "controller");
    for (int i = 0; i < 5; ++i) {
        ctl->send(command("pump-1", "c-" + std::to_string(i), {{"timeout_ms", 60000}}));
    }
    ctl->send(command("pump-2", "c-5", {{"timeout_ms", 60000}}));
    // A queued one: its device comes online while the controller is away.
    ctl->send(command("pump-3", "c-6", {{"ttl_ms", 60000}, {"ack", true}}));
    ASSERT_TRUE(ctl->receive_type("ack", 10s));  // ack queued
    ASSERT_EQ(take_commands(dev, 5).size(), 5u);
    ASSERT_EQ(take_commands(dev2, 1).size(), 1u);
    ASSERT_TRUE(leave(ctl, gw, "dash-1"));

    // One connection at a time, so the order kept is the order written here.
    for (int i = 0; i < 5; ++i) dev.send(answer("dash-1", "c-" + std::to_string(i), i));
    ASSERT_TRUE(eventually([&] { return gw.stats().recovery_kept.load() == 5; }, 10s));
    dev2.close();  // c-5 ends as device_disconnected
    ASSERT_TRUE(eventually([&] { return gw.stats().recovery_kept.load() == 6; }, 10s));
    ws_test_client dev3(gw.port());
    dev3.register_as("pump-3", "device");
    ASSERT_EQ(take_commands(dev3, 1), std::vector<std::string>{"c-6"});
    dev3.send(answer("dash-1", "c-6", 6));
    // 5 answers, device_disconnected, ack delivered and c-6's answer.
    ASSERT_TRUE(eventually([&] { return gw.stats().recovery_kept.load() == 8; }, 10s))
        << gw.stats().recovery_kept.load();

    ws_test_client back(gw.port());
    EXPECT_EQ(back.register_as("dash-1", "controller")["type"], "registered");
    std::vector<json> got;
    for (int i = 0; i < 8; ++i) {
        auto f = back.receive(10s);
        ASSERT_TRUE(f) << "frame " << i << " missing";
        EXPECT_EQ((*f)["recovered"], true) << f->dump();
        got.push_back(*f);
    }
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(got[i]["type"], "response");
        EXPECT_EQ(got[i]["id"], "c-" + std::to_string(i));
        EXPECT_EQ(got[i]["result"]["n"], i);
    }
    EXPECT_EQ(got[5]["id"], "c-5");
    EXPECT_EQ(got[5]["error"]["code"], "device_disconnected");
    EXPECT_EQ(got[6],
              (json{{"type", "ack"}, {"id", "c-6"}, {"status", "delivered"}, {"recovered", true}}));
    EXPECT_EQ(got[7]["id"], "c-6");
    EXPECT_EQ(got[7]["ok"], true);
    EXPECT_TRUE(back.quiet_for(200ms));
    EXPECT_EQ(gw.stats().recovery_delivered.load(), 8u);

    // Delivered once: the next connection under the ID gets none of it.
    back.close();
    ASSERT_TRUE(gone(gw, "dash-1"));
    ws_test_client third(gw.port());
    third.register_as("dash-1", "controller");
    EXPECT_TRUE(third.quiet_for(300ms));
    EXPECT_EQ(gw.stats().commands_dropped.load(), 0u);
}

TEST(ControllerRecovery, CommandsStillRunningAreAnsweredToTheReturningConnection) {
    running_gateway gw;
    ws_test_client dev(gw.port());
    dev.register_as("pump-1", "device");
    auto ctl = std::make_unique<ws_test_client>(gw.port());
    ctl->register_as("dash-1", "controller");
    ctl->send(command("pump-1", "c-1", {{"timeout_ms", 60000}}));
    ASSERT_EQ(take_commands(dev, 1).size(), 1u);
    ASSERT_TRUE(leave(ctl, gw, "dash-1"));
    ws_test_client back(gw.port());
    back.register_as("dash-1", "controller");
    EXPECT_TRUE(back.quiet_for(100ms));  // nothing kept yet
    dev.send(answer("dash-1", "c-1", 1));
    auto f = back.receive_type("response", 10s);
    ASSERT_TRUE(f);
    EXPECT_EQ((*f)["id"], "c-1");
    EXPECT_FALSE(f->contains("recovered"));  // a live answer
}

TEST(ControllerRecovery, AfterTheWindowNothingComesBackAndItsCommandsAreDropped) {
    // Long enough that c-1's answer is surely kept before the window ends.
    running_gateway gw([](gateway_config& c) { c.routing.recovery.window = 3000ms; });
    ws_test_client dev(gw.port());
    dev.register_as("pump-1", "device");
    auto ctl = std::make_unique<ws_test_client>(gw.port());
    ctl->register_as("dash-1", "controller");
    ctl->send(command("pump-1", "c-1", {{"timeout_ms", 60000}}));
    ctl->send(command("pump-1", "c-2", {{"timeout_ms", 60000}}));
    ASSERT_EQ(take_commands(dev, 2).size(), 2u);
    ASSERT_TRUE(leave(ctl, gw, "dash-1"));
    dev.send(answer("dash-1", "c-1", 1));  // kept, then discarded with the window
    ASSERT_TRUE(eventually([&] { return gw.stats().recovery_expired.load() == 1; }, 10s));
    // c-2 was still in flight when the window ended: dropped, so its late
    // answer is refused.
    EXPECT_EQ(gw.stats().commands_dropped.load(), 1u);
    dev.send(answer("dash-1", "c-2", 2));
    auto refused = dev.receive_type("error", 10s);
    ASSERT_TRUE(refused);
    EXPECT_EQ((*refused)["code"], "unknown_command");

    ws_test_client back(gw.port());
    back.register_as("dash-1", "controller");
    EXPECT_TRUE(back.quiet_for(300ms));
    EXPECT_EQ(gw.stats().recovery_delivered.load(), 0u);
}

TEST(ControllerRecovery, OutcomesPastTheCapAreCountedNotKept) {
    running_gateway gw([](gateway_config& c) { c.routing.recovery.per_controller = 2; });
    ws_test_client dev(gw.port());
    dev.register_as("pump-1", "device");
    auto ctl = std::make_unique<ws_test_client>(gw.port());
    ctl->register_as("dash-1", "controller");
    for (int i = 0; i < 5; ++i) ctl->send(command("pump-1", "c-" + std::to_string(i)));
    ASSERT_EQ(take_commands(dev, 5).size(), 5u);
    ASSERT_TRUE(leave(ctl, gw, "dash-1"));
    for (int i = 0; i < 5; ++i) dev.send(answer("dash-1", "c-" + std::to_string(i), i));
    ASSERT_TRUE(eventually([&] { return gw.stats().recovery_overflow.load() == 3; }, 10s));
    EXPECT_EQ(gw.stats().recovery_kept.load(), 2u);
    ws_test_client back(gw.port());
    back.register_as("dash-1", "controller");
    for (int i = 0; i < 2; ++i) {
        auto f = back.receive(10s);
        ASSERT_TRUE(f);
        EXPECT_EQ((*f)["id"], "c-" + std::to_string(i));
    }
    EXPECT_TRUE(back.quiet_for(200ms));
    // Each of the 5 still has its one outcome on record.
    back.send({{"type", "status"}, {"id", "c-4"}});
    auto status = back.receive_type("status", 10s);
    ASSERT_TRUE(status);
    EXPECT_EQ((*status)["state"], "succeeded");
}

TEST(ControllerRecovery, WindowZeroDropsTheCommandsAtOnceAsBefore) {
    running_gateway gw([](gateway_config& c) { c.routing.recovery.window = 0ms; });
    ws_test_client dev(gw.port());
    dev.register_as("pump-1", "device");
    auto ctl = std::make_unique<ws_test_client>(gw.port());
    ctl->register_as("dash-1", "controller");
    ctl->send(command("pump-1", "c-1"));
    ASSERT_EQ(take_commands(dev, 1).size(), 1u);
    ctl->close();
    ctl.reset();
    ASSERT_TRUE(eventually([&] { return gw.stats().commands_dropped.load() == 1; }, 10s));
    ws_test_client back(gw.port());
    back.register_as("dash-1", "controller");
    dev.send(answer("dash-1", "c-1", 1));
    auto refused = dev.receive_type("error", 10s);
    ASSERT_TRUE(refused);
    EXPECT_EQ((*refused)["code"], "unknown_command");
    EXPECT_TRUE(back.quiet_for(200ms));
    EXPECT_EQ(gw.stats().recovery_kept.load(), 0u);
}

namespace {

using ControllerRecoveryStore = gateway_with_store;

// Until `who` is no longer listed (its departure was handled), bounded.
bool unlisted(ws_test_client& asker, const std::string& who) {
    for (int i = 0; i < 400; ++i) {
        asker.send({{"type", "list"}, {"prefix", who}});
        auto page = asker.receive_type("list", 10s);
        if (!page) return false;
        bool listed = false;
        for (const auto& item : (*page)["items"]) listed = listed || item["id"] == who;
        if (!listed) return true;
        if (!asker.quiet_for(10ms)) return false;
    }
    return false;
}

}  // namespace

TEST_F(ControllerRecoveryStore, OutcomesKeptForAnAwayControllerSurviveKillNine) {
    {
        unsigned short port = 0;
        auto gw = start_gateway(port);
        ASSERT_NE(port, 0);
        ws_test_client dev(port);
        dev.register_as("pump-1", "device");
        ws_test_client ops(port);
        ops.register_as("ops", "controller");
        // Queued for a device that comes online only after the restart, from a
        // controller that will not be connected then.
        {
            ws_test_client other(port);
            other.register_as("dash-2", "controller");
            other.send(command("pump-9", "q-1", {{"ttl_ms", 600000}}));
            auto ack = other.receive_type("ack", 10s);
            ASSERT_TRUE(ack);
            EXPECT_EQ((*ack)["status"], "queued");
        }
        auto ctl = std::make_unique<ws_test_client>(port);
        ctl->register_as("dash-1", "controller");
        for (int i = 0; i < 3; ++i) {
            ctl->send(command("pump-1", "c-" + std::to_string(i), {{"timeout_ms", 60000}}));
        }
        ASSERT_EQ(take_commands(dev, 3).size(), 3u);
        ctl->close();
        ctl.reset();
        ASSERT_TRUE(unlisted(ops, "dash-1"));
        for (int i = 0; i < 3; ++i) dev.send(answer("dash-1", "c-" + std::to_string(i), i));
        // The device's frames are handled in order: once its `list` is
        // answered, its 3 answers were kept.
        dev.send({{"type", "list"}, {"prefix", "nobody"}});
        // (a device may not list: the refusal is the barrier as well)
        ASSERT_TRUE(dev.receive(10s));
        // The store writes in order: once a later queued command is
        // acknowledged (committed), so are the kept outcomes.
        ops.send(command("pump-8", "barrier", {{"ttl_ms", 600000}}));
        auto ack = ops.receive_type("ack", 10s);
        ASSERT_TRUE(ack);
        EXPECT_EQ((*ack)["status"], "queued");
        gw->signal(SIGKILL);
        ASSERT_TRUE(gw->wait_exit(std::chrono::seconds(10)));
    }

    unsigned short port = 0;
    auto gw = start_gateway(port);
    ASSERT_NE(port, 0);
    EXPECT_NE(gw->output().find("3 outcomes kept for away controllers restored"), std::string::npos)
        << gw->output();
    ws_test_client back(port);
    EXPECT_EQ(back.register_as("dash-1", "controller")["type"], "registered");
    for (int i = 0; i < 3; ++i) {
        auto f = back.receive(10s);
        ASSERT_TRUE(f) << "outcome " << i << " missing";
        EXPECT_EQ((*f)["id"], "c-" + std::to_string(i));
        EXPECT_EQ((*f)["result"]["n"], i);
        EXPECT_EQ((*f)["recovered"], true);
    }
    EXPECT_TRUE(back.quiet_for(200ms));

    // The restored queued command's outcome waits for its controller too.
    ws_test_client dev(port);
    dev.register_as("pump-9", "device");
    ASSERT_EQ(take_commands(dev, 1), std::vector<std::string>{"q-1"});
    dev.send(answer("dash-2", "q-1", 9));
    dev.send({{"type", "list"}, {"prefix", "nobody"}});
    ASSERT_TRUE(dev.receive(10s));
    ws_test_client other(port);
    other.register_as("dash-2", "controller");
    auto f = other.receive(10s);
    ASSERT_TRUE(f);
    EXPECT_EQ((*f)["type"], "response");
    EXPECT_EQ((*f)["id"], "q-1");
    EXPECT_EQ((*f)["recovered"], true);
    gw->signal(SIGTERM);
    gw->wait_exit(std::chrono::seconds(10));
}
