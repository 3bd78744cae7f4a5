// switchboard: the gateway binary. Reads the config file, applies flags over
// it, and runs until SIGINT or SIGTERM; SIGHUP reloads the config.
// `switchboard token` mints a JWT from the configured secret instead. Exit
// codes (docs/operations.md): 0 done, 1 a failure while running, 2 a config,
// flag or start-up file problem.

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "admin_socket.hpp"
#include "build_info.hpp"
#include "core/config_overrides.hpp"
#include "core/config_printer.hpp"
#include "core/duration_text.hpp"
#include "core/gateway_config.hpp"
#include "core/id_rules.hpp"
#include "core/json_writer.hpp"
#include "core/jwt_minter.hpp"
#include "core/reload_plan.hpp"
#include "core/secret_rules.hpp"
#include "gateway.hpp"
#include "logging.hpp"
#include "signal_reader.hpp"
#if SWITCHBOARD_WITH_MQTT
#include "bridge_options.hpp"
#include "mqtt_bridge.hpp"
#endif

using namespace switchboard;

namespace {

constexpr int exit_failure = 1;
constexpr int exit_config = 2;

struct token_request {
    std::string config_path;
    std::string id;
    std::string role;
    std::string ttl = "24h";
};

// Everything the command line says.
struct command_line {
    std::string config_path;
    config_overrides overrides;
    bool check_only = false;
    bool print_config = false;
    bool version = false;
    bool token = false;
    token_request token_options;
    bool reload = false;
    std::string reload_config_path;
};

void add_flags(CLI::App& app, command_line& cl) {
    config_overrides& o = cl.overrides;
    app.add_option("-c,--config", cl.config_path, "JSON config file (see docs/configuration.md)");
    app.add_option("-a,--address", o.address, "listen address (overrides listen.address)");
    app.add_option("-p,--port", o.port, "listen port, 0 for any free port (overrides listen.port)");
    app.add_option("-t,--threads", o.threads,
                   "I/O threads, 0 for one per core (overrides threads)");
    app.add_option("-l,--log-level", o.log_level,
                   "trace, debug, info, warn, error, critical or off (overrides log_level)");
    app.add_option("--log-format", o.log_format, "text or json (overrides log_format)");
    app.add_option("-n,--node", o.node, "this node's name, sent in `registered` (overrides node)");
    app.add_option("-d,--dashboard-dir", o.dashboard_dir,
                   "folder of the web dashboard's files (overrides dashboard_dir)");
    app.add_option("--duplicate-id-policy", o.duplicate_policy,
                   "takeover or reject (overrides duplicate_id_policy)");
    app.add_option("--mqtt-url", o.mqtt_url,
                   "MQTT broker URL, e.g. tcp://127.0.0.1:18830; enables the bridge (mqtt.url)");
    app.add_option("--mqtt-client-id", o.mqtt_client_id,
                   "the bridge's MQTT client ID (mqtt.client_id)");
    app.add_option("--mqtt-username", o.mqtt_username, "MQTT user name (mqtt.username)");
    app.add_option("--mqtt-password", o.mqtt_password, "MQTT password (mqtt.password)")
        ->envname("SWITCHBOARD_MQTT_PASSWORD");
    app.add_option("--mqtt-version", o.mqtt_version, "3.1.1 (or 3) or 5 (mqtt.version)");
    app.add_option("--mqtt-topic-prefix", o.mqtt_topic_prefix, "topic prefix (mqtt.topic_prefix)");
    app.add_flag("--no-mqtt", o.no_mqtt, "run without the MQTT bridge whatever the config says");
    app.add_option("--auth", o.auth_mode,
                   "required or disabled (overrides auth.mode); disabled lets anyone claim any ID");
    app.add_flag("--check-config", cl.check_only, "validate the config and flags, then exit");
    app.add_flag("--print-config", cl.print_config,
                 "print the effective config (file and flags) with secrets masked, then exit");
    app.add_flag("-V,--version", cl.version, "print the version and exit");

    CLI::App* token = app.add_subcommand(
        "token", "print a JWT for a client, signed with the config's auth.jwt.secret");
    token->add_option("-c,--config", cl.token_options.config_path,
                      "JSON config file holding auth.jwt.secret (default: the main --config)");
    token->add_option("--id", cl.token_options.id, "the client's ID (the token's sub)")->required();
    token->add_option("--role", cl.token_options.role, "device or controller")->required();
    token->add_option("--ttl", cl.token_options.ttl,
                      "how long it is valid: 30m, 24h, 7d ... (default 24h)");
    token->callback([&cl] { cl.token = true; });

    CLI::App* reload = app.add_subcommand(
        "reload",
        "make the running gateway read its config again (through admin.socket) and print the "
        "outcome; exits 0 when applied, 2 when refused");
    reload->add_option("-c,--config", cl.reload_config_path,
                       "the gateway's JSON config file, holding admin.socket (default: the main "
                       "--config)");
    reload->callback([&cl] { cl.reload = true; });
}

std::string version_text() {
    std::string text = std::string("switchboard ") + build_info::version;
    if (*build_info::git_describe != '\0')
        text += std::string(" (git ") + build_info::git_describe + ")";
    return text;
}

// The installed binary serves the installed dashboard when the config names
// none; a binary in a build tree serves none.
// This machine's name, for the default node name ("" if it has none).
std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return {};
    return name;
}

