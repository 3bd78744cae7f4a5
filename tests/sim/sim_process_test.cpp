// The switchboard-sim program as a user runs it: a broker killed and
// restarted under a running MQTT fleet, SIGTERM, wss:// and credentials
// against a TLS + auth gateway, refusals named by kind, and the exit status
// of a fleet that never came online, of a bad URL and of bad flags.

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "child_process.hpp"
#include "dev_cert.hpp"
#include "running_gateway.hpp"
#ifdef SWITCHBOARD_CLIENT_WITH_MQTT
#include "mosquitto_broker.hpp"
#include "mqtt_test_client.hpp"
#include "test_paths.hpp"
#endif

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string sim = test_paths::simulator();

// The summary's counter rows ("  registrations          1,234") by name.
std::map<std::string, std::uint64_t> summary_rows(const std::string& output) {
    std::map<std::string, std::uint64_t> rows;
    static const std::regex row(R"(^  ([a-z][a-z :()0-9-]*?) +([0-9][0-9,]*)$)");
    std::size_t start = 0;
    while (start < output.size()) {
        std::size_t end = output.find('\n', start);
        if (end == std::string::npos) end = output.size();
        std::string line = output.substr(start, end - start);
        std::smatch m;
        if (std::regex_match(line, m, row)) {
            std::string digits;
            for (char c : m[2].str())
                if (c != ',') digits += c;
            rows[m[1].str()] = std::stoull(digits);
        }
        start = end + 1;
    }
    return rows;
}

std::string ws_url(unsigned short port, const std::string& scheme = "ws") {
    return scheme + "://127.0.0.1:" + std::to_string(port) + "/ws";
}

}  // namespace

TEST(SimProcess, NothingOnlineExitsNonZeroAndSaysWhy) {
    // Nothing listens on this port: every attempt is refused by the kernel.
    unsigned short closed_port = [] {
        running_gateway gw;
        return gw.port();
    }();
    child_process fleet({sim, "fleet", "--quiet", "--devices", "3", "--url", ws_url(closed_port),
                         "--duration", "1500ms"});
    auto status = fleet.wait_exit(20s);
    ASSERT_TRUE(status) << fleet.output();
    EXPECT_EQ(*status, 4) << fleet.output();
    EXPECT_NE(fleet.output().find("no device ever came online; most common failure: connect: "
                                  "Connection refused"),
              std::string::npos)
        << fleet.output();
    EXPECT_GT(summary_rows(fleet.output())["failed attempts"], 0u) << fleet.output();
}

TEST(SimProcess, RefusedUpgradeIsCountedByItsHttpStatus) {
    running_gateway gw;
    // The gateway's WebSocket endpoint is /ws: elsewhere the upgrade gets 404.
    child_process fleet({sim, "fleet", "--quiet", "--devices", "2", "--url",
                         "ws://127.0.0.1:" + std::to_string(gw.port()) + "/elsewhere", "--duration",
                         "1500ms"});
    auto status = fleet.wait_exit(20s);
    ASSERT_TRUE(status) << fleet.output();
    EXPECT_EQ(*status, 4) << fleet.output();
    const std::string& out = fleet.output();
    EXPECT_NE(out.find("most common failure: HTTP 404 Not Found"), std::string::npos) << out;
    // In the summary, the kind with its count.
    EXPECT_TRUE(std::regex_search(out, std::regex(R"(\n +[0-9]+ +HTTP 404 Not Found\n)"))) << out;
}

