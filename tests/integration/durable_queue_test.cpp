// Queued commands survive the gateway being killed: the real binary with a
// store (store.path), real WebSocket controllers and devices. 1,000
// commands are queued for 20 offline devices; one device takes its 50 and
// answers none; the gateway is killed with SIGKILL; a new one on the same
// store sends every command again (the 50 unanswered ones with their same
// IDs), and the devices, deduping by (from, id) as docs/protocol.md says,
// execute each exactly once, in order, while every controller hears every
// outcome.

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "command_frame.hpp"
#include "gateway_with_store.hpp"
#include "test_paths.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string binary = test_paths::gateway();
constexpr int devices = 20;
constexpr int per_device = 50;
constexpr int controllers = 4;

using DurableQueue = gateway_with_store;

std::string device_id(int d) { return "pump-" + std::to_string(d); }
std::string controller_id(int c) { return "dash-" + std::to_string(c); }
std::string command_id(int d, int n) { return "c-" + std::to_string(d) + "-" + std::to_string(n); }
// Each device's commands come from one controller: the order accepted across
// controllers' connections is whichever reads first, one connection's is its own.
int controller_of(int d, int /*n*/) { return d % controllers; }

// A device's logic behind the dedupe rule: what it executed, in order, and
// how many repeats it answered without executing.
struct device_logic {
    std::set<std::pair<std::string, std::string>> seen;
    std::vector<std::string> executed;
    int repeats = 0;

    // True when the command is new (executed now).
    bool take(const json& command) {
        auto key =
            std::make_pair(command["from"].get<std::string>(), command["id"].get<std::string>());
        if (!seen.insert(key).second) {
            ++repeats;
            return false;
        }
        executed.push_back(key.second);
        return true;
    }
};

}  // namespace

