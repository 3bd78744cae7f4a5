// scripts/run.sh --auth, the production recipe in one local command: the
// gateway with auth required, mosquitto with the plugin reading the same
// config, simulated devices logging in with their own JWTs over WebSocket and
// MQTT. Run as a person would (with --no-build on this build's binaries); an
// anonymous mosquitto_pub must be refused.

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "eventually.hpp"
#include "mosquitto_broker.hpp"
#include "raw_connection.hpp"
#include "test_paths.hpp"

using namespace switchboard::test;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

// The script, stopped with SIGTERM (its trap stops the broker, the gateway
// and the simulator it started) whatever the test's outcome.
struct running_script {
    explicit running_script(std::vector<std::string> argv) : process(std::move(argv)) {}
    ~running_script() {
        process.signal(SIGTERM);
        process.wait_exit(20s);
    }
    child_process process;
};

// The gateway's counts (/stats: run.sh leaves metrics open to loopback).
std::optional<json> stats(unsigned short port) {
    try {
        raw_connection c(port, std::chrono::seconds(2));
        c.send("GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        std::string all = c.read_to_end();
        auto body = all.find("\r\n\r\n");
        if (body == std::string::npos) return std::nullopt;
        json j = json::parse(all.substr(body + 4), nullptr, false);
        if (j.is_discarded()) return std::nullopt;
        return j;
    } catch (const std::exception&) {
        return std::nullopt;  // not listening yet
    }
}

}  // namespace

TEST(RunScript, AuthModeComesUpWithEveryDeviceAuthenticatedAndRefusesAnonymousMqtt) {
    const std::string build_dir =
        std::filesystem::path(test_paths::gateway()).parent_path().parent_path().string();
    ::setenv("SWITCHBOARD_BUILD_DIR", build_dir.c_str(), 1);
    const unsigned short port = free_loopback_port();
    unsigned short mqtt_port = free_loopback_port();
    while (mqtt_port == port) mqtt_port = free_loopback_port();
    running_script run({"/bin/bash", test_paths::source_dir() + "/scripts/run.sh", "--auth",
                        "--no-build", "--port", std::to_string(port), "--mqtt-port",
                        std::to_string(mqtt_port), "--devices", "4"});
    ::unsetenv("SWITCHBOARD_BUILD_DIR");
    ASSERT_TRUE(run.process.wait_for_line("switchboard is running", 60s)) << run.process.output();
    ASSERT_TRUE(run.process.wait_for_line("the dashboard signs in", 5s)) << run.process.output();

    // Two devices over WebSocket, two over MQTT, each with its own JWT; the
    // bridge is connected with the gateway's own user.
    EXPECT_TRUE(eventually(
        [&] {
            auto h = stats(port);
            return h && (*h)["registered"] == 4 && (*h)["mqtt"]["state"] == "connected";
        },
        30s))
        << (stats(port) ? stats(port)->dump() : std::string("no /stats")) << "\n"
        << run.process.output();
    auto health = stats(port);
    ASSERT_TRUE(health) << run.process.output();
    EXPECT_EQ((*health)["unauthorized"], 0) << health->dump();

    // A stranger without credentials cannot even connect to the broker.
    auto anonymous = run_program({mosquitto_program("mosquitto_pub"), "-h", "127.0.0.1", "-p",
                                  std::to_string(mqtt_port), "-i", "pump-0", "-t",
                                  "sb/pump-0/status", "-m", R"({"online":true})", "-q", "1"});
    EXPECT_NE(anonymous.status, 0) << anonymous.output;
    EXPECT_NE(anonymous.output.find("not authori"), std::string::npos) << anonymous.output;
    // ... nor can one that guesses a password for a device's ID.
    auto guessing = run_program({mosquitto_program("mosquitto_pub"), "-h", "127.0.0.1", "-p",
                                 std::to_string(mqtt_port), "-i", "pump-1", "-u", "pump-1", "-P",
                                 "guess", "-t", "sb/pump-1/status", "-m", "x", "-q", "1"});
    EXPECT_NE(guessing.status, 0) << guessing.output;
}

// The quick start runs as root from a clone that may sit under /root (mode
// 0700): mosquitto, which drops to the user `mosquitto` before loading
// plugins, could not read the plugin where it was built, and the broker exited
// at once. start-mosquitto.sh (and the tests' broker) load a copy kept in the
// broker's own folder.
TEST(StartMosquitto, LoadsAPluginBuiltInAFolderOnlyRootCanEnter) {
    char pattern[] = "/tmp/switchboard-private-build.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);  // mode 0700, like /root
    const std::filesystem::path private_dir = pattern;
    const std::filesystem::path plugin = private_dir / "switchboard_mosquitto_auth.so";
    std::filesystem::copy_file(test_paths::mosquitto_plugin(), plugin);
    const unsigned short port = free_loopback_port();
    ::setenv("SWITCHBOARD_MOSQUITTO_PLUGIN", plugin.c_str(), 1);
    running_script broker({"/bin/bash", test_paths::source_dir() + "/scripts/start-mosquitto.sh",
                           std::to_string(port)});
    ::unsetenv("SWITCHBOARD_MOSQUITTO_PLUGIN");

    // The development config (auth disabled): the plugin admits a device that
    // announces itself; a broker that failed to load it is not there at all.
    const auto publish_status = [&] {
        return run_program({mosquitto_program("mosquitto_pub"), "-h", "127.0.0.1", "-p",
                            std::to_string(port), "-i", "probe-1", "-t", "sb/probe-1/status", "-m",
                            R"({"online":false})", "-q", "1"});
    };
    EXPECT_TRUE(eventually([&] { return publish_status().status == 0; }, 30s))
        << publish_status().output << "\n"
        << broker.process.output();
    EXPECT_EQ(broker.process.output().find("Unable to load"), std::string::npos)
        << broker.process.output();
    std::error_code ec;
    std::filesystem::remove_all(private_dir, ec);
}
