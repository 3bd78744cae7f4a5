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
#include "raw_connection.hpp"
#include "running_gateway.hpp"

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

// Upgrades and registers `id` over a bare socket; true when `registered` came.
bool register_raw(raw_connection& c, const std::string& id) {
    c.send(websocket_upgrade_request);
    if (c.read_head().find("101") == std::string::npos) return false;
    c.send(raw_connection::text(R"({"type":"register","id":")" + id + R"(","role":"device"})"));
    auto reply = c.read_text();
    return reply && reply->find("registered") != std::string::npos;
}

}  // namespace

TEST(ControlFrames, PingFloodThatNeverReadsKeepsMemoryBoundedAndIsClosed) {
    auto config = std::filesystem::temp_directory_path() /
                  ("sb-test-" + std::to_string(getpid()) + "-pingflood.json");
    // The shipped rate limit; a short close handshake so the test is quick.
    std::ofstream(config) << R"({"auth": {"mode": "disabled"}, "listen": {"port": 0},
                                 "threads": 2, "timeouts": {"handshake_ms": 2000}})";
    child_process gw({SWITCHBOARD_BINARY, "--config", config.string()});
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

TEST(ControlFrames, PingsAloneDoNotKeepAConnectionPastTheIdleTimeout) {
    running_gateway gw([](gateway_config& c) { c.session.idle_timeout = 1000ms; });
    raw_connection pinger(gw.port());
    ASSERT_TRUE(register_raw(pinger, "pump-1"));
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