TEST(SimProcess, WssAndTokensAgainstATlsAndAuthGateway) {
    const std::string device_token = "sim-test-device-token-0123456789";
    const std::string jwt_secret = "sim-test-jwt-secret-0123456789-0123456789";
    running_gateway gw([&](gateway_config& c) {
        c.tls.enabled = true;
        c.tls.cert_file = dev_cert_dir() + "/cert.pem";
        c.tls.key_file = dev_cert_dir() + "/key.pem";
        c.auth.required = true;
        c.auth.jwt_secret = jwt_secret;
        c.auth.tokens = {{device_token, "tok-*", client_role::device}};
    });
    const std::string ca = dev_cert_dir() + "/cert.pem";
    const std::string url = ws_url(gw.port(), "wss");

    // A static token, the certificate trusted from its file.
    child_process by_token({sim, "fleet", "--quiet", "--devices", "4", "--id-prefix", "tok-",
                            "--url", url, "--ca-file", ca, "--token", device_token});
    ASSERT_TRUE(by_token.wait_for_line("fleet ready: 4 devices", 30s)) << by_token.output();
    // A JWT per device, the certificate not checked.
    child_process by_jwt({sim, "fleet", "--quiet", "--devices", "4", "--id-prefix", "jwt-", "--url",
                          url, "--insecure", "--jwt-secret", jwt_secret});
    ASSERT_TRUE(by_jwt.wait_for_line("fleet ready: 4 devices", 30s)) << by_jwt.output();

    // Controllers over wss:// with JWTs of their own reach both kinds of device.
    for (const char* prefix : {"tok-", "jwt-"}) {
        auto load =
            run_program({sim, "load", "--url", url, "--ca-file", ca, "--jwt-secret", jwt_secret,
                         "--devices", "4", "--id-prefix", prefix, "--controllers", "2",
                         "--inflight", "4", "--count", "200", "--json-only"},
                        60s);
        ASSERT_EQ(load.status, 0) << load.output;
        auto report = json::parse(load.output.substr(load.output.find('{')), nullptr, false);
        ASSERT_FALSE(report.is_discarded()) << load.output;
        EXPECT_EQ(report["answered_ok"], 200) << load.output;
    }

    // Without the right certificate or token: refused, named, exit 4.
    auto untrusted = run_program({sim, "fleet", "--quiet", "--devices", "2", "--id-prefix", "tok-",
                                  "--url", url, "--token", device_token, "--duration", "1500ms"},
                                 20s);
    EXPECT_EQ(untrusted.status, 4) << untrusted.output;
    EXPECT_NE(untrusted.output.find("most common failure: TLS certificate verify failed"),
              std::string::npos)
        << untrusted.output;
    auto wrong_token = run_program(
        {sim, "fleet", "--quiet", "--devices", "2", "--id-prefix", "tok-", "--url", url,
         "--ca-file", ca, "--token", "not-the-token-0123456789", "--duration", "1500ms"},
        20s);
    EXPECT_EQ(wrong_token.status, 4) << wrong_token.output;
    EXPECT_NE(wrong_token.output.find("most common failure: register refused: unauthorized"),
              std::string::npos)
        << wrong_token.output;

    for (auto* fleet : {&by_token, &by_jwt}) {
        fleet->signal(SIGTERM);
        auto status = fleet->wait_exit(20s);
        ASSERT_TRUE(status);
        EXPECT_EQ(*status, 0) << fleet->output();
    }
}

#ifdef SWITCHBOARD_CLIENT_WITH_MQTT
TEST(SimProcess, BrokerKilledAndRestartedUnderAnMqttFleet) {
    constexpr int devices = 20;
    mosquitto_broker broker;
    child_process fleet({sim, "fleet", "--quiet", "--transport", "mqtt", "--devices",
                         std::to_string(devices), "--id-prefix", "bk-", "--mqtt-url",
                         broker.url()});
    ASSERT_TRUE(fleet.wait_for_line("fleet ready: 20 devices", 30s)) << fleet.output();

    broker.kill();  // SIGKILL: no DISCONNECT, no Will, and the retained statuses are gone
    broker.restart();

    // Every device comes back and publishes its retained status again.
    mqtt_client_options watch;
    watch.client_id = "status-watcher";
    watch.username = mosquitto_broker::gateway_user;
    watch.password = mosquitto_broker::gateway_password;
    watch.subscriptions = {"sb/+/status"};
    watch.will = false;
    mqtt_test_client watcher(broker.url(), watch);
    ASSERT_TRUE(watcher.connect()) << broker.log();
    std::set<std::string> online;
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (online.size() < devices && std::chrono::steady_clock::now() < deadline) {
        auto m = watcher.receive(5s);
        if (!m) continue;
        auto status = json::parse(m->payload, nullptr, false);
        if (!status.is_discarded() && status.value("online", false)) online.insert(m->topic);
    }
    ASSERT_EQ(online.size(), std::size_t(devices)) << fleet.output();

    // SIGTERM: a clean summary, exit 0.
    fleet.signal(SIGTERM);
    auto status = fleet.wait_exit(30s);
    ASSERT_TRUE(status) << fleet.output();
    EXPECT_EQ(*status, 0) << fleet.output();
    auto rows = summary_rows(fleet.output());
    // Each device registered, was dropped once, and registered again; every
    // registration ended (the drop, then the stop); every attempt after a
    // device's first is a reconnect, and ended registered or failed.
    EXPECT_EQ(rows["registrations"], 2u * devices) << fleet.output();
    EXPECT_EQ(rows["disconnects"], rows["registrations"]) << fleet.output();
    EXPECT_EQ(rows["reconnect attempts"], rows["registrations"] - devices + rows["failed attempts"])
        << fleet.output();
    EXPECT_GE(rows["ended by peer"], std::uint64_t(devices)) << fleet.output();
    EXPECT_NE(fleet.output().find("connection lost"), std::string::npos) << fleet.output();
}

TEST(SimProcess, MqttLoginFlagsAndARefusedLogin) {
    mosquitto_broker broker;
    // The gateway's user may publish any device's status: a valid shared login.
    child_process good({sim, "fleet", "--quiet", "--transport", "mqtt", "--devices", "3",
                        "--mqtt-url", broker.url(), "--mqtt-username",
                        mosquitto_broker::gateway_user, "--mqtt-password",
                        mosquitto_broker::gateway_password});
    ASSERT_TRUE(good.wait_for_line("fleet ready: 3 devices", 30s)) << good.output();
    good.signal(SIGTERM);
    auto good_status = good.wait_exit(20s);
    ASSERT_TRUE(good_status);
    EXPECT_EQ(*good_status, 0) << good.output();

    auto bad =
        run_program({sim, "fleet", "--quiet", "--transport", "mqtt", "--devices", "2", "--mqtt-url",
                     broker.url(), "--mqtt-username", mosquitto_broker::gateway_user,
                     "--mqtt-password", "wrong", "--duration", "1500ms"},
                    20s);
    EXPECT_EQ(bad.status, 4) << bad.output;
    EXPECT_NE(bad.output.find("MQTT CONNACK 135 Not authorized"), std::string::npos) << bad.output;
}

