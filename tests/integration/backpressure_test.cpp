// A client that stops reading is cut off when its outbound queue passes its
// bound; everybody else keeps going.

#include <gtest/gtest.h>

#include "eventually.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

TEST(Backpressure, SlowReaderIsCutOffAndOthersKeepTheirLatency) {
    running_gateway gw([](gateway_config& c) {
        c.session.outbound_queue_bytes = 256 * 1024;
        c.session.outbound_queue_frames = 1024;
    });
    ws_test_client slow(gw.port(), {.receive_buffer_bytes = 4096});
    ws_test_client flooder(gw.port()), dev(gw.port()), ctl(gw.port());
    slow.register_as("slow-reader", "controller");
    flooder.register_as("flooder", "controller");
    dev.register_as("pump-1", "device");
    ctl.register_as("dash", "controller");
    slow.pause_reading();

    // Bounded: at most 4,000 messages of 8 KiB (32 MiB), stopping at the first refusal.
    const std::string payload(8192, 'x');
    bool refused = false;
    for (int i = 0; i < 4000 && !refused; ++i) {
        flooder.send({{"type", "message"}, {"to", "slow-reader"}, {"payload", payload}});
        if (i % 50 == 49) {
            // Meanwhile a well-behaved pair keeps exchanging commands.
            auto t0 = std::chrono::steady_clock::now();
            ctl.send({{"type", "command"},
                      {"to", "pump-1"},
                      {"id", "c" + std::to_string(i)},
                      {"name", "x"}});
            auto cmd = dev.receive_type("command");
            ASSERT_TRUE(cmd);
            dev.send({{"type", "response"}, {"to", "dash"}, {"id", (*cmd)["id"]}, {"ok", true}});
            auto res = ctl.receive_type("response");
            ASSERT_TRUE(res);
            EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s) << "a bystander was slowed down";
        }
        while (auto f = flooder.receive(0ms)) {
            if ((*f)["type"] == "error") {
                EXPECT_TRUE((*f)["code"] == "overloaded" || (*f)["code"] == "offline") << f->dump();
                refused = true;
            }
        }
    }
    if (!refused) {
        auto f = flooder.receive_type("error", 5s);
        ASSERT_TRUE(f) << "the flooder was never told";
    }
    // The slow reader reads nothing, so it is the gateway that must show the cut.
    EXPECT_TRUE(eventually([&] { return !gw.get().routing().clients().find("slow-reader"); }));
    EXPECT_EQ(gw.stats().slow_consumers_closed.load(), 1u);
    EXPECT_FALSE(flooder.closed());
    EXPECT_FALSE(ctl.closed());
}
