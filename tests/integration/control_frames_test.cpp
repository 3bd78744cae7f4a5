// Control frames are bounded (issue 10): a registered connection that sends
// pings as fast as it can and never reads holds one pong at most, pays for
// its pings out of its rate, and is closed; pings alone do not keep a
// connection past idle_timeout. The flood runs against the real binary so
// the whole process's memory is what is measured.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "child_process.hpp"
#include "eventually.hpp"
#include "raw_connection.hpp"
#include "running_gateway.hpp"
#include "test_paths.hpp"

using namespace switchboard;
using namespace switchboard::test;
using namespace std::chrono_literals;

namespace {

// VmRSS of process `pid`, in KiB; 0 when it cannot be read.
long rss_kib(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
}

// The same upgrade, offering permessage-deflate: with compression on in the
// config, the gateway serves it through Beast's stream (beast_wire), not
// raw_wire. The client's frames may still go uncompressed.
const std::string deflate_upgrade_request =
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";

}  // namespace

TEST(ControlFrames, PingFloodThatNeverReadsKeepsMemoryBoundedAndIsClosed) {
    auto config = std::filesystem::temp_directory_path() /
                  ("sb-test-" + std::to_string(getpid()) + "-pingflood.json");
    // The shipped rate limit; a short close handshake so the test is quick.
    std::ofstream(config) << R"({"auth": {"mode": "disabled"}, "listen": {"port": 0},
                                 "threads": 2, "timeouts": {"handshake_ms": 2000}})";
    child_process gw({test_paths::gateway(), "--config", config.string()});
    auto line = gw.wait_for_line("listening on", std::chrono::seconds(10));
    ASSERT_TRUE(line) << gw.output();
    auto port = static_cast<unsigned short>(std::stoi(line->substr(line->rfind(':') + 1)));

    raw_connection flood(port);
    ASSERT_TRUE(register_raw(flood, "pump-1"));
    flood.set_send_timeout(1000ms);
    const long before = rss_kib(gw.pid());
    ASSERT_GT(before, 0);
    std::string pings;
    for (int i = 0; i < 64; ++i)
        pings += raw_connection::frame(ws_frame::opcode::ping, std::string(125, 'p'));
    long peak = before;
    bool closed = false;
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < 10s) {
        if (!flood.try_send(pings)) {
            closed = true;
            break;
        }
        peak = std::max(peak, rss_kib(gw.pid()));
    }
    const auto took = std::chrono::steady_clock::now() - start;
    std::filesystem::remove(config);
    EXPECT_TRUE(closed) << "still open after 10 s of pings";
    EXPECT_LT(peak - before, 64 * 1024) << "RSS " << before << " KiB -> " << peak << " KiB";
    std::cout << "ping flood: RSS " << before << " -> peak " << peak << " KiB, closed after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
    EXPECT_TRUE(gw.output().find("closed with 4008") != std::string::npos) << gw.output();
}

namespace {

// A ping every 100 ms, never reading, over the upgrade `upgrade`: the
// gateway must drop the connection within 4 s (idle_timeout 1 s). The
// compressed path's answers are compressed, which this bare client cannot
// read: that connection stays a stranger (the register timeout is far off;
// the idle rule holds from the upgrade on).
void expect_pinger_cut_at_idle(const std::string& upgrade, bool register_first) {
    running_gateway gw([](gateway_config& c) {
        c.session.idle_timeout = 1000ms;
        c.session.register_timeout = 30s;
        c.session.permessage_deflate = true;
    });
    raw_connection pinger(gw.port());
    if (register_first) {
        ASSERT_TRUE(register_raw(pinger, "pump-1", upgrade));
    } else {
        pinger.send(upgrade);
        ASSERT_NE(pinger.read_head().find("101"), std::string::npos);
    }
    const std::string ping = raw_connection::frame(ws_frame::opcode::ping, "still here");
    const auto start = std::chrono::steady_clock::now();
    bool closed = false;
    // A ping every 100 ms, never reading: the server's keep-alive ping goes
    // unanswered, and the client's own pings are not activity.
    while (std::chrono::steady_clock::now() - start < 6s) {
        if (!pinger.try_send(ping)) {
            closed = true;
            break;
        }
        std::this_thread::sleep_for(100ms);  // the client's pace, not a wait
    }
    EXPECT_TRUE(closed);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
}

}  // namespace

TEST(ControlFrames, PingsAloneDoNotKeepAConnectionPastTheIdleTimeout) {
    expect_pinger_cut_at_idle(websocket_upgrade_request, true);
}

// Beast's own idle timer counts every byte read, pings too: the compressed
// (and TLS, tls_test.cpp) path keeps core's keep_alive rule instead.
TEST(ControlFrames, PingsAloneDoNotKeepACompressedConnectionPastTheIdleTimeout) {
    expect_pinger_cut_at_idle(deflate_upgrade_request, false);
}

// The pong a ping needs counts against the outbound bound like a queued
// frame. Before `register` the bound is register_message_bytes: with it at
// 100 bytes, a 100-byte ping's pong (102 bytes) does not fit, so the
// stranger is cut as a slow reader instead of being answered. On both wires.
namespace {
void expect_pong_over_the_bound_cut(const std::string& upgrade) {
    running_gateway gw([](gateway_config& c) {
        c.session.register_message_bytes = 100;
        c.session.permessage_deflate = true;
    });
    raw_connection c(gw.port(), 5s);
    c.send(upgrade);
    ASSERT_NE(c.read_head().find("101"), std::string::npos);
    c.send(raw_connection::frame(ws_frame::opcode::ping, std::string(100, 'p')));
    EXPECT_TRUE(c.closed_by_server());
    EXPECT_TRUE(eventually([&] { return gw.stats().slow_consumers_closed.load() == 1; }));
}
}  // namespace

TEST(ControlFrames, APongOverTheOutboundBoundCutsTheConnection) {
    expect_pong_over_the_bound_cut(websocket_upgrade_request);
}

TEST(ControlFrames, APongOverTheOutboundBoundCutsACompressedConnection) {
    expect_pong_over_the_bound_cut(deflate_upgrade_request);
}

TEST(ControlFrames, APongWithinTheBoundIsAnswered) {
    running_gateway gw([](gateway_config& c) { c.session.register_message_bytes = 100; });
    raw_connection c(gw.port(), 5s);
    c.send(websocket_upgrade_request);
    ASSERT_NE(c.read_head().find("101"), std::string::npos);
    c.send(raw_connection::frame(ws_frame::opcode::ping, std::string(98, 'p')));
    auto pong = c.read_frame();
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->op, ws_frame::opcode::pong);
    EXPECT_EQ(pong->payload, std::string(98, 'p'));
    EXPECT_EQ(gw.stats().slow_consumers_closed.load(), 0u);
}
