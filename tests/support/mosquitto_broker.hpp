#pragma once
// A private mosquitto for a test: started on a free loopback port with the
// shipped config/mosquitto.conf and config/mosquitto.acl (plus a password
// file for the gateway's user) in a temporary folder, or, given a gateway
// config, with the switchboard_mosquitto_auth plugin reading that config
// instead of the password and ACL files; stopped when the object goes. It can be killed with
// SIGKILL and restarted on the same port. Waits on mosquitto's own "running" line, never on a
// clock. Used from the test's thread only.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "child_process.hpp"

namespace switchboard::test {

// The gateway config the plugin loads (as a file in the broker's folder).
struct auth_plugin_setup {
    std::string gateway_config_json;
};

class mosquitto_broker {
public:
    static constexpr const char* gateway_user = "switchboard-gateway";
    static constexpr const char* gateway_password = "test-gateway-secret";

    // Throws std::runtime_error when mosquitto does not come up.
    mosquitto_broker();
    // With the plugin; its gateway user is gateway_user / gateway_password
    // (plugin_opt_gateway_username and plugin_opt_gateway_password_file).
    explicit mosquitto_broker(auth_plugin_setup plugin);
    ~mosquitto_broker();

    mosquitto_broker(const mosquitto_broker&) = delete;
    mosquitto_broker& operator=(const mosquitto_broker&) = delete;

    unsigned short port() const noexcept { return port_; }
    std::string url() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

    // SIGKILL, as a crash would: no clean disconnects, no Last Wills sent.
    void kill();
    // Starts again on the same port. Throws when it does not come up.
    void restart();
    // SIGSTOP and SIGCONT: a broker that hangs with its sockets open.
    void freeze();
    void thaw();

    // Everything mosquitto printed so far (for failure messages).
    std::string log();

private:
    void start();
    void prepare();
    void launch();

    std::optional<auth_plugin_setup> plugin_;
    std::filesystem::path dir_;
    unsigned short port_ = 0;
    std::unique_ptr<child_process> process_;
    std::string earlier_log_;
};

// The full path of a mosquitto program (mosquitto, mosquitto_pub, ...):
// child_process does not search PATH, and mosquitto lives in /usr/sbin.
std::string mosquitto_program(const std::string& name);

// A TCP port on 127.0.0.1 that was free a moment ago.
unsigned short free_loopback_port();

}  // namespace switchboard::test
