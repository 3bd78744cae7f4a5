// A client that stops reading is cut off when its outbound queue passes its
// bound; everybody else keeps going; and one that reads fine but sends
// faster than its answers can leave is read more slowly instead.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/id_rules.hpp"
#include "eventually.hpp"
#include "raw_connection.hpp"
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

namespace {

// `count` distinct ids of the longest length allowed, so that each answer is
// large and its place in the order can be checked.
std::vector<std::string> random_ids(int count) {
    const std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::mt19937 random(12);
    std::vector<std::string> ids;
    ids.reserve(count);
    for (int i = 0; i < count; ++i) {
        std::string id(max_correlation_id_bytes, ' ');
        for (char& c : id) c = alphabet[random() % alphabet.size()];
        ids.push_back(std::move(id));
    }
    return ids;
}

// The longest device ID allowed, so that each answer is large. Nobody is
// registered as it: every command is answered at once with error offline.
const std::string absent_device(max_id_bytes - 6, 'p');

// Waits until the gateway has paused reading and then read nothing for a
// second: it holds the rest in TCP, not in memory.
void expect_reads_paused_and_stopped(running_gateway& gw, int commands) {
    EXPECT_TRUE(eventually([&] { return gw.stats().reads_paused.load() >= 1; }, 60s))
        << "never paused; read " << gw.stats().frames_received.load();
    std::uint64_t read_before = 0;
    bool settled = false;
    for (int look = 0; look < 30 && !settled; ++look) {
        std::this_thread::sleep_for(1s);
        const auto now = gw.stats().frames_received.load();
        settled = std::exchange(read_before, now) == now;
    }
    EXPECT_TRUE(settled);
    EXPECT_LT(gw.stats().frames_received.load(), 1u + commands) << "read everything";
    EXPECT_EQ(gw.stats().slow_consumers_closed.load(), 0u);
}

}  // namespace

// A controller that sends far faster than its answers can leave is read
// more slowly, not cut as a slow reader: the gateway stops reading it while
// its own queue to it is past half the bound, and reads again once the
// queue is down to a quarter. The client here reads nothing until the
// gateway has stopped reading it. The kernel holds a few MiB of answers (the
// gateway's send buffer autotunes up to net.ipv4.tcp_wmem's max, 4 MiB here;
// the client's receive buffer stays near 128 KiB while it does not read), so
// 25,000 answers of ~250 bytes do not fit: without the pause the gateway
// reads every command and cuts the client once 1 MiB of answers waits in its
// queue. One read (64 KiB, ~280 commands) adds far less than the half of the
// bound left above the pause.
TEST(Backpressure, AClientSendingFasterThanItsAnswersLeaveIsReadMoreSlowlyNotCut) {
    running_gateway gw([&](gateway_config& c) {
        c.session.rate.frames_per_second = 0;  // the limiter is not under test
    });
    // A bare socket, so that only the gateway decides when bytes move: the
    // commands go from a thread of their own (a send blocks while the
    // gateway does not read), the answers are read here.
    raw_connection ctl(gw.port(), 30s);
    ctl.send(websocket_upgrade_request);
    ASSERT_NE(ctl.read_head().find("101"), std::string::npos);
    ctl.send(raw_connection::text(R"({"type":"register","id":"dash","role":"controller"})"));
    const auto registered = ctl.read_text();
    ASSERT_TRUE(registered && registered->find("registered") != std::string::npos);
    constexpr int commands = 25000;
    const std::vector<std::string> ids = random_ids(commands);
    std::string frames;
    for (const std::string& id : ids) {
        frames += raw_connection::text(
            json{{"type", "command"}, {"to", absent_device}, {"id", id}, {"name", "x"}}.dump());
    }
    ctl.set_send_timeout(60s);  // bounded: a send stalled that long gives up
    bool all_sent = false;
    std::thread sender([&] { all_sent = ctl.try_send(frames); });
    expect_reads_paused_and_stopped(gw, commands);
    int answered = 0;
    bool in_order = true;
    for (; answered < commands && in_order; ++answered) {
        const auto text = ctl.read_text();  // at most 30 s each
        if (!text) break;
        const json f = json::parse(*text, nullptr, false);
        in_order = f.value("type", "") == "error" && f.value("code", "") == "offline" &&
                   f.value("id", "") == ids[answered];
        EXPECT_TRUE(in_order) << "answer " << answered << ": " << *text;
    }
    sender.join();
    EXPECT_TRUE(all_sent);
    EXPECT_EQ(answered, commands);
    EXPECT_EQ(gw.stats().slow_consumers_closed.load(), 0u);
}
