// switchboard: the gateway binary. Reads the config file, applies flags over
// it, and runs until SIGINT or SIGTERM.

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "core/gateway_config.hpp"
#include "core/id_rules.hpp"
#include "core/secret_rules.hpp"
#include "gateway.hpp"
#if SWITCHBOARD_WITH_MQTT
#include "bridge_options.hpp"
#include "mqtt_bridge.hpp"
#endif

using namespace switchboard;

int main(int argc, char** argv) {
    CLI::App app{"switchboard: IoT messaging gateway (WebSocket, bridged to MQTT)"};
    std::string config_path;
    std::optional<std::string> address, log_level, node, dashboard_dir, duplicate_policy_text,
        auth_mode;
    std::optional<std::uint16_t> port;
    std::optional<unsigned> threads;
    bool check_only = false;
    std::optional<std::string> mqtt_url, mqtt_client_id, mqtt_username, mqtt_password,
        mqtt_version_text, mqtt_prefix;
    bool no_mqtt = false;
    app.add_option("-c,--config", config_path, "JSON config file (see docs/configuration.md)");
    app.add_option("-a,--address", address, "listen address (overrides listen.address)");
    app.add_option("-p,--port", port, "listen port, 0 for any free port (overrides listen.port)");
    app.add_option("-t,--threads", threads, "I/O threads, 0 for one per core (overrides threads)");
    app.add_option("-l,--log-level", log_level,
                   "trace, debug, info, warn, error, critical or off (overrides log_level)");
    app.add_option("-n,--node", node, "this node's name, sent in `registered` (overrides node)");
    app.add_option("-d,--dashboard-dir", dashboard_dir,
                   "folder of the web dashboard's files (overrides dashboard_dir)");
    app.add_option("--duplicate-id-policy", duplicate_policy_text,
                   "takeover or reject (overrides duplicate_id_policy)");
    app.add_option("--mqtt-url", mqtt_url,
                   "MQTT broker URL, e.g. tcp://127.0.0.1:18830; enables the bridge (mqtt.url)");
    app.add_option("--mqtt-client-id", mqtt_client_id,
                   "the bridge's MQTT client ID (mqtt.client_id)");
    app.add_option("--mqtt-username", mqtt_username, "MQTT user name (mqtt.username)");
    app.add_option("--mqtt-password", mqtt_password, "MQTT password (mqtt.password)")
        ->envname("SWITCHBOARD_MQTT_PASSWORD");
    app.add_option("--mqtt-version", mqtt_version_text, "3.1.1 (or 3) or 5 (mqtt.version)");
    app.add_option("--mqtt-topic-prefix", mqtt_prefix, "topic prefix (mqtt.topic_prefix)");
    app.add_flag("--no-mqtt", no_mqtt, "run without the MQTT bridge whatever the config says");
    app.add_option("--auth", auth_mode,
                   "required or disabled (overrides auth.mode); disabled lets anyone claim any ID");
    app.add_flag("--check-config", check_only, "validate the config and flags, then exit");
    CLI11_PARSE(app, argc, argv);
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--mqtt-password", 15) == 0) {
            std::cerr << "switchboard: warning: --mqtt-password on the command line is visible "
                         "to every user in `ps`; set SWITCHBOARD_MQTT_PASSWORD or mqtt.password "
                         "in a config file readable by this user only\n";
            break;
        }
    }

    gateway_config config;
    try {
        if (!config_path.empty()) config = load_config(config_path);
        // The JWT secret from the environment keeps it out of the config file.
        if (const char* secret = std::getenv("SWITCHBOARD_JWT_SECRET"); secret && *secret) {
            if (auto weakness = secret_weakness(secret, min_jwt_secret_bytes)) {
                throw config_error("SWITCHBOARD_JWT_SECRET " + *weakness);
            }
            config.auth.jwt_secret = secret;
        }
        if (address) config.listen_address = *address;
        if (port) config.listen_port = *port;
        if (threads) config.threads = *threads;
        if (node) config.node = *node;
        if (dashboard_dir) config.dashboard_dir = *dashboard_dir;
        if (log_level) {
            if (!is_valid_log_level(*log_level)) throw config_error("--log-level: unknown level");
            config.log_level = *log_level;
        }
        if (duplicate_policy_text &&
            !parse_duplicate_policy(*duplicate_policy_text, config.duplicates)) {
            throw config_error("--duplicate-id-policy: must be takeover or reject");
        }
        if (mqtt_url) {
            if (!is_valid_mqtt_url(*mqtt_url)) {
                throw config_error(
                    "--mqtt-url: must be a tcp://, mqtt://, ssl://, mqtts://, ws:// or wss:// URL");
            }
            config.mqtt.url = *mqtt_url;
            config.mqtt.enabled = true;
        }
        if (mqtt_client_id) {
            if (!is_valid_id(*mqtt_client_id))
                throw config_error("--mqtt-client-id: must be a valid ID");
            config.mqtt.client_id = *mqtt_client_id;
        }
        if (mqtt_username) config.mqtt.username = *mqtt_username;
        if (mqtt_password) {
            if (auto weakness = secret_weakness(*mqtt_password, 0))
                throw config_error("--mqtt-password " + *weakness);
            config.mqtt.password = *mqtt_password;
        }
        if (mqtt_version_text && !parse_mqtt_version(*mqtt_version_text, config.mqtt.version)) {
            throw config_error("--mqtt-version: must be 3, 3.1.1 or 5");
        }
        if (mqtt_prefix) {
            if (!is_valid_topic_prefix(*mqtt_prefix))
                throw config_error("--mqtt-topic-prefix: not a valid prefix");
            config.mqtt.topic_prefix = *mqtt_prefix;
        }
        if (no_mqtt) config.mqtt.enabled = false;
#if !SWITCHBOARD_WITH_MQTT
        if (config.mqtt.enabled) {
            throw config_error(
                "mqtt.enabled: this build has no MQTT bridge (SWITCHBOARD_WITH_MQTT=OFF)");
        }
#endif
        if (auth_mode) {
            if (*auth_mode != "required" && *auth_mode != "disabled") {
                throw config_error("--auth: must be required or disabled");
            }
            config.auth.required = *auth_mode == "required";
        }
        check_security(config);
        check_files(config);
    } catch (const config_error& e) {
        std::cerr << "switchboard: config error: " << e.what() << "\n";
        return 2;
    }
    if (check_only) {
        std::cout << "config ok\n";
        return 0;
    }
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

    try {
        // Before anything is announced: a signal sent as soon as "listening
        // on" appears must find the handler in place, not the default action.
        boost::asio::io_context signals_context;
        boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code, int signal) {
            spdlog::info("signal {}: shutting down", signal);
        });
        gateway gw(config);
#if SWITCHBOARD_WITH_MQTT
        std::shared_ptr<mqtt_bridge> bridge;
        if (config.mqtt.enabled) {
            bridge = mqtt_bridge::create(gw.routing(), gw.pool().first().get_executor(),
                                         bridge_options::from_config(gw.config()));
            gw.set_mqtt_health([b = bridge.get()] { return b->health_json(); });
        }
#endif
        gw.start();
#if SWITCHBOARD_WITH_MQTT
        // The WebSocket side serves from here on, whether or not the broker answers.
        if (bridge) bridge->start();
#endif
        // Printed on stdout so scripts can read the bound port (--port 0).
        std::cout << "listening on " << config.listen_address << ":" << gw.port() << std::endl;

        signals_context.run();
#if SWITCHBOARD_WITH_MQTT
        // Bridge first, so no MQTT frame arrives for a router being torn down;
        // released only after the I/O threads that may still call it are joined.
        if (bridge) bridge->stop();
        gw.stop();
        bridge.reset();
#else
        gw.stop();
#endif
    } catch (const std::exception& e) {
        spdlog::critical("switchboard: {}", e.what());
        return 1;
    }
    spdlog::info("stopped");
    return 0;
}
