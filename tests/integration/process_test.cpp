// The switchboard binary as an operator runs it: flags, config validation,
// and shutdown on SIGTERM.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "child_process.hpp"
#include "core/id_rules.hpp"
#include "dev_cert.hpp"
#include "eventually.hpp"
#include "raw_connection.hpp"
#include "test_paths.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;

namespace {
const std::string binary = test_paths::gateway();

std::string write_config(const std::string& name, const std::string& text) {
    auto path = std::filesystem::temp_directory_path() /
                ("sb-test-" + std::to_string(getpid()) + "-" + name);
    std::ofstream(path) << text;
    return path.string();
}

unsigned short port_from(const std::string& line) {
    return static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1)));
}

const std::string jwt_secret = "process-test-secret-of-at-least-32-bytes";

std::string secured_config() {
    return write_config("secured.json", R"({"auth": {"mode": "required", "jwt": {"secret": ")" +
                                            jwt_secret + R"("}}})");
}

// A unix datagram socket standing in for systemd's NOTIFY_SOCKET.
class notify_socket {
public:
    notify_socket() {
        path_ = (std::filesystem::temp_directory_path() /
                 ("sb-notify-" + std::to_string(getpid()) + ".sock"))
                    .string();
        std::filesystem::remove(path_);
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path_.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
        bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
        timeval timeout{0, 100'000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    }
    ~notify_socket() {
        ::close(fd_);
        std::filesystem::remove(path_);
    }
    bool bound() const { return bound_; }
    const std::string& path() const { return path_; }

    // Everything received so far, messages separated by newlines.
    const std::string& received() {
        char buf[4096];
        ssize_t n = 0;
        while ((n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
            received_.append(buf, static_cast<std::size_t>(n)).push_back('\n');
        }
        return received_;
    }

private:
    std::string path_;
    int fd_ = -1;
    bool bound_ = false;
    std::string received_;
};
}  // namespace

TEST(Process, HelpExplainsEveryFlag) {
    auto r = run_program({binary, "--help"});
    EXPECT_EQ(r.status, 0);
    for (const char* flag :
         {"--config", "--port", "--address", "--threads", "--log-level", "--node",
          "--dashboard-dir", "--duplicate-id-policy", "--auth", "--check-config", "--log-format",
          "--print-config", "--version", "token"}) {
        EXPECT_NE(r.output.find(flag), std::string::npos) << flag;
    }
}

TEST(Process, ShippedConfigIsValid) {
    // Its dashboard_dir is relative to the file's folder, so the working
    // directory does not matter.
    for (const std::string& cwd : {test_paths::source_dir(), std::string("/")}) {
        auto r = run_program({"/bin/sh", "-c",
                              "cd '" + cwd + "' && exec '" + binary + "' --config '" +
                                  test_paths::source_dir() +
                                  "/config/switchboard.json' --check-config"});
        EXPECT_EQ(r.status, 0) << cwd << ": " << r.output;
    }
}

TEST(Process, HardenedProductionExampleIsRefusedUntilItsSecretFilesExist) {
    auto r = run_program({binary, "--config",
                          test_paths::source_dir() + "/config/switchboard.production.json",
                          "--check-config"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("'auth.tokens_file'"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("config ok"), std::string::npos) << r.output;
}

TEST(Process, HardenedProductionExampleIsValidWithRealSecretsAndCertificate) {
    auto dir = std::filesystem::temp_directory_path() / ("sb-prod-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    make_dev_cert(dir / "tls");
    std::ofstream(dir / "tokens.json")
        << R"([{"token": "u7Jk2pQ9xV4mN8bR1tY6wE3s", "id": "ops-console-*", "role": "controller"}])";
    std::ofstream(dir / "jwt.secret") << "Zq8vN3rT6yW1pL4kH9mB2xC7dF5gJ0sAe2\n";
    std::ifstream in(test_paths::source_dir() + "/config/switchboard.production.json");
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
    replace("/var/lib/switchboard/commands.db", (dir / "commands.db").string());
    std::string config = (dir / "production.json").string();
    std::ofstream(config) << text;
    auto r = run_program({binary, "--config", config, "--check-config"});
    EXPECT_EQ(r.status, 0) << r.output;
    // The same with a key that is not the certificate's.
    make_dev_cert(dir / "other");
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
    std::filesystem::remove(config);
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
                          test_paths::source_dir() + "/config/switchboard.bench.json",
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

// A broker URL Paho would only fail to connect to is refused at start-up,
// from the file or the flag, with its reason (core/url_parts.hpp).
TEST(Process, BadMqttUrlStopsStartupNamingTheReason) {
    auto path = write_config("mqtt-url.json", R"({"mqtt": {"url": "tcp://127.0.0.1:"}})");
    auto r = run_program({binary, "--config", path, "--auth", "disabled", "--port", "0"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("'mqtt.url' is 'tcp://127.0.0.1:': the port is empty"),
              std::string::npos)
        << r.output;
    std::filesystem::remove(path);
    r = run_program(
        {binary, "--auth", "disabled", "--port", "0", "--mqtt-url", "ssl://broker:8883/x"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("--mqtt-url 'ssl://broker:8883/x': an MQTT broker URL has no path"),
              std::string::npos)
        << r.output;
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

TEST(Process, VersionPrintsTheProjectVersion) {
    auto r = run_program({binary, "--version"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.output.rfind("switchboard " SWITCHBOARD_VERSION, 0), 0u) << r.output;
}

TEST(Process, KeyGivenTwiceStopsStartupNamingIt) {
    // The shipped file's own tls block under one an operator added above it.
    auto path = write_config("twice.json", R"({
        "tls": {"enabled": true, "cert_file": "/etc/ssl/a.pem", "key_file": "/etc/ssl/a.key"},
        "auth": {"mode": "disabled"},
        "tls": {"enabled": false}
    })");
    for (bool check_only : {true, false}) {
        auto r = check_only ? run_program({binary, "--config", path, "--check-config"})
                            : run_program({binary, "--config", path, "--port", "0"});
        EXPECT_EQ(r.status, 2) << r.output;
        EXPECT_NE(r.output.find(path + ": 'tls' is given twice"), std::string::npos) << r.output;
    }
    std::filesystem::remove(path);
}

TEST(Process, SyntaxErrorGivesLineAndColumn) {
    auto path = write_config("syntax.json",
                             "{\n  \"auth\": {\"mode\": \"disabled\"},\n  \"node\" \"gw\"\n}\n");
    auto r = run_program({binary, "--config", path, "--check-config"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.output.find(path + ": line 3, column 13"), std::string::npos) << r.output;
    std::filesystem::remove(path);
}

TEST(Process, MissingCertificateExitsTwoNamingTheFile) {
    auto path = write_config("nocert.json", R"({"auth": {"mode": "disabled"},
        "tls": {"enabled": true, "cert_file": "/nonexistent/sb-cert.pem",
                "key_file": "/nonexistent/sb-key.pem"}})");
    auto r = run_program({binary, "--config", path, "--port", "0"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("'tls.cert_file': /nonexistent/sb-cert.pem: cannot be read"),
              std::string::npos)
        << r.output;
    std::filesystem::remove(path);
}

TEST(Process, MissingDashboardDirExitsTwoNamingIt) {
    auto path = write_config("nodash.json",
                             R"({"auth": {"mode": "disabled"}, "dashboard_dir": "no-such-dash"})");
    // Relative to the config file's folder, not to the working directory.
    auto expected = (std::filesystem::path(path).parent_path() / "no-such-dash").string();
    auto r = run_program({binary, "--config", path, "--port", "0"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("'dashboard_dir': " + expected + " is not a folder"), std::string::npos)
        << r.output;
    std::filesystem::remove(path);
}

TEST(Process, RelativeDashboardDirIsTheConfigFilesFolder) {
    auto folder = std::filesystem::temp_directory_path() / ("sb-dash-" + std::to_string(getpid()));
    std::filesystem::create_directories(folder / "etc" / "dash");
    std::ofstream(folder / "etc" / "sb.json")
        << R"({"auth": {"mode": "disabled"}, "dashboard_dir": "dash"})";
    auto r =
        run_program({binary, "--config", (folder / "etc" / "sb.json").string(), "--print-config"});
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(nlohmann::json::parse(r.output)["dashboard_dir"], (folder / "etc" / "dash").string());
    std::filesystem::remove_all(folder);
}

TEST(Process, PrintConfigMergesFlagsAndMasksSecrets) {
    auto path = write_config("print.json", R"({"node": "gw-file", "listen": {"port": 9000},
        "mqtt": {"password": "mqtt-secret-password"},
        "auth": {"mode": "required", "jwt": {"secret": ")" +
                                               jwt_secret + R"("},
                 "tokens": [{"token": "static-token-secret-123", "id": "ctl-*", "role": "controller"}]}})");
    auto r = run_program(
        {binary, "--config", path, "--port", "9100", "--log-format", "json", "--print-config"});
    ASSERT_EQ(r.status, 0) << r.output;
    for (const char* secret : {"mqtt-secret-password", "static-token-secret-123"}) {
        EXPECT_EQ(r.output.find(secret), std::string::npos) << secret;
    }
    EXPECT_EQ(r.output.find(jwt_secret), std::string::npos);
    auto printed = nlohmann::json::parse(r.output);
    EXPECT_EQ(printed["node"], "gw-file");
    EXPECT_EQ(printed["listen"]["port"], 9100);
    EXPECT_EQ(printed["log_format"], "json");
    EXPECT_EQ(printed["auth"]["jwt"]["secret"], "********");
    EXPECT_EQ(printed["auth"]["tokens"][0]["token"], "********");
    EXPECT_EQ(printed["auth"]["tokens"][0]["id"], "ctl-*");
    EXPECT_EQ(printed["mqtt"]["password"], "********");
    std::filesystem::remove(path);

    // No node in the config or the flags: named after this host and its port.
    auto unnamed = run_program({binary, "--port", "9100", "--auth", "disabled", "--print-config"});
    ASSERT_EQ(unnamed.status, 0) << unnamed.output;
    char host[256] = {};
    ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
    EXPECT_EQ(nlohmann::json::parse(unnamed.output)["node"],
              switchboard::default_node_name(host, 9100))
        << unnamed.output;
}

TEST(Process, MintedTokenRegistersWithALiveGatewayThatRequiresAuth) {
    auto path = secured_config();
    auto minted = run_program(
        {binary, "token", "--config", path, "--id", "pump-12", "--role", "device", "--ttl", "1h"});
    ASSERT_EQ(minted.status, 0) << minted.output;
    std::string token = minted.output.substr(0, minted.output.find('\n'));
    EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;

    child_process gw({binary, "--config", path, "--port", "0"});
    auto line = gw.wait_for_line("listening on", std::chrono::seconds(10));
    ASSERT_TRUE(line) << gw.output();
    {
        ws_test_client device(port_from(*line));
        auto reg = device.register_as("pump-12", "device", {{"token", token}});
        EXPECT_EQ(reg["type"], "registered") << reg.dump();
    }
    {
        // The token names its ID: another ID is refused.
        ws_test_client other(port_from(*line));
        auto reg = other.register_as("pump-13", "device", {{"token", token}});
        EXPECT_EQ(reg["type"], "error") << reg.dump();
    }
    gw.signal(SIGTERM);
    EXPECT_EQ(gw.wait_exit(10s), 0) << gw.output();
    std::filesystem::remove(path);
}

TEST(Process, TokenNeedsAJwtSecretAndValidArguments) {
    auto no_secret = write_config("nosecret.json", R"({"auth": {"mode": "disabled"}})");
    auto r = run_program({binary, "token", "-c", no_secret, "--id", "a", "--role", "device"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.output.find("auth.jwt.secret"), std::string::npos) << r.output;
    auto path = secured_config();
    EXPECT_EQ(run_program({binary, "token", "-c", path, "--id", "a b", "--role", "device"}).status,
              2);
    EXPECT_EQ(run_program({binary, "token", "-c", path, "--id", "a", "--role", "admin"}).status, 2);
    EXPECT_EQ(
        run_program({binary, "token", "-c", path, "--id", "a", "--role", "device", "--ttl", "1y"})
            .status,
        2);
    EXPECT_EQ(run_program({binary, "token", "-c", path, "--role", "device"}).status, 2);
    std::filesystem::remove(no_secret);
    std::filesystem::remove(path);
}

TEST(Process, JsonLogLinesCarryAnIsoTimestampWithOffset) {
    child_process gw({binary, "--port", "0", "--auth", "disabled", "--log-format", "json"});
    ASSERT_TRUE(gw.wait_for_line("listening on", std::chrono::seconds(10))) << gw.output();
    gw.signal(SIGTERM);
    ASSERT_EQ(gw.wait_exit(10s), 0) << gw.output();
    std::istringstream lines(gw.output());
    std::string line;
    int json_lines = 0;
    // ISO 8601 with milliseconds and an offset, by shape: 9 is a digit, + is
    // either sign. (std::regex trips GCC 12's maybe-uninitialized at -O1.)
    auto iso8601 = [](const std::string& t) {
        constexpr std::string_view shape = "9999-99-99T99:99:99.999+99:99";
        if (t.size() != shape.size()) return false;
        for (std::size_t i = 0; i < t.size(); ++i) {
            bool ok = shape[i] == '9'   ? (t[i] >= '0' && t[i] <= '9')
                      : shape[i] == '+' ? (t[i] == '+' || t[i] == '-')
                                        : t[i] == shape[i];
            if (!ok) return false;
        }
        return true;
    };
    while (std::getline(lines, line)) {
        if (line.rfind("listening on", 0) == 0) continue;  // stdout's machine-read line
        auto entry = nlohmann::json::parse(line, nullptr, false);
        ASSERT_TRUE(entry.is_object()) << line;
        EXPECT_TRUE(iso8601(entry["time"].get<std::string>())) << line;
        EXPECT_TRUE(entry["level"].is_string()) << line;
        EXPECT_TRUE(entry["message"].is_string()) << line;
        ++json_lines;
    }
    EXPECT_GE(json_lines, 2) << gw.output();  // at least the start and "stopped"
}

TEST(Process, TellsSystemdReadyOnceListeningAndStoppingOnSigterm) {
    notify_socket systemd;
    ASSERT_TRUE(systemd.bound());
    child_process gw({"/usr/bin/env", "NOTIFY_SOCKET=" + systemd.path(), binary, "--port", "0",
                      "--auth", "disabled"});
    ASSERT_TRUE(gw.wait_for_line("listening on", std::chrono::seconds(10))) << gw.output();
    ASSERT_TRUE(eventually([&] { return systemd.received().find("READY=1") != std::string::npos; }))
        << systemd.received();
    EXPECT_EQ(systemd.received().find("STOPPING=1"), std::string::npos);
    gw.signal(SIGTERM);
    EXPECT_TRUE(eventually([&] {
        return systemd.received().find("STOPPING=1") != std::string::npos;
    })) << systemd.received();
    EXPECT_EQ(gw.wait_exit(10s), 0) << gw.output();
}

// SIGTERM with timeouts.drain_ms: systemd hears STOPPING=1 as the drain
// starts; /readyz and new upgrades answer 503 while the open connection
// keeps working; then it is closed with 1001 and the process exits 0.
TEST(Process, SigtermDrainsBeforeClosingAndSaysStoppingAsTheDrainStarts) {
    notify_socket systemd;
    ASSERT_TRUE(systemd.bound());
    auto path = write_config("drain.json",
                             R"({"auth": {"mode": "disabled"}, "timeouts": {"drain_ms": 1500}})");
    child_process gw({"/usr/bin/env", "NOTIFY_SOCKET=" + systemd.path(), binary, "--config", path,
                      "--port", "0"});
    auto line = gw.wait_for_line("listening on", 10s);
    ASSERT_TRUE(line) << gw.output();
    const unsigned short port = port_from(*line);
    auto readyz_status = [&] {
        raw_connection c(port, 2s);
        c.send("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        std::string all = c.read_to_end();
        return all.substr(0, all.find("\r\n"));
    };
    EXPECT_EQ(readyz_status(), "HTTP/1.1 200 OK");
    ws_test_client open(port);
    open.register_as("pump-1", "device");
    ws_test_client dash(port);
    dash.register_as("dash-1", "controller");

    gw.signal(SIGTERM);
    ASSERT_TRUE(eventually([&] {
        return systemd.received().find("STOPPING=1") != std::string::npos;
    })) << systemd.received();
    EXPECT_EQ(readyz_status(), "HTTP/1.1 503 Service Unavailable");
    ws_test_client late(port);
    EXPECT_FALSE(late.connected());
    // Open connections keep routing while the load balancer moves away.
    dash.send({{"type", "command"}, {"to", "pump-1"}, {"id", "c-1"}, {"name", "ping"}});
    auto command = open.receive_type("command");
    ASSERT_TRUE(command);
    EXPECT_EQ((*command)["id"], "c-1");
    EXPECT_FALSE(open.closed());
    EXPECT_EQ(open.wait_closed(5s), 1001);
    EXPECT_EQ(gw.wait_exit(10s), 0) << gw.output();
    EXPECT_NE(gw.output().find("draining for 1500 ms"), std::string::npos) << gw.output();
    std::filesystem::remove(path);
}

// A second stop signal cuts a long drain short.
TEST(Process, SecondSigtermCutsTheDrainShort) {
    auto path = write_config("long-drain.json",
                             R"({"auth": {"mode": "disabled"}, "timeouts": {"drain_ms": 600000}})");
    child_process gw({binary, "--config", path, "--port", "0"});
    ASSERT_TRUE(gw.wait_for_line("listening on", 10s)) << gw.output();
    gw.signal(SIGTERM);
    ASSERT_TRUE(gw.wait_for_line("draining for 600000 ms", 10s)) << gw.output();
    gw.signal(SIGTERM);
    EXPECT_EQ(gw.wait_exit(10s), 0) << gw.output();
    EXPECT_NE(gw.output().find("drain cut short"), std::string::npos) << gw.output();
    std::filesystem::remove(path);
}

TEST(Process, ConnectionOpenAndCloseAreLoggedWithoutTheToken) {
    auto path = secured_config();
    auto minted =
        run_program({binary, "token", "--config", path, "--id", "pump-log", "--role", "device"});
    ASSERT_EQ(minted.status, 0) << minted.output;
    std::string token = minted.output.substr(0, minted.output.find('\n'));
    child_process gw({binary, "--config", path, "--port", "0"});
    auto line = gw.wait_for_line("listening on", std::chrono::seconds(10));
    ASSERT_TRUE(line) << gw.output();
    {
        ws_test_client device(port_from(*line));
        ASSERT_EQ(device.register_as("pump-log", "device", {{"token", token}})["type"],
                  "registered");
        auto open = gw.wait_for_line("connection open: id=pump-log", std::chrono::seconds(5));
        ASSERT_TRUE(open) << gw.output();
        EXPECT_NE(open->find("role=device transport=ws remote=127.0.0.1 session="),
                  std::string::npos)
            << *open;
        EXPECT_NE(open->find(" info "), std::string::npos) << *open;
    }
    auto closed = gw.wait_for_line("connection closed: id=pump-log", std::chrono::seconds(5));
    ASSERT_TRUE(closed) << gw.output();
    EXPECT_NE(closed->find("role=device transport=ws remote=127.0.0.1 session="), std::string::npos)
        << *closed;
    EXPECT_NE(closed->find(R"(reason="closed by the client")"), std::string::npos) << *closed;
    gw.signal(SIGTERM);
    EXPECT_EQ(gw.wait_exit(10s), 0) << gw.output();
    EXPECT_EQ(gw.output().find(token), std::string::npos) << "the token reached the log";
    EXPECT_EQ(gw.output().find(jwt_secret), std::string::npos) << "the secret reached the log";
    std::filesystem::remove(path);
}

// SIGHUP re-reads the file: a new token works and an old connection stays
// up and keeps routing; a bad file, or one that moves the listener, is
// refused with a line naming the key, and nothing of it applies.
TEST(Process, SighupAppliesANewFileAndRefusesABadOneNamingTheKey) {
    const std::string device_token = "dev-token-7Hq2xLp9Vm4r";
    const std::string controller_token = "ctl-token-3Wz8kNb5Tc1y";
    const std::string new_token = "new-token-9Rf4jDs6Ga2u";
    auto tokens = [&](bool with_new) {
        std::string t = R"({"token": ")" + device_token + R"(", "id": "pump-*", "role": "device"},
            {"token": ")" +
                        controller_token + R"(", "id": "dash-*", "role": "controller"})";
        if (with_new)
            t += R"(, {"token": ")" + new_token + R"(", "id": "dash-*", "role": "controller"})";
        return R"({"listen": {"port": 0}, "threads": 2, "auth": {"tokens": [)" + t + "]}}";
    };
    auto path = write_config("reload.json", tokens(false));
    child_process gw({binary, "--config", path});
    auto line = gw.wait_for_line("listening on", 10s);
    ASSERT_TRUE(line) << gw.output();
    const unsigned short port = port_from(*line);
    auto reload_with = [&](const std::string& text, const std::string& expected_line) {
        std::ofstream(path) << text;
        gw.signal(SIGHUP);
        auto logged = gw.wait_for_line(expected_line, 10s);
        EXPECT_TRUE(logged) << expected_line << "\n" << gw.output();
        return logged.value_or("");
    };
    auto register_with = [&](ws_test_client& c, const std::string& id, const char* role,
                             const std::string& token) {
        return c.register_as(id, role, {{"token", token}})["type"];
    };

    ws_test_client device(port), controller(port);
    EXPECT_EQ(register_with(device, "pump-1", "device", device_token), "registered");
    EXPECT_EQ(register_with(controller, "dash-1", "controller", controller_token), "registered");
    {
        ws_test_client early(port);
        EXPECT_EQ(register_with(early, "dash-2", "controller", new_token), "error");
    }

    reload_with(tokens(true), "reload: applied (changed: auth)");
    ws_test_client fresh(port);
    EXPECT_EQ(register_with(fresh, "dash-2", "controller", new_token), "registered");
    auto command_reaches_pump = [&](ws_test_client& from, const std::string& id) {
        from.send({{"type", "command"}, {"to", "pump-1"}, {"id", id}, {"name", "ping"}});
        auto got = device.receive_type("command");
        return got && (*got)["id"] == id;
    };
    EXPECT_TRUE(command_reaches_pump(controller, "c-1"));
    EXPECT_TRUE(command_reaches_pump(fresh, "c-2"));

    // A bad file: the error names the key, and the new token set stays.
    // (The log is searched from its start: each needle appears once.)
    auto refused =
        reload_with(R"({"listen": {"port": 0}, "threads": 2, "limits": {"max_msg_bytes": 1}})",
                    "'limits.max_msg_bytes'");
    EXPECT_NE(refused.find("reload refused"), std::string::npos) << refused;
    refused = reload_with(R"({"listen": {"port": 0}, "threads": 3, "auth": {"mode": "disabled"}})",
                          "'threads' cannot change while running");
    EXPECT_NE(refused.find("reload refused"), std::string::npos) << refused;
    ws_test_client after(port);
    EXPECT_EQ(register_with(after, "dash-3", "controller", new_token), "registered");
    ws_test_client anonymous(port);
    EXPECT_EQ(anonymous.register_as("dash-4", "controller")["type"], "error");
    EXPECT_TRUE(command_reaches_pump(controller, "c-3"));
    EXPECT_FALSE(device.closed());

    gw.signal(SIGTERM);
    EXPECT_EQ(gw.wait_exit(10s), 0) << gw.output();
    std::filesystem::remove(path);
}

// `switchboard reload` asks the running gateway, through admin.socket, to
// read its config again, on the same path as SIGHUP: a new token applies and
// an open connection keeps routing; a bad file, or one that moves the
// listener, exits non-zero naming the key, and the running config stays.
TEST(Process, ReloadSubcommandAppliesANewFileOrSaysWhyNot) {
    const std::string device_token = "dev-token-7Hq2xLp9Vm4r";
    const std::string new_token = "new-token-9Rf4jDs6Ga2u";
    const std::string socket_path = (std::filesystem::temp_directory_path() /
                                     ("sb-admin-" + std::to_string(getpid()) + ".sock"))
                                        .string();
    auto config = [&](const std::string& extra_token, const std::string& more) {
        std::string tokens =
            R"({"token": ")" + device_token + R"(", "id": "pump-*", "role": "device"})";
        if (!extra_token.empty())
            tokens +=
                R"(, {"token": ")" + extra_token + R"(", "id": "dash-*", "role": "controller"})";
        return R"({"listen": {"port": 0}, "threads": 2, "admin": {"socket": ")" + socket_path +
               R"("}, "auth": {"tokens": [)" + tokens + "]}" + more + "}";
    };
    auto path = write_config("reload-cmd.json", config("", ""));
    child_process gw({binary, "--config", path});
    auto line = gw.wait_for_line("listening on", 10s);
    ASSERT_TRUE(line) << gw.output();
    const unsigned short port = port_from(*line);
    EXPECT_EQ(std::filesystem::status(socket_path).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    auto reload = [&] { return run_program({binary, "reload", "--config", path}); };

    ws_test_client device(port);
    ASSERT_EQ(device.register_as("pump-1", "device", {{"token", device_token}})["type"],
              "registered");
    {
        ws_test_client early(port);
        EXPECT_EQ(early.register_as("dash-1", "controller", {{"token", new_token}})["type"],
                  "error");
    }

    // Unchanged: applied, nothing changed.
    auto same = reload();
    EXPECT_EQ(same.status, 0) << same.output;
    EXPECT_NE(same.output.find("reload: applied (changed: nothing)"), std::string::npos)
        << same.output;

    std::ofstream(path) << config(new_token, "");
    auto applied = reload();
    EXPECT_EQ(applied.status, 0) << applied.output;
    EXPECT_NE(applied.output.find("reload: applied (changed: auth)"), std::string::npos)
        << applied.output;
    ws_test_client dash(port);
    EXPECT_EQ(dash.register_as("dash-1", "controller", {{"token", new_token}})["type"],
              "registered");
    dash.send({{"type", "command"}, {"to", "pump-1"}, {"id", "c-1"}, {"name", "ping"}});
    auto command = device.receive_type("command");
    ASSERT_TRUE(command);
    EXPECT_EQ((*command)["id"], "c-1");

    // A bad file (a weak token) and a fixed key: non-zero, the key named.
    std::ofstream(path) << config("short", "");
    auto bad = reload();
    EXPECT_NE(bad.status, 0) << bad.output;
    EXPECT_NE(bad.output.find("reload refused"), std::string::npos) << bad.output;
    EXPECT_NE(bad.output.find("'auth.tokens[1].token'"), std::string::npos) << bad.output;
    std::ofstream(path) << config("", R"(, "node": "elsewhere")");
    auto fixed = reload();
    EXPECT_NE(fixed.status, 0) << fixed.output;
    EXPECT_NE(fixed.output.find("'node' cannot change while running"), std::string::npos)
        << fixed.output;
    // The running config is the last applied one: the new token still works.
    ws_test_client again(port);
    EXPECT_EQ(again.register_as("dash-2", "controller", {{"token", new_token}})["type"],
              "registered");
    EXPECT_FALSE(device.closed());

    gw.signal(SIGTERM);
    EXPECT_EQ(gw.wait_exit(10s), 0) << gw.output();
    EXPECT_FALSE(std::filesystem::exists(socket_path)) << "the socket file stays after exit";
    // Nobody there now: the subcommand says so and fails.
    auto nobody = reload();
    EXPECT_NE(nobody.status, 0) << nobody.output;
    EXPECT_NE(nobody.output.find("cannot reach the gateway"), std::string::npos) << nobody.output;
    std::filesystem::remove(path);
}

namespace {
std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
        ++n;
    return n;
}
}  // namespace

// Every line a client can cause again and again is rate limited (20 a second
// per reason, burst 50): 300 strangers in a row, each flooding past a tiny
// rate limit into 4008, write at most the burst plus the rate over the
// time taken, and a line says how many were left out. The log is the
// process's real output.
TEST(Process, AFloodOfClosesWritesABoundedNumberOfLogLines) {
    auto config = write_config("log-flood.json", R"({"auth": {"mode": "disabled"},
        "listen": {"port": 0}, "threads": 1,
        "limits": {"frames_per_second": 1, "frame_burst": 1, "rate_limit_close_after": 1,
                   "max_connections_per_address": 0}})");
    child_process gw({binary, "--config", config});
    auto line = gw.wait_for_line("listening on", std::chrono::seconds(10));
    ASSERT_TRUE(line) << gw.output();
    const unsigned short port = port_from(*line);
    std::string junk;
    for (int i = 0; i < 4; ++i) junk += raw_connection::text("not json");
    const int strangers = 300;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < strangers; ++i) {
        raw_connection c(port, std::chrono::seconds(5));
        c.send(websocket_upgrade_request + junk);
        ASSERT_NE(c.read_head().find("101"), std::string::npos);
        std::optional<raw_connection::server_frame> f;
        while ((f = c.read_frame()) && f->op != ws_frame::opcode::close) {
        }
        ASSERT_TRUE(f);
        EXPECT_EQ(f->code(), 4008u);
        c.send(raw_connection::frame(ws_frame::opcode::close, f->payload.substr(0, 2)));
        ASSERT_TRUE(c.closed_by_server());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // A last refusal of another reason marks the end of the flood's lines
    // (one I/O thread: its lines come in order).
    raw_connection marker(port);
    marker.send("GET /healthz HTTP/1.1\r\nHost: end-of-flood.example\r\n\r\n");
    ASSERT_TRUE(gw.wait_for_line("end-of-flood.example", std::chrono::seconds(10))) << gw.output();
    const std::string& out = gw.output();
    const std::size_t written = count_of(out, "closed with 4008");
    std::filesystem::remove(config);
    std::cout << strangers << " closes in " << seconds << " s: " << written << " lines\n";
    EXPECT_LE(written, static_cast<std::size_t>(50 + 20 * seconds + 1)) << out;
    EXPECT_GE(written, 50u);
    if (seconds < 1.5) {
        EXPECT_NE(out.find("similar lines suppressed"), std::string::npos);
    }
}
