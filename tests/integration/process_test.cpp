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
    // Its dashboard_dir is relative to the file's folder, so the working
    // directory does not matter.
    for (const char* cwd : {SWITCHBOARD_SOURCE_DIR, "/"}) {
        auto r = run_program({"/bin/sh", "-c",
                              "cd '" + std::string(cwd) + "' && exec '" + binary + "' --config '" +
                                  std::string(SWITCHBOARD_SOURCE_DIR) +
                                  "/config/switchboard.json' --check-config"});
        EXPECT_EQ(r.status, 0) << cwd << ": " << r.output;
    }
}

TEST(Process, HardenedProductionExampleIsRefusedUntilItsSecretFilesExist) {
    auto r =
        run_program({binary, "--config",
                     std::string(SWITCHBOARD_SOURCE_DIR) + "/config/switchboard.production.json",
                     "--check-config"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("'auth.tokens_file'"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("config ok"), std::string::npos) << r.output;
}

TEST(Process, HardenedProductionExampleIsValidWithRealSecretsAndCertificate) {
    auto dir = std::filesystem::temp_directory_path() / ("sb-prod-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    auto cert = run_program({std::string(SWITCHBOARD_SOURCE_DIR) + "/scripts/make-dev-cert.sh",
                             (dir / "tls").string()});
    ASSERT_EQ(cert.status, 0) << cert.output;
    std::ofstream(dir / "tokens.json")
        << R"([{"token": "u7Jk2pQ9xV4mN8bR1tY6wE3s", "id": "ops-console-*", "role": "controller"}])";
    std::ofstream(dir / "jwt.secret") << "Zq8vN3rT6yW1pL4kH9mB2xC7dF5gJ0sAe2\n";
    std::ifstream in(std::string(SWITCHBOARD_SOURCE_DIR) + "/config/switchboard.production.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto replace = [&](const std::string& from, const std::string& to) {
        auto at = text.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        text.replace(at, from.size(), to);
    };
    replace("/etc/switchboard/tokens.json", (dir / "tokens.json").string());
    replace("/etc/switchboard/jwt.secret", (dir / "jwt.secret").string());
    replace("/etc/switchboard/tls/fullchain.pem", (dir / "tls" / "cert.pem").string());
    replace("/etc/switchboard/tls/privkey.pem", (dir / "tls" / "key.pem").string());
    std::string config = (dir / "production.json").string();
    std::ofstream(config) << text;
    auto r = run_program({binary, "--config", config, "--check-config"});
    EXPECT_EQ(r.status, 0) << r.output;
    // The same with a key that is not the certificate's.
    auto other = run_program({std::string(SWITCHBOARD_SOURCE_DIR) + "/scripts/make-dev-cert.sh",
                              (dir / "other").string()});
    ASSERT_EQ(other.status, 0) << other.output;
    replace((dir / "tls" / "key.pem").string(), (dir / "other" / "key.pem").string());
    std::ofstream(config) << text;
    r = run_program({binary, "--config", config, "--check-config"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("'tls.key_file'"), std::string::npos) << r.output;
    std::filesystem::remove_all(dir);
}

TEST(Process, PlaceholderSecretsAreRefusedNamingTheKey) {
    auto config = write_config(
        "placeholder.json",
        R"({"auth": {"jwt": {"secret": "REPLACE-with-at-least-32-random-bytes-of-secret"}}})");
    auto r = run_program({binary, "--config", config, "--check-config"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("'auth.jwt.secret'"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("placeholder"), std::string::npos) << r.output;

    r = run_program({"/usr/bin/env", "SWITCHBOARD_JWT_SECRET=REPLACE-me-with-32-random-bytes-xyz",
                     binary, "--check-config"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("SWITCHBOARD_JWT_SECRET"), std::string::npos) << r.output;

    r = run_program({"/usr/bin/env", "SWITCHBOARD_JWT_SECRET=wqd2J7mK9VbX1pL0nT4sR8yC6fH3gZ5a",
                     binary, "--check-config"});
    EXPECT_EQ(r.status, 0) << r.output;  // the secret from the environment satisfies auth.mode
}

TEST(Process, MqttPasswordOnTheCommandLineIsWarnedAbout) {
    auto r = run_program(
        {binary, "--auth", "disabled", "--mqtt-password", "broker-pass-123", "--check-config"});
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("visible"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("SWITCHBOARD_MQTT_PASSWORD"), std::string::npos) << r.output;
    r = run_program({"/usr/bin/env", "SWITCHBOARD_MQTT_PASSWORD=broker-pass-123", binary, "--auth",
                     "disabled", "--check-config"});
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(r.output.find("visible"), std::string::npos) << r.output;
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

TEST(Process, MissingDashboardDirIsNamedAsResolved) {
    // Relative, as in the shipped config: resolved from the working directory.
    const std::string dir = "sb-no-such-dashboard-" + std::to_string(getpid());
    auto r = run_program({binary, "--port", "0", "--auth", "disabled", "--dashboard-dir", dir});
    EXPECT_EQ(r.status, 2) << r.output;
    const auto resolved = (std::filesystem::current_path() / dir).string();
    EXPECT_NE(r.output.find("(" + resolved + ") is not a folder"), std::string::npos) << r.output;
}