void apply_install_defaults(gateway_config& config) {
    if (!config.dashboard_dir.empty()) return;
    std::error_code ec;
    auto self = std::filesystem::canonical("/proc/self/exe", ec);
    auto installed = std::filesystem::canonical(
        std::filesystem::path(build_info::install_bindir) / "switchboard", ec);
    if (!ec && self == installed) config.dashboard_dir = build_info::install_dashboard_dir;
}

// --mqtt-password's value is visible to every user in `ps`.
void warn_about_password_flag(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--mqtt-password", 15) == 0) {
            std::cerr << "switchboard: warning: --mqtt-password on the command line is visible "
                         "to every user in `ps`; set SWITCHBOARD_MQTT_PASSWORD or mqtt.password "
                         "in a config file readable by this user only\n";
            return;
        }
    }
}

// The config file with the environment and the flags over it, checked whole,
// files included. Throws config_error.
gateway_config effective_config(const command_line& cl) {
    gateway_config config;
    if (!cl.config_path.empty()) config = load_config(cl.config_path);
    config_overrides overrides = cl.overrides;
    overrides.jwt_secret = jwt_secret_from_environment();
    overrides.apply_to(config);
    if (config.node.empty()) config.node = default_node_name(host_name(), config.listen_port);
#if !SWITCHBOARD_WITH_MQTT
    if (config.mqtt.enabled) {
        throw config_error(
            "mqtt.enabled: this build has no MQTT bridge (SWITCHBOARD_WITH_MQTT=OFF)");
    }
#endif
    apply_install_defaults(config);
    check_security(config);
    check_files(config);
    if (!config.store.path.empty()) sqlite_command_store::check(config.store);
    return config;
}

int mint_token(const command_line& cl) {
    const token_request& t = cl.token_options;
    std::string path = t.config_path.empty() ? cl.config_path : t.config_path;
    if (path.empty())
        throw config_error("token: --config FILE is needed (it holds auth.jwt.secret)");
    gateway_config config = load_config(path);
    config_overrides environment;
    environment.jwt_secret = jwt_secret_from_environment();
    environment.apply_to(config);
    if (config.auth.jwt_secret.empty()) throw config_error(path + ": 'auth.jwt.secret' is not set");
    if (!is_valid_id(t.id)) throw config_error("token --id: not a valid ID");
    auto role = parse_role(t.role);
    if (!role) throw config_error("token --role: must be device or controller");
    std::chrono::milliseconds ttl{};
    if (!parse_duration(t.ttl, ttl) || ttl < std::chrono::seconds(1)) {
        throw config_error("token --ttl: must be a duration of at least 1s, like 30m, 24h or 7d");
    }
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    std::cout << jwt_minter(config.auth.jwt_secret)
                     .mint(t.id, *role, now, std::chrono::duration_cast<std::chrono::seconds>(ttl),
                           config.auth.jwt_audience, config.auth.jwt_issuer)
              << "\n";
    return 0;
}

