// Reliability checks that need a crowd: strangers that never log in (what
// they may make the gateway hold, docs/security.md), and a stampede on one ID.

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "eventually.hpp"
#include "raw_connection.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;  // shadow memory and quarantines make RSS meaningless
#else
constexpr bool sanitized = false;
#endif

std::size_t resident_bytes() {
    std::size_t pages = 0, resident = 0;
    std::ifstream("/proc/self/statm") >> pages >> resident;
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// A masked text frame header claiming `length` payload bytes (16-bit length form).
std::string frame_header(std::uint16_t length) {
    std::string h = {'\x81', '\xfe', static_cast<char>(length >> 8),
                     static_cast<char>(length & 0xff)};
    return h + std::string("\x01\x02\x03\x04", 4);
}

}  // namespace

// "Memory before login": 1,000 sockets that upgrade and then start a frame
// they never finish, or send junk instead of HTTP. They must cost little and
// all be gone at the register or handshake timeout.
TEST(Reliability, ThousandStrangersCostLittleAndAreAllClosedAtTheirTimeouts) {
    running_gateway gw([](gateway_config& c) {
        c.session.handshake_timeout = 1000ms;
        c.session.register_timeout = 1000ms;
    });
    std::vector<std::unique_ptr<raw_connection>> strangers;
    std::size_t before = resident_bytes();
    const std::string junk(2000, '\x16');
    for (int i = 0; i < 1000; ++i) {
        auto& s = *strangers.emplace_back(std::make_unique<raw_connection>(gw.port()));
        if (i % 4 == 3) {
            s.send(junk);
        } else {
            // Claims a frame just under the pre-register cap, sends half of it.
            s.send(websocket_upgrade_request + frame_header(8000) + std::string(4000, 'x'));
        }
    }
    EXPECT_TRUE(eventually([&] { return gw.get().open_sessions() >= 700; }, 5s));
    std::size_t grown = resident_bytes() - std::min(before, resident_bytes());
    if (!sanitized) {
        EXPECT_LT(grown, 20u << 20) << "RSS grew by " << grown << " bytes";
    }
    auto start = std::chrono::steady_clock::now();
    for (auto& s : strangers) ASSERT_TRUE(s->closed_by_server());
    // Timeout (1 s), then at most the lingering close (2 s) for peers that never close.
    EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);
    EXPECT_TRUE(eventually([&] { return gw.get().open_sessions() == 0; }, 5s));
    EXPECT_GE(gw.stats().register_timeouts.load(), 700u);
    ws_test_client after(gw.port());
    EXPECT_EQ(after.register_as("dash-1", "controller")["type"], "registered");
}

TEST(Reliability, RegisterFrameOverTheRegisterCapClosesWith1009ButLaterFramesMayBeLarger) {
    // A large `meta` is what fills the register frame here; its own cap
    // (1 KiB by default) is raised so the frame cap is what is tested.
    running_gateway gw([](gateway_config& c) { c.session.max_meta_bytes = 16384; });
    ws_test_client stranger(gw.port());
    stranger.send({{"type", "register"},
                   {"id", "pump-1"},
                   {"role", "device"},
                   {"meta", {{"blob", std::string(9000, 'x')}}}});
    EXPECT_EQ(stranger.wait_closed(), 1009);

    ws_test_client dev(gw.port()), ctl(gw.port());
    dev.register_as("pump-1", "device", {{"meta", {{"blob", std::string(7000, 'x')}}}});
    ctl.register_as("dash-1", "controller");
    ctl.send({{"type", "message"}, {"to", "pump-1"}, {"payload", std::string(60000, 'y')}});
    auto m = dev.receive_type("message");
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["payload"].get<std::string>().size(), 60000u);
}

// "Takeover race": 1,000 registrations of one ID at once. Exactly one
// session is left holding it, every other is closed with 4003, and a
// command reaches that one only.
TEST(Reliability, ThousandSimultaneousRegistrationsOfOneIdLeaveExactlyOneSession) {
    running_gateway gw([](gateway_config& c) { c.threads = 4; });
    std::vector<std::unique_ptr<client_io>> io(4);
    for (auto& i : io) i = std::make_unique<client_io>();
    std::vector<std::unique_ptr<ws_test_client>> claimants;
    for (int i = 0; i < 1000; ++i) {
        claimants.push_back(
            std::make_unique<ws_test_client>(gw.port(), client_options{}, io[i % 4].get()));
        ASSERT_TRUE(claimants.back()->connected());
    }
    for (auto& c : claimants) c->send({{"type", "register"}, {"id", "pump-1"}, {"role", "device"}});

    auto open_count = [&] {
        return std::count_if(claimants.begin(), claimants.end(),
                             [](const auto& c) { return !c->closed(); });
    };
    ASSERT_TRUE(eventually([&] { return open_count() == 1; }, 30s))
        << open_count() << " still open";
    EXPECT_EQ(gw.get().routing().clients().size(), 1u);
    for (auto& c : claimants) {
        if (c->closed()) {
            EXPECT_EQ(c->wait_closed(0ms), 4003);
        }
    }

    ws_test_client ctl(gw.port());
    ctl.register_as("dash-1", "controller");
    ctl.send({{"type", "command"}, {"to", "pump-1"}, {"id", "c-1"}, {"name", "ping"}});
    auto survivor = std::find_if(claimants.begin(), claimants.end(),
                                 [](const auto& c) { return !c->closed(); });
    ASSERT_NE(survivor, claimants.end());
    auto cmd = (*survivor)->receive_type("command");
    ASSERT_TRUE(cmd);
    EXPECT_EQ((*cmd)["id"], "c-1");
    (*survivor)->send({{"type", "response"}, {"to", "dash-1"}, {"id", "c-1"}, {"ok", true}});
    auto r = ctl.receive_type("response");
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)["ok"], true);
}