TEST(SimProcess, AFleetWhoseBrokerIsNeverReachedSaysSo) {
    running_gateway gw;
    unsigned short no_broker = free_loopback_port();
    auto r = run_program({sim, "fleet", "--quiet", "--transport", "mixed", "--devices", "4",
                          "--url", ws_url(gw.port()), "--mqtt-url",
                          "tcp://127.0.0.1:" + std::to_string(no_broker), "--duration", "2s"},
                         30s);
    EXPECT_EQ(r.status, 5) << r.output;
    EXPECT_NE(r.output.find("no MQTT device ever reached the broker tcp://127.0.0.1:" +
                            std::to_string(no_broker)),
              std::string::npos)
        << r.output;
}
#endif

TEST(SimProcess, BadUrlsExitOneWithOneLineNamingTheFlagAndTheValue) {
    // --duration bounds a run that would wrongly start.
    const std::pair<std::vector<std::string>, std::string> cases[] = {
        {{"fleet", "--url", "wss://127.0.0.1:/ws"},
         "switchboard-sim: --url 'wss://127.0.0.1:/ws': the port is empty\n"},
        {{"fleet", "--url", "http://127.0.0.1:8080/ws"},
         "switchboard-sim: --url 'http://127.0.0.1:8080/ws': unknown scheme 'http://': expected "
         "ws://, wss:// or socketio://\n"},
        {{"fleet", "--transport", "mqtt", "--mqtt-url", "tcp://127.0.0.1:x"},
         "switchboard-sim: --mqtt-url 'tcp://127.0.0.1:x': the port 'x' is not a number\n"},
        {{"fleet", "--mqtt-url", "tcp://:18830"},
         "switchboard-sim: --mqtt-url 'tcp://:18830': no host\n"},
        {{"fleet", "--url", "wss://127.0.0.1:1/ws", "--ca-file", "/nonexistent/ca.pem"},
         "switchboard-sim: --url 'wss://127.0.0.1:1/ws': cannot load trusted certificates from "
         "'/nonexistent/ca.pem'"},
        {{"load", "--url", "ws://127.0.0.1:70000/ws"},
         "switchboard-sim: --url 'ws://127.0.0.1:70000/ws': port 70000 is out of range "
         "(1-65535)\n"},
        {{"load", "--url", "wss://127.0.0.1:/ws"},
         "switchboard-sim: --url 'wss://127.0.0.1:/ws': the port is empty\n"},
    };
    for (const auto& [args, message] : cases) {
        std::vector<std::string> argv{sim};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.insert(argv.end(), {"--duration", "2s"});
        auto r = run_program(argv, 30s);
        EXPECT_EQ(r.status, 1) << args[2] << ": " << r.output;
        EXPECT_EQ(r.output.substr(0, message.size()), message) << r.output;
        EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    }
}

TEST(SimProcess, AnErrorOnceTheFleetRunsIsSaidNotAborted) {
    // Found when the fleet starts, after its signal thread runs: this aborted
    // ("terminate called without an active exception", 134) before.
    auto r = run_program({sim, "fleet", "--quiet", "--mqtt-credentials", "jwt", "--devices", "1",
                          "--duration", "2s"},
                         30s);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_EQ(r.output, "switchboard-sim: --mqtt-credentials jwt needs --jwt-secret\n");
}

// One line each, as for a bad URL: no "Run with --help" after it.
TEST(SimProcess, BadFlagsExitOneWithOneLineAndHelpExitsZero) {
    const std::pair<std::vector<std::string>, std::string> cases[] = {
        {{"fleet", "--devices", "many"}, "--devices"},
        {{"load", "--duration", "soon"}, "--duration: 'soon' is not a duration"},
        {{"fleet", "--no-such-flag"}, "--no-such-flag"},
        {{}, "subcommand"},
    };
    for (const auto& [args, names] : cases) {
        std::vector<std::string> argv{sim};
        argv.insert(argv.end(), args.begin(), args.end());
        auto r = run_program(argv, 30s);
        EXPECT_EQ(r.status, 1) << names << ": " << r.output;
        EXPECT_TRUE(r.output.starts_with("switchboard-sim: ")) << r.output;
        EXPECT_NE(r.output.find(names), std::string::npos) << r.output;
        EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    }
    auto help = run_program({sim, "fleet", "--help"}, 30s);
    EXPECT_EQ(help.status, 0) << help.output;
}
