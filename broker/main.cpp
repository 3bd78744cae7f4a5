// switchboard: the gateway binary. Reads the config file, applies flags over
// it, and runs until SIGINT or SIGTERM.

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <spdlog/spdlog.h>

#include "core/gateway_config.hpp"
#include "gateway.hpp"

using namespace switchboard;

int main(int argc, char** argv) {
    CLI::App app{"switchboard: IoT messaging gateway (WebSocket, bridged to MQTT)"};
    std::string config_path;
    std::optional<std::string> address, log_level, node, dashboard_dir, duplicate_policy_text,
        auth_mode;
    std::optional<std::uint16_t> port;
    std::optional<unsigned> threads;
    bool check_only = false;
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
    app.add_option("--auth", auth_mode,
                   "required or disabled (overrides auth.mode); disabled lets anyone claim any ID");
    app.add_flag("--check-config", check_only, "validate the config and flags, then exit");
    CLI11_PARSE(app, argc, argv);

    gateway_config config;
    try {
        if (!config_path.empty()) config = load_config(config_path);
        if (address) config.listen_address = *address;
        if (port) config.listen_port = *port;
        if (threads) config.threads = *threads;
        if (node) config.node = *node;
        if (dashboard_dir) config.dashboard_dir = *dashboard_dir;
        if (log_level) {
            if (!is_valid_log_level(*log_level)) throw config_error("--log-level: unknown level");
            config.log_level = *log_level;
        }
        if (duplicate_policy_text && !parse_duplicate_policy(*duplicate_policy_text, config.duplicates)) {
            throw config_error("--duplicate-id-policy: must be takeover or reject");
        }
        if (auth_mode) {
            if (*auth_mode != "required" && *auth_mode != "disabled") {
                throw config_error("--auth: must be required or disabled");
            }
            config.auth.required = *auth_mode == "required";
        }
        check_security(config);
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
        // Signals are caught before anything announces that we are up, so a
        // script that signals as soon as it reads "listening on" stops us cleanly.
        boost::asio::io_context signals_context;
        boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
        gateway gw(config);
        gw.start();
        // Printed on stdout so scripts can read the bound port (--port 0).
        std::cout << "listening on " << config.listen_address << ":" << gw.port() << std::endl;

        signals.async_wait([&](boost::system::error_code, int signal) {
            spdlog::info("signal {}: shutting down", signal);
        });
        signals_context.run();
        gw.stop();
    } catch (const std::exception& e) {
        spdlog::critical("switchboard: {}", e.what());
        return 1;
    }
    spdlog::info("stopped");
    return 0;
}