// `switchboard reload`: asks the gateway serving `admin.socket` of the
// config file to reload, and prints what it answered. The file is read only
// for that key (the gateway checks the rest and names what it refuses).
int request_reload(const command_line& cl) {
    std::string path = cl.reload_config_path.empty() ? cl.config_path : cl.reload_config_path;
    if (path.empty()) throw config_error("reload: --config FILE is needed (it holds admin.socket)");
    std::string socket = admin_socket_of(path);
    std::string answer;
    try {
        answer = ask_admin_socket(socket, "reload", std::chrono::seconds(30));
    } catch (const std::exception& e) {
        std::cerr << "switchboard reload: " << e.what() << "\n";
        return exit_failure;
    }
    auto reply = nlohmann::json::parse(answer, nullptr, false);
    if (!reply.is_object() || !reply.contains("outcome") || !reply["outcome"].is_string() ||
        !reply.contains("message") || !reply["message"].is_string()) {
        std::cerr << "switchboard reload: the gateway answered something else: " << answer << "\n";
        return exit_failure;
    }
    const std::string message = reply["message"].get<std::string>();
    if (reply["outcome"] == "applied") {
        std::cout << message << "\n";
        return 0;
    }
    std::cerr << message << "\n";
    return reply["outcome"] == "refused" ? exit_config : exit_failure;
}

// What one reload came to: the line logged, and whether it applied.
struct reload_outcome {
    bool applied = false;
    std::string message;
};

// The one reload path, for SIGHUP and for `switchboard reload` (through
// admin.socket): the config file read again with the same flags and
// environment, checked as at start-up (effective_config, what
// --check-config runs), and applied where it can change live
// (docs/configuration.md, "Reloading the config"). One log line either way;
// a refusal names the key and changes nothing. Runs on the controlling
// thread.
reload_outcome reload_config(const command_line& cl, gateway& gw,
                             const std::function<void(const gateway_config&)>& apply_to_bridge) {
    sd_notify(0, "RELOADING=1");
    reload_outcome outcome;
    try {
        reload_plan plan = gw.reload(effective_config(cl));
        if (plan.refused()) {
            outcome.message = "reload refused: " + plan.refusal() + "; the running config stays";
        } else {
            set_log_level(gw.running_config().log_level);
            apply_to_bridge(gw.running_config());
            outcome = {true, "reload: applied (changed: " + plan.summary() + ")"};
        }
    } catch (const config_error& e) {
        outcome.message = std::string("reload refused: ") + e.what() + "; the running config stays";
    } catch (const std::exception& e) {
        // Never a reason to stop serving.
        outcome.message = std::string("reload failed: ") + e.what() + "; the running config stays";
    }
    if (outcome.applied) {
        spdlog::info("{}", outcome.message);
    } else {
        spdlog::error("{}", outcome.message);
    }
    sd_notify(0, "READY=1");
    return outcome;
}

// admin.socket's answer to one command line.
std::string admin_answer(std::string_view command, const std::function<reload_outcome()>& reload) {
    if (command != "reload") {
        return json_writer{}
            .string("outcome", "error")
            .string("message", "unknown command; admin.socket takes: reload")
            .finish();
    }
    reload_outcome r = reload();
    return json_writer{}
        .string("outcome", r.applied ? "applied" : "refused")
        .string("message", r.message)
        .finish();
}

