// A thousand concurrent clients each sending and receiving, with every
// command, response and message accounted for.

#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "eventually.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

TEST(Crowd, ThousandClientsEveryFrameAccountedFor) {
    constexpr int devices = 500;
    constexpr int controllers = 500;
    constexpr int commands_each = 10;
    running_gateway gw;
    std::vector<std::unique_ptr<client_io>> io(4);
    for (auto& i : io) i = std::make_unique<client_io>();

    std::atomic<int> commands_seen{0}, messages_seen{0}, wrong_frames{0};
    std::vector<std::unique_ptr<ws_test_client>> devs;
    for (int d = 0; d < devices; ++d) {
        auto c =
            std::make_unique<ws_test_client>(gw.port(), client_options{}, io[d % io.size()].get());
        ASSERT_TRUE(c->connected()) << c->upgrade_error();
        ASSERT_EQ(c->register_as("dev-" + std::to_string(d), "device")["type"], "registered");
        std::string my_id = "dev-" + std::to_string(d);
        c->set_handler([&, my_id](const json& f, ws_test_client& self) {
            if (f.value("type", "") == "command") {
                ++commands_seen;
                self.send({{"type", "response"},
                           {"to", f["from"]},
                           {"id", f["id"]},
                           {"ok", true},
                           {"result", {{"by", my_id}, {"echo", f["args"]}}}});
            } else if (f.value("type", "") == "message") {
                ++messages_seen;
            } else {
                ++wrong_frames;
            }
        });
        devs.push_back(std::move(c));
    }
    std::vector<std::unique_ptr<ws_test_client>> ctls;
    for (int k = 0; k < controllers; ++k) {
        auto c =
            std::make_unique<ws_test_client>(gw.port(), client_options{}, io[k % io.size()].get());
        ASSERT_EQ(c->register_as("ctl-" + std::to_string(k), "controller")["type"], "registered");
        ctls.push_back(std::move(c));
    }
    // Everyone sends at once, then everyone collects.
    for (int k = 0; k < controllers; ++k) {
        for (int n = 0; n < commands_each; ++n) {
            int d = (k * 7 + n * 13) % devices;
            ctls[k]->send({{"type", "command"},
                           {"to", "dev-" + std::to_string(d)},
                           {"id", "c-" + std::to_string(n)},
                           {"name", "echo"},
                           {"args", {{"k", k}, {"n", n}}}});
        }
        ctls[k]->send(
            {{"type", "message"}, {"to", "dev-" + std::to_string(k % devices)}, {"payload", k}});
    }
    int responses = 0;
    for (int k = 0; k < controllers; ++k) {
        std::set<std::string> answered;
        for (int n = 0; n < commands_each; ++n) {
            auto r = ctls[k]->receive(20s);
            ASSERT_TRUE(r) << "controller " << k << " missed a response";
            ASSERT_EQ((*r)["type"], "response") << r->dump();
            EXPECT_EQ((*r)["ok"], true);
            EXPECT_EQ((*r)["result"]["echo"]["k"], k);
            int expected_device = (k * 7 + (*r)["result"]["echo"]["n"].get<int>() * 13) % devices;
            EXPECT_EQ((*r)["from"], "dev-" + std::to_string(expected_device));
            answered.insert((*r)["id"].get<std::string>());
            ++responses;
        }
        EXPECT_EQ(answered.size(), static_cast<std::size_t>(commands_each));
    }
    EXPECT_EQ(responses, controllers * commands_each);
    EXPECT_EQ(commands_seen.load(), controllers * commands_each);
    EXPECT_TRUE(eventually([&] { return messages_seen.load() >= controllers; }));
    EXPECT_EQ(messages_seen.load(), controllers);
    EXPECT_EQ(wrong_frames.load(), 0);
    EXPECT_EQ(gw.stats().commands_answered.load(),
              static_cast<std::uint64_t>(controllers * commands_each));
    EXPECT_EQ(gw.get().routing().ledger().size(), 0u);
    for (auto& c : ctls) EXPECT_TRUE(c->quiet_for(0ms));
}