TEST_F(DurableQueue, AThousandQueuedCommandsSurviveKillNineAndRunExactlyOnceInOrder) {
    std::map<std::string, device_logic> logic;
    {
        unsigned short port = 0;
        auto gw = start_gateway(port);
        ASSERT_NE(port, 0);
        std::vector<std::unique_ptr<ws_test_client>> dash;
        for (int c = 0; c < controllers; ++c) {
            dash.push_back(std::make_unique<ws_test_client>(port));
            dash.back()->register_as(controller_id(c), "controller");
        }
        const auto sending = std::chrono::steady_clock::now();
        for (int n = 0; n < per_device; ++n) {
            for (int d = 0; d < devices; ++d) {
                dash[controller_of(d, n)]->send(command(
                    device_id(d), command_id(d, n), {{"ttl_ms", 600000}, {"timeout_ms", 120000}}));
            }
        }
        // Every `ack queued`: each command is in the store.
        for (int c = 0; c < controllers; ++c) {
            for (int i = 0; i < devices * per_device / controllers; ++i) {
                auto ack = dash[c]->receive(30s);
                ASSERT_TRUE(ack) << controller_id(c) << " got " << i << " acks";
                ASSERT_EQ((*ack)["type"], "ack") << ack->dump();
                ASSERT_EQ((*ack)["status"], "queued") << ack->dump();
            }
        }
        // Printed, not asserted (a loaded machine is slower): queued-command throughput.
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - sending).count();
        std::printf("1000 commands acknowledged as durable in %.0f ms: %.0f per second\n",
                    seconds * 1000, 1000 / seconds);
        // pump-0 takes its 50 and executes them, but answers none before the crash.
        ws_test_client early(port);
        early.register_as(device_id(0), "device");
        for (int n = 0; n < per_device; ++n) {
            auto cmd = early.receive_type("command", 30s);
            ASSERT_TRUE(cmd) << n;
            EXPECT_TRUE(logic[device_id(0)].take(*cmd));
        }
        gw->signal(SIGKILL);
        ASSERT_TRUE(gw->wait_exit(30s));
    }

    unsigned short port = 0;
    auto gw = start_gateway(port);
    ASSERT_NE(port, 0);
    EXPECT_NE(gw->output().find("1000 queued commands restored, 0 expired"), std::string::npos)
        << gw->output();
    std::vector<std::unique_ptr<ws_test_client>> dash;
    for (int c = 0; c < controllers; ++c) {
        dash.push_back(std::make_unique<ws_test_client>(port));
        dash.back()->register_as(controller_id(c), "controller");
    }
    // status by ID answers from the store before any device is back.
    dash[1]->send({{"type", "status"}, {"id", command_id(1, 1)}});
    auto state = dash[1]->receive_type("status", 30s);
    ASSERT_TRUE(state);
    EXPECT_EQ((*state)["state"], "queued");

    std::vector<std::unique_ptr<ws_test_client>> pumps;
    for (int d = 0; d < devices; ++d) {
        pumps.push_back(std::make_unique<ws_test_client>(port));
        pumps.back()->register_as(device_id(d), "device");
    }
    // Each device answers every command it gets (a repeat with the answer it
    // remembered, which is the same here).
    for (int d = 0; d < devices; ++d) {
        for (int n = 0; n < per_device; ++n) {
            auto cmd = pumps[d]->receive_type("command", 30s);
            ASSERT_TRUE(cmd) << device_id(d) << " got " << n;
            logic[device_id(d)].take(*cmd);
            pumps[d]->send({{"type", "response"},
                            {"to", (*cmd)["from"]},
                            {"id", (*cmd)["id"]},
                            {"ok", true},
                            {"result", {{"ran", (*cmd)["id"]}}}});
        }
    }
    std::size_t executed = 0;
    for (int d = 0; d < devices; ++d) {
        std::vector<std::string> expected;
        for (int n = 0; n < per_device; ++n) expected.push_back(command_id(d, n));
        EXPECT_EQ(logic[device_id(d)].executed, expected) << device_id(d);
        executed += logic[device_id(d)].executed.size();
    }
    EXPECT_EQ(executed, 1000u);
    EXPECT_EQ(logic[device_id(0)].repeats, per_device);  // sent again, same IDs

    // Every controller hears the outcome of each of its commands, once.
    for (int c = 0; c < controllers; ++c) {
        std::set<std::string> answered;
        for (int i = 0; i < devices * per_device / controllers; ++i) {
            auto response = dash[c]->receive_type("response", 30s);
            ASSERT_TRUE(response) << controller_id(c) << " got " << i << " outcomes";
            EXPECT_EQ((*response)["ok"], true) << response->dump();
            EXPECT_TRUE(answered.insert((*response)["id"].get<std::string>()).second);
        }
        for (int d = 0; d < devices; ++d) {
            for (int n = 0; n < per_device; ++n) {
                if (controller_of(d, n) == c) {
                    EXPECT_TRUE(answered.contains(command_id(d, n))) << command_id(d, n);
                }
            }
        }
    }
    // Ended commands leave the store: a third start restores nothing.
    gw->signal(SIGTERM);
    EXPECT_EQ(gw->wait_exit(30s), 0) << gw->output();
    auto third = start_gateway(port);
    EXPECT_NE(third->output().find("0 queued commands restored, 0 expired"), std::string::npos)
        << third->output();
    third->signal(SIGTERM);
    EXPECT_EQ(third->wait_exit(30s), 0);
}

TEST_F(DurableQueue, AStoreThatIsNotADatabaseStopsStartupWithExitTwoNamingIt) {
    const std::string store = (folder_ / "commands.db").string();
    std::ofstream(store) << "not a database " << std::string(300, 'x');
    auto check = run_program({binary, "--config", config_, "--check-config"});
    EXPECT_EQ(check.status, 2) << check.output;
    EXPECT_NE(check.output.find(store), std::string::npos) << check.output;
    auto start = run_program({binary, "--config", config_, "--port", "0"});
    EXPECT_EQ(start.status, 2) << start.output;
    EXPECT_NE(start.output.find("store.path"), std::string::npos) << start.output;
}