// Runs until SIGINT or SIGTERM (after the drain); SIGHUP reloads the
// config. Tells systemd (when it started us, through NOTIFY_SOCKET) READY=1
// once listening, RELOADING=1 while reloading and STOPPING=1 when a stop
// signal comes, as the drain starts.
int run_gateway(const command_line& cl, const gateway_config& config) {
    // Before any thread starts (the I/O threads and Paho's inherit the
    // mask) and before anything is announced: a signal sent as soon as
    // "listening on" appears is kept until read, never the default action.
    boost::asio::io_context signals_context;
    signal_reader signals(signals_context, {SIGINT, SIGTERM, SIGHUP});
    boost::asio::steady_timer drain_timer(signals_context);
    std::optional<admin_socket> admin;  // admin.socket, when configured
    gateway gw(config);
    std::function<void(const gateway_config&)> apply_to_bridge = [](const gateway_config&) {};
#if SWITCHBOARD_WITH_MQTT
    std::shared_ptr<mqtt_bridge> bridge;
    if (config.mqtt.enabled) {
        bridge = mqtt_bridge::create(gw.routing(), gw.pool().first().get_executor(),
                                     bridge_options::from_config(gw.config()));
        gw.set_bridge(bridge.get());
        apply_to_bridge = [b = bridge.get()](const gateway_config& running) { b->reload(running); };
    }
#endif
    // The first stop signal starts the drain (timeouts.drain_ms, as running
    // now): /readyz and new upgrades answer 503 so load balancers move
    // traffic away, then the connections close. A second signal cuts the
    // drain short. SIGHUP reloads, until a stop signal came.
    bool stopping = false;
    signals.start([&](int signal) {
        if (signal == SIGHUP) {
            if (!stopping) reload_config(cl, gw, apply_to_bridge);
            return;
        }
        if (stopping) {
            spdlog::info("signal {}: drain cut short", signal);
            drain_timer.cancel();
            return;
        }
        stopping = true;
        sd_notify(0, "STOPPING=1");
        if (admin) admin->stop();
        auto period = gw.running_config().drain;
        spdlog::info("signal {}: shutting down, draining for {} ms", signal, period.count());
        gw.begin_drain();
        if (period.count() == 0) return signals.stop();
        drain_timer.expires_after(period);
        drain_timer.async_wait([&](boost::system::error_code) { signals.stop(); });
    });
    // `switchboard reload` comes in here and takes the same path as SIGHUP,
    // on this thread.
    if (!config.admin_socket.empty()) {
        admin.emplace(signals_context, config.admin_socket, [&](std::string_view command) {
            return admin_answer(command, [&] { return reload_config(cl, gw, apply_to_bridge); });
        });
        admin->start();
    }
    gw.start();
#if SWITCHBOARD_WITH_MQTT
    // The WebSocket side serves from here on, whether or not the broker answers.
    if (bridge) bridge->start();
#endif
    spdlog::info("{} serving{}", version_text(),
                 config.dashboard_dir.empty() ? std::string(" no dashboard")
                                              : " the dashboard from " + config.dashboard_dir);
    // Printed on stdout so scripts can read the bound port (--port 0).
    std::cout << "listening on " << config.listen_address << ":" << gw.port() << std::endl;
    sd_notifyf(0, "READY=1\nSTATUS=listening on %s:%u", config.listen_address.c_str(),
               static_cast<unsigned>(gw.port()));

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
    spdlog::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"switchboard: IoT messaging gateway (WebSocket, bridged to MQTT)"};
    command_line cl;
    add_flags(app, cl);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help prints and exits 0; a bad flag is a start-up problem (2).
        return app.exit(e) == 0 ? 0 : exit_config;
    }
    if (cl.version) {
        std::cout << version_text() << "\n";
        return 0;
    }
    warn_about_password_flag(argc, argv);

    // A config that cannot be read or used, or a file start-up needs
    // (certificate, key, dashboard folder) that is missing: exit 2, naming it.
    try {
        if (cl.token) return mint_token(cl);
        if (cl.reload) return request_reload(cl);
        gateway_config config = effective_config(cl);
        if (cl.print_config) {
            std::cout << printable_config(config).dump(2) << "\n";
            return 0;
        }
        if (cl.check_only) {
            std::cout << "config ok\n";
            return 0;
        }
        configure_logging(config);
        return run_gateway(cl, config);
    } catch (const config_error& e) {
        std::cerr << "switchboard: config error: " << e.what() << "\n";
        return exit_config;
    } catch (const std::exception& e) {
        spdlog::critical("switchboard: {}", e.what());
        return exit_failure;
    }
}
