// switchboard-sim: a simulated device fleet (fleet) and a command load
// generator (load) for the Switchboard gateway. See docs/simulator.md.

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fstream>
#include <iostream>
#include <thread>

#include "fleet_runner.hpp"
#include "load_runner.hpp"
#include "scenario.hpp"

using namespace switchboard::sim;

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

// Runs `body` with SIGINT/SIGTERM turned into `on_signal` calls.
template <class Body, class OnSignal>
int with_signals(Body body, OnSignal on_signal) {
    boost::asio::io_context signals_io;
    boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (!ec) on_signal();
    });
    std::thread signal_thread([&] { signals_io.run(); });
    int status = body();
    signals.cancel();
    signals_io.stop();
    signal_thread.join();
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"switchboard-sim: simulated device fleets and load for the Switchboard gateway"};
    app.require_subcommand(1);

    // fleet
    auto* fleet = app.add_subcommand(
        "fleet", "run simulated devices that answer commands and send telemetry");
    std::string scenario_path, url, mqtt_url, transport = "ws", id_prefix = "dev-",
                                              fleet_duration = "0";
    std::size_t device_count = 100, first_index = 0;
    double events_per_s = 0, connect_rate = 5000;
    unsigned fleet_threads = 1;
    std::vector<std::string> fleet_sources;
    bool quiet = false;
    fleet->add_option(
        "-s,--scenario", scenario_path,
        "scenario JSON file (config/scenarios/); flags below override its URLs and duration");
    fleet->add_option("-u,--url", url,
                      "gateway WebSocket URL, e.g. ws://127.0.0.1:8080/ws (socketio://HOST:PORT: a "
                      "Socket.IO peer)");
    fleet->add_option("--mqtt-url", mqtt_url,
                      "MQTT broker URI for mqtt devices, e.g. tcp://127.0.0.1:1883");
    fleet->add_option("-n,--devices", device_count, "number of devices (without --scenario)");
    fleet->add_option("--transport", transport, "ws, mqtt or mixed (without --scenario)")
        ->check(CLI::IsMember({"ws", "mqtt", "mixed"}));
    fleet->add_option("--id-prefix", id_prefix,
                      "device IDs are PREFIX0, PREFIX1, ... (without --scenario)");
    fleet->add_option("--first-index", first_index, "index of the first device ID");
    fleet->add_option("--events-per-s", events_per_s,
                      "telemetry events per device per second (without --scenario)");
    fleet->add_option("-d,--duration", fleet_duration,
                      "stop after this long (10s, 5m); 0 runs until Ctrl-C");
    fleet->add_option("-t,--threads", fleet_threads, "I/O threads");
    fleet
        ->add_option("--source-address", fleet_sources,
                     "local addresses to connect from, in turn (127.0.0.2 ...)")
        ->delimiter(',');
    fleet->add_option("--connect-rate", connect_rate,
                      "new connections per second while ramping up");
    fleet->add_flag("-q,--quiet", quiet, "no progress line");

    // load
    auto* load =
        app.add_subcommand("load", "send commands from controllers to a running fleet and measure");
    load_options lo;
    std::string load_duration = "10s", warmup = "0", json_path;
    std::vector<std::string> load_sources;
    bool json_only = false;
    load->add_option("-u,--url", lo.gateway_url,
                     "gateway WebSocket URL (socketio://HOST:PORT: a Socket.IO peer)")
        ->capture_default_str();
    load->add_option("-c,--controllers", lo.controllers, "controller connections")
        ->capture_default_str();
    load->add_option("-i,--inflight", lo.inflight, "closed loop: commands in flight per controller")
        ->capture_default_str();
    load->add_option("-r,--rate", lo.rate, "open loop: total commands per second (0: closed loop)");
    load->add_option("--count", lo.count,
                     "send this many commands in all, then stop (instead of --duration)");
    load->add_option("-d,--duration", load_duration, "measured sending time (10s, 500ms)")
        ->capture_default_str();
    load->add_option("--warmup", warmup, "sending time before measuring starts");
    load->add_option("-n,--devices", lo.devices,
                     "target devices PREFIX0..PREFIX(N-1) (must be online)")
        ->capture_default_str();
    load->add_option("--id-prefix", lo.id_prefix, "device ID prefix")->capture_default_str();
    load->add_option("--first-index", lo.first_index, "index of the first target device");
    load->add_option("--command", lo.command, "command name to send")->capture_default_str();
    load->add_option("--args-bytes", lo.args_bytes, "size of each command's args JSON")
        ->capture_default_str();
    load->add_option("--timeout-ms", lo.timeout_ms, "command timeout_ms asked of the gateway")
        ->capture_default_str();
    load->add_option("-t,--threads", lo.threads, "I/O threads for the controllers")
        ->capture_default_str();
    load->add_option("--source-address", load_sources, "local addresses to connect from")
        ->delimiter(',');
    load->add_option("--gateway-pid", lo.gateway_pid,
                     "report this process's CPU per round trip and RSS");
    load->add_option("--fleet-pid", lo.fleet_pid, "report this fleet process's CPU too");
    load->add_option("--json", json_path, "write the JSON report to this file ('-' for stdout)");
    load->add_flag("--json-only", json_only, "print only the JSON report on stdout");

    CLI11_PARSE(app, argc, argv);

    try {
        if (*fleet) {
            fleet_options fo;
            if (!scenario_path.empty()) {
                fo.plan = load_scenario(scenario_path);
            } else {
                device_group g;
                g.id_prefix = id_prefix;
                g.count = device_count;
                g.first_index = first_index;
                parse_transport_choice(transport, g.transport);
                g.events_per_s = events_per_s;
                fo.plan.groups.push_back(g);
            }
            if (!url.empty()) fo.plan.gateway_url = url;
            if (!mqtt_url.empty()) fo.plan.mqtt_url = mqtt_url;
            if (fleet_duration != "0" || scenario_path.empty()) {
                fo.plan.duration = duration_option(fleet_duration, "--duration");
            }
            fo.threads = fleet_threads;
            fo.source_addresses = addresses(fleet_sources);
            fo.connect_rate = connect_rate;
            fo.progress = quiet ? nullptr : &std::cerr;
            fo.report = &std::cout;
            fleet_runner runner(std::move(fo));
            return with_signals([&] { return runner.run(); }, [&] { runner.request_stop(); });
        }
        lo.duration = duration_option(load_duration, "--duration");
        lo.warmup = duration_option(warmup, "--warmup");
        lo.source_addresses = addresses(load_sources);
        load_runner runner(lo);
        // Ctrl-C during a load run ends the process; the run is short and bounded.
        load_result result = runner.run();
        auto j = result.to_json();
        if (!json_only) std::cout << result.to_table() << std::flush;
        if (json_only || json_path == "-") {
            std::cout << j.dump(2) << std::endl;
        } else if (!json_path.empty()) {
            std::ofstream(json_path) << j.dump(2) << "\n";
        }
        return result.lost == 0 && result.controllers_closed == 0 ? 0 : 3;
    } catch (const scenario_error& e) {
        std::cerr << "switchboard-sim: scenario error: " << e.what() << "\n";
        return 2;
    } catch (const CLI::Error& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::cerr << "switchboard-sim: " << e.what() << "\n";
        return 1;
    }
}
