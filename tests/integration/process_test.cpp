// The switchboard binary as an operator runs it: flags, config validation,
// and shutdown on SIGTERM.

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "child_process.hpp"
#include "ws_test_client.hpp"

using namespace switchboard::test;

namespace {
const std::string binary = SWITCHBOARD_BINARY;

std::string write_config(const std::string& name, const std::string& text) {
    auto path = std::filesystem::temp_directory_path() /
                ("sb-test-" + std::to_string(getpid()) + "-" + name);
    std::ofstream(path) << text;
    return path.string();
}

unsigned short port_from(const std::string& line) {
    return static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1)));
}
}  // namespace

TEST(Process, HelpExplainsEveryFlag) {
    auto r = run_program({binary, "--help"});
    EXPECT_EQ(r.status, 0);
    for (const char* flag :
         {"--config", "--port", "--address", "--threads", "--log-level", "--node",
          "--dashboard-dir", "--duplicate-id-policy", "--auth", "--check-config"}) {
        EXPECT_NE(r.output.find(flag), std::string::npos) << flag;
    }
}

TEST(Process, ShippedConfigIsValid) {
    auto r = run_program({binary, "--config",
                          std::string(SWITCHBOARD_SOURCE_DIR) + "/config/switchboard.json",
                          "--check-config"});
    EXPECT_EQ(r.status, 0) << r.output;
}

TEST(Process, HardenedProductionExampleIsValid) {
    auto r =
        run_program({binary, "--config",
                     std::string(SWITCHBOARD_SOURCE_DIR) + "/config/switchboard.production.json",
                     "--check-config"});
    EXPECT_EQ(r.status, 0) << r.output;
}

TEST(Process, BenchmarkConfigIsValid) {
    auto r = run_program({binary, "--config",
                          std::string(SWITCHBOARD_SOURCE_DIR) + "/config/switchboard.bench.json",
                          "--check-config"});
    EXPECT_EQ(r.status, 0) << r.output;
}

TEST(Process, AuthRequiredWithoutCredentialsStopsStartup) {
    // The default is auth required; running without it takes an explicit setting.
    auto r = run_program({binary, "--port", "0"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("auth.mode"), std::string::npos) << r.output;
}

TEST(Process, DisabledAuthIsAnnouncedWithAWarning) {
    child_process gw({binary, "--port", "0", "--auth", "disabled"});
    ASSERT_TRUE(gw.wait_for_line("authentication is DISABLED", std::chrono::seconds(10)))
        << gw.output();
    gw.signal(SIGTERM);
    EXPECT_EQ(gw.wait_exit(10s), 0) << gw.output();
}

TEST(Process, UnknownConfigKeyStopsStartupNamingTheKey) {
    auto path = write_config("unknown.json", R"({"limits": {"max_msg_bytes": 10}})");
    auto r = run_program({binary, "--config", path});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.output.find("limits.max_msg_bytes"), std::string::npos) << r.output;
    std::filesystem::remove(path);
}

TEST(Process, WrongTypeStopsStartupNamingTheKey) {
    auto path = write_config("type.json", R"({"listen": {"port": "8080"}})");
    auto r = run_program({binary, "--config", path});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.output.find("listen.port"), std::string::npos) << r.output;
    std::filesystem::remove(path);
}

TEST(Process, MissingConfigFileIsReported) {
    auto r = run_program({binary, "--config", "/nonexistent/switchboard.json"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.output.find("/nonexistent/switchboard.json"), std::string::npos) << r.output;
}

TEST(Process, BadFlagValueIsRefused) {
    EXPECT_NE(run_program({binary, "--port", "70000"}).status, 0);
    EXPECT_EQ(run_program({binary, "--duplicate-id-policy", "maybe"}).status, 2);
}

TEST(Process, SigtermClosesConnectionsWith1001AndExitsZero) {
    child_process gw(
        {binary, "--port", "0", "--threads", "2", "--node", "gw-proc", "--auth", "disabled"});
    auto line = gw.wait_for_line("listening on", std::chrono::seconds(10));
    ASSERT_TRUE(line) << gw.output();
    ws_test_client c(port_from(*line));
    auto reg = c.register_as("pump-1", "device");
    EXPECT_EQ(reg["node"], "gw-proc");
    gw.signal(SIGTERM);
    EXPECT_EQ(c.wait_closed(5s), 1001);
    EXPECT_EQ(gw.wait_exit(10s), 0) << gw.output();
}

TEST(Process, SigintAlsoStopsCleanly) {
    child_process gw({binary, "--port", "0", "--auth", "disabled"});
    ASSERT_TRUE(gw.wait_for_line("listening on", std::chrono::seconds(10)));
    gw.signal(SIGINT);
    EXPECT_EQ(gw.wait_exit(10s), 0) << gw.output();
}
