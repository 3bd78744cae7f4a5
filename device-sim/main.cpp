// switchboard-sim: a simulated device fleet (fleet) and a command load
// generator (load) for the Switchboard gateway. See docs/simulator.md.

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <exception>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "client/client_url.hpp"
#include "client/ws_transport.hpp"
#include "fleet_runner.hpp"
#include "load_runner.hpp"
#include "scenario.hpp"
#include "signal_reader.hpp"

using namespace switchboard::sim;
using tls_flags = switchboard::client::tls_trust;

namespace {

std::chrono::milliseconds duration_option(const std::string& text, const char* flag) {
    std::chrono::milliseconds d{0};
    if (!parse_duration(text, d)) {
        throw CLI::ValidationError(flag, "'" + text + "' is not a duration (10s, 500ms, 2m)");
    }
    return d;
}

std::vector<boost::asio::ip::address> addresses(const std::vector<std::string>& texts) {
    std::vector<boost::asio::ip::address> out;
    for (const auto& t : texts) {
        boost::system::error_code ec;
        auto a = boost::asio::ip::make_address(t, ec);
        if (ec) throw CLI::ValidationError("--source-address", "'" + t + "' is not an IP address");
        out.push_back(a);
    }
    return out;
}

// A URL taken from `flag`, checked before anything starts: `parse` throws
// std::invalid_argument "'URL': why", and the error names the flag too.
template <class Parse>
void check_url(const std::string& flag, Parse&& parse) {
    try {
        parse();
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(flag + " " + e.what());
    }
}

// The fleet subcommand's flags, filled by CLI11.
struct fleet_flags {
    std::string scenario_path, url, mqtt_url, transport = "ws", id_prefix = "dev-", duration = "0",
                                              mqtt_credentials = "shared";
    std::size_t devices = 100, first_index = 0;
    double events_per_s = 0, connect_rate = 5000;
    unsigned threads = 1;
    std::vector<std::string> sources;
    bool quiet = false;
    fleet_credentials credentials;
    tls_flags tls;
};

// The load subcommand's flags.
struct load_flags {
    load_options options;
    std::string duration = "10s", warmup = "0", json_path;
    std::vector<std::string> sources;
    bool json_only = false;
    tls_flags tls;
};

void add_tls_flags(CLI::App& app, tls_flags& tls) {
    app.add_option("--ca-file", tls.ca_file,
                   "wss://: trust the gateway's certificate from this PEM file (the dev "
                   "certificate: build/dev-cert/cert.pem)");
    app.add_flag("--insecure", tls.insecure,
                 "wss://: do not verify the gateway's certificate (development only)");
}

void add_fleet_flags(CLI::App& fleet, fleet_flags& f) {
    fleet.add_option(
        "-s,--scenario", f.scenario_path,
        "scenario JSON file (config/scenarios/); flags below override its URLs and duration");
    // The URLs' defaults are the scenario's (a scenario file may set them): shown, not set.
    const scenario defaults;
    fleet
        .add_option("-u,--url", f.url,
                    "gateway WebSocket URL, ws:// or wss:// (socketio://HOST:PORT: a Socket.IO "
                    "peer)")
        ->default_str(defaults.gateway_url);
    fleet
        .add_option("--mqtt-url", f.mqtt_url,
                    "MQTT broker URL for mqtt devices, tcp:// or mqtt:// (the broker "
                    "scripts/run.sh starts)")
        ->default_str(defaults.mqtt_url);
    fleet.add_option("-n,--devices", f.devices, "number of devices (without --scenario)")
        ->capture_default_str();
    fleet.add_option("--transport", f.transport, "ws, mqtt or mixed (without --scenario)")
        ->check(CLI::IsMember({"ws", "mqtt", "mixed"}))
        ->capture_default_str();
    fleet
        .add_option("--id-prefix", f.id_prefix,
                    "device IDs are PREFIX0, PREFIX1, ... (without --scenario)")
        ->capture_default_str();
    fleet.add_option("--first-index", f.first_index, "index of the first device ID")
        ->capture_default_str();
    fleet
        .add_option("--events-per-s", f.events_per_s,
                    "telemetry events per device per second (without --scenario)")
        ->capture_default_str();
    fleet
        .add_option("-d,--duration", f.duration,
                    "stop after this long (10s, 5m); 0 runs until Ctrl-C")
        ->capture_default_str();
    fleet.add_option("-t,--threads", f.threads, "I/O threads")->capture_default_str();
    fleet
        .add_option("--source-address", f.sources,
                    "local addresses to connect from, in turn (127.0.0.2 ...)")
        ->delimiter(',');
    fleet
        .add_option("--connect-rate", f.connect_rate, "new connections per second while ramping up")
        ->capture_default_str();
    fleet.add_option("--token", f.credentials.token,
                     "WebSocket devices register with this token (auth.tokens)");
    fleet.add_option("--jwt-secret", f.credentials.jwt_secret,
                     "WebSocket devices register with a JWT minted per device ID with this "
                     "HS256 secret (auth.jwt.secret)");
    fleet.add_option("--mqtt-username", f.credentials.mqtt_username,
                     "MQTT devices log in with this username (--mqtt-credentials shared)");
    fleet.add_option("--mqtt-password", f.credentials.mqtt_password, "and this password");
    fleet
        .add_option("--mqtt-credentials", f.mqtt_credentials,
                    "shared: --mqtt-username/--mqtt-password for all; token: username = device "
                    "ID, password = --token; jwt: username = device ID, password = its JWT")
        ->check(CLI::IsMember({"shared", "token", "jwt"}))
        ->capture_default_str();
    add_tls_flags(fleet, f.tls);
    fleet.add_flag("-q,--quiet", f.quiet, "no progress line");
}

void add_load_flags(CLI::App& load, load_flags& f) {
    load_options& lo = f.options;
    load.add_option("-u,--url", lo.gateway_url,
                    "gateway WebSocket URL, ws:// or wss:// (socketio://HOST:PORT: a Socket.IO "
                    "peer)")
        ->capture_default_str();
    load.add_option("-c,--controllers", lo.controllers, "controller connections")
        ->capture_default_str();
    load.add_option("-i,--inflight", lo.inflight, "closed loop: commands in flight per controller")
        ->capture_default_str();
    load.add_option("-r,--rate", lo.rate, "open loop: total commands per second (0: closed loop)")
        ->capture_default_str();
    load.add_option("--count", lo.count,
                    "send this many commands in all, then stop (0: by --duration)")
        ->capture_default_str();
    load.add_option("-d,--duration", f.duration, "measured sending time (10s, 500ms)")
        ->capture_default_str();
    load.add_option("--warmup", f.warmup, "sending time before measuring starts")
        ->capture_default_str();
    load.add_option("-n,--devices", lo.devices,
                    "target devices PREFIX0..PREFIX(N-1) (must be online)")
        ->capture_default_str();
    load.add_option("--id-prefix", lo.id_prefix, "device ID prefix")->capture_default_str();
    load.add_option("--first-index", lo.first_index, "index of the first target device")
        ->capture_default_str();
    load.add_option("--command", lo.command, "command name to send")->capture_default_str();
    load.add_option("--args-bytes", lo.args_bytes, "size of each command's args JSON")
        ->capture_default_str();
    load.add_option("--timeout-ms", lo.timeout_ms, "command timeout_ms asked of the gateway")
        ->capture_default_str();
    load.add_option("--ttl-ms", lo.ttl_ms,
                    "send commands with this ttl_ms: queued while their device is offline, and "
                    "complete at their `ack queued` (durable with a store); 0: none")
        ->capture_default_str();
    load.add_option("-t,--threads", lo.threads, "I/O threads for the controllers")
        ->capture_default_str();
    load.add_option("--source-address", f.sources, "local addresses to connect from")
        ->delimiter(',');
    load.add_option("--token", lo.token, "controllers register with this token (auth.tokens)");
    load.add_option("--jwt-secret", lo.jwt_secret,
                    "controllers register with a JWT (role controller) minted per controller ID "
                    "with this HS256 secret");
    add_tls_flags(load, f.tls);
    load.add_option("--gateway-pid", lo.gateway_pid,
                    "report this process's CPU per round trip and RSS");
    load.add_option("--fleet-pid", lo.fleet_pid, "report this fleet process's CPU too");
    load.add_option("--json", f.json_path, "write the JSON report to this file ('-' for stdout)");
    load.add_flag("--json-only", f.json_only, "print only the JSON report on stdout");
}

int run_fleet(fleet_flags& f) {
    fleet_options fo;
    if (!f.scenario_path.empty()) {
        fo.plan = load_scenario(f.scenario_path);
    } else {
        device_group g;
        g.id_prefix = f.id_prefix;
        g.count = f.devices;
        g.first_index = f.first_index;
        parse_transport_choice(f.transport, g.transport);
        g.events_per_s = f.events_per_s;
        fo.plan.groups.push_back(g);
    }
    if (!f.url.empty()) fo.plan.gateway_url = f.url;
    if (!f.mqtt_url.empty()) fo.plan.mqtt_url = f.mqtt_url;
    if (f.duration != "0" || f.scenario_path.empty()) {
        fo.plan.duration = duration_option(f.duration, "--duration");
    }
    fo.threads = f.threads;
    fo.source_addresses = addresses(f.sources);
    fo.connect_rate = f.connect_rate;
    fo.credentials = f.credentials;
    fo.credentials.mqtt = f.mqtt_credentials == "token" ? fleet_credentials::mqtt_login::token
                          : f.mqtt_credentials == "jwt" ? fleet_credentials::mqtt_login::jwt
                                                        : fleet_credentials::mqtt_login::shared;
    fo.tls = f.tls;
    fo.progress = f.quiet ? nullptr : &std::cerr;
    fo.report = &std::cout;
    // A scenario's URLs were checked as it was read; this also resolves the
    // host and loads the CA file.
    const bool from_scenario = !f.scenario_path.empty();
    check_url(!f.url.empty() || !from_scenario ? "--url" : f.scenario_path + ": gateway_url",
              [&] { switchboard::client::parse_ws_url(fo.plan.gateway_url, f.tls); });
    check_url(!f.mqtt_url.empty() || !from_scenario ? "--mqtt-url" : f.scenario_path + ": mqtt_url",
              [&] { switchboard::client::parse_mqtt_url(fo.plan.mqtt_url); });
    // SIGINT/SIGTERM stop the fleet. The reader comes first: the runner's
    // I/O threads inherit its signal mask.
    boost::asio::io_context signals_io;
    switchboard::signal_reader signals(signals_io, {SIGINT, SIGTERM});
    fleet_runner runner(std::move(fo));
    signals.start([&](int) { runner.request_stop(); });
    std::thread signal_thread([&] { signals_io.run(); });
    // However the run ends, an exception included, the reader's thread is
    // joined before it goes out of scope: a joinable std::thread destroyed
    // while the exception unwinds calls std::terminate (exit 134, "terminate
    // called without an active exception"), and the error is never said.
    int status = 1;
    std::exception_ptr failure;
    try {
        status = runner.run();
    } catch (...) {
        failure = std::current_exception();
    }
    boost::asio::post(signals_io, [&] { signals.stop(); });
    signal_thread.join();
    if (failure) std::rethrow_exception(failure);
    return status;
}

int run_load(load_flags& f) {
    load_options& lo = f.options;
    lo.duration = duration_option(f.duration, "--duration");
    lo.warmup = duration_option(f.warmup, "--warmup");
    lo.source_addresses = addresses(f.sources);
    lo.tls = f.tls;
    check_url("--url", [&] { switchboard::client::parse_ws_url(lo.gateway_url, lo.tls); });
    load_runner runner(lo);
    // Ctrl-C during a load run ends the process; the run is short and bounded.
    load_result result = runner.run();
    auto j = result.to_json();
    if (!f.json_only) std::cout << result.to_table() << std::flush;
    if (f.json_only || f.json_path == "-") {
        std::cout << j.dump(2) << std::endl;
    } else if (!f.json_path.empty()) {
        std::ofstream(f.json_path) << j.dump(2) << "\n";
    }
    return result.lost == 0 && result.controllers_closed == 0 ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"switchboard-sim: simulated device fleets and load for the Switchboard gateway"};
    app.require_subcommand(1);
    // A bad flag is one line, as a bad URL is; CLI11's own adds "Run with
    // --help for more information." on a second.
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
        return "switchboard-sim: " + std::string(e.what()) + "\n";
    });
    fleet_flags fleet_f;
    load_flags load_f;
    auto* fleet = app.add_subcommand(
        "fleet", "run simulated devices that answer commands and send telemetry");
    add_fleet_flags(*fleet, fleet_f);
    auto* load =
        app.add_subcommand("load", "send commands from controllers to a running fleet and measure");
    add_load_flags(*load, load_f);
    // Bad flags exit 1, as a bad URL does (docs/simulator.md, "Exit status"),
    // not with CLI11's own codes (104, 105, ...); --help exits 0.
    const auto usage_exit = [&](const CLI::Error& e) { return app.exit(e) == 0 ? 0 : 1; };
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return usage_exit(e);
    }

    try {
        return *fleet ? run_fleet(fleet_f) : run_load(load_f);
    } catch (const scenario_error& e) {
        std::cerr << "switchboard-sim: scenario error: " << e.what() << "\n";
        return 2;
    } catch (const CLI::Error& e) {
        return usage_exit(e);
    } catch (const std::exception& e) {
        std::cerr << "switchboard-sim: " << e.what() << "\n";
        return 1;
    }
}
