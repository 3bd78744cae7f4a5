#include "load_report.hpp"

#include <iomanip>
#include <sstream>

namespace switchboard::sim {

namespace {
double us(std::uint64_t ns) { return double(ns) / 1000.0; }

nlohmann::json process_json(const watched_process& p, double round_trips) {
    nlohmann::json j = {
        {"pid", p.pid},
        {"cpu_s", p.cpu_s},
        {"user_s", p.user_s},
        {"system_s", p.system_s},
        {"cpu_us_per_round_trip", round_trips > 0 ? p.cpu_s * 1e6 / round_trips : 0.0}};
    j["rss_kib"] = p.rss_kib ? nlohmann::json(*p.rss_kib) : nlohmann::json(nullptr);
    return j;
}
}  // namespace

nlohmann::json load_result::to_json() const {
    nlohmann::json j;
    j["mode"] = mode;
    j["controllers"] = controllers;
    j["inflight"] = inflight;
    j["offered_rate"] = offered_rate;
    j["command_limit"] = command_limit;
    j["devices"] = devices;
    j["command"] = command;
    j["args_bytes"] = args_bytes;
    j["threads"] = threads;
    j["ttl_ms"] = ttl_ms;
    j["sent"] = sent;
    j["answered"] = answered;
    j["answered_ok"] = answered_ok;
    j["answered_failed"] = answered_failed;
    j["queued"] = queued;
    j["outcomes_after_queued"] = outcomes_after_queued;
    j["errors"] = errors;
    j["errors_total"] = errors_total;
    j["timeouts"] = timeouts;
    j["cut_off"] = cut_off;
    j["lost"] = lost;
    j["controllers_closed"] = controllers_closed;
    j["first_close"] = first_close;
    j["stray_frames"] = stray_frames;
    j["window_s"] = window_s;
    j["window_completed"] = window_completed;
    j["round_trips_per_s"] = round_trips_per_s;
    j["latency_us"] = {{"count", latency.count()},
                       {"from_intended_send", latency_from_intended},
                       {"min", us(latency.min_ns())},
                       {"mean", latency.mean_ns() / 1000.0},
                       {"p50", us(latency.percentile_ns(50))},
                       {"p90", us(latency.percentile_ns(90))},
                       {"p99", us(latency.percentile_ns(99))},
                       {"p999", us(latency.percentile_ns(99.9))},
                       {"max", us(latency.max_ns())}};
    double rts = double(window_completed);
    j["generator"] = process_json(generator, rts);
    j["gateway"] = gateway ? process_json(*gateway, rts) : nlohmann::json(nullptr);
    j["fleet"] = fleet ? process_json(*fleet, rts) : nlohmann::json(nullptr);
    return j;
}

std::string load_result::to_table() const {
    std::ostringstream out;
    out << std::fixed;
    auto row = [&](const std::string& name, const std::string& value) {
        out << "  " << std::left << std::setw(30) << name << " " << value << "\n";
    };
    auto num = [](double v, int decimals) {
        std::ostringstream s;
        s << std::fixed << std::setprecision(decimals) << v;
        return s.str();
    };
    out << "load run: " << mode << " loop, " << controllers << " controllers";
    if (mode == "closed")
        out << " x " << inflight << " in flight";
    else
        out << " at " << num(offered_rate, 0) << " commands/s offered";
    out << ", '" << command << "' with " << args_bytes << "-byte args to " << devices
        << " devices\n";
    row("round trips/s", num(round_trips_per_s, 0) + "  (" + std::to_string(window_completed) +
                             " in " + num(window_s, 2) + " s)");
    row(std::string("latency us") + (latency_from_intended ? " (from intended send)" : ""),
        "p50 " + num(us(latency.percentile_ns(50)), 1) + "  p99 " +
            num(us(latency.percentile_ns(99)), 1) + "  p99.9 " +
            num(us(latency.percentile_ns(99.9)), 1) + "  max " + num(us(latency.max_ns()), 1) +
            "  mean " + num(latency.mean_ns() / 1000.0, 1));
    row("sent", std::to_string(sent));
    row("answered (ok / ok:false)", std::to_string(answered) + " (" + std::to_string(answered_ok) +
                                        " / " + std::to_string(answered_failed) + ")");
    std::string errs = std::to_string(errors_total);
    if (!errors.empty()) {
        errs += " (";
        bool first = true;
        for (const auto& [code, n] : errors) {
            errs += (first ? "" : ", ") + code + " " + std::to_string(n);
            first = false;
        }
        errs += ")";
    }
    row("errors", errs);
    if (ttl_ms > 0) {
        row("queued (ack queued, with --ttl-ms " + std::to_string(ttl_ms) + ")",
            std::to_string(queued) +
                " (outcomes seen after: " + std::to_string(outcomes_after_queued) + ")");
    }
    row("timeouts", std::to_string(timeouts));
    if (cut_off) row("cut off (connection closed)", std::to_string(cut_off));
    row("lost (must be 0)", std::to_string(lost));
    if (controllers_closed) {
        row("controllers closed",
            std::to_string(controllers_closed) + " (first: " + first_close + ")");
    }
    if (stray_frames) row("stray frames", std::to_string(stray_frames));
    double rts = double(window_completed);
    auto proc = [&](const std::string& name, const watched_process& p) {
        std::string v = num(p.cpu_s, 2) + " s CPU (" + num(p.user_s, 2) + " user, " +
                        num(p.system_s, 2) + " sys), " +
                        num(window_s > 0 ? p.cpu_s / window_s * 100 : 0, 0) + "% of a core";
        if (rts > 0) v += ", " + num(p.cpu_s * 1e6 / rts, 2) + " us/round trip";
        if (p.rss_kib) v += ", RSS " + std::to_string(*p.rss_kib / 1024) + " MiB";
        row(name, v);
    };
    proc("generator (this process)", generator);
    if (gateway) proc("gateway pid " + std::to_string(gateway->pid), *gateway);
    if (fleet) proc("fleet pid " + std::to_string(fleet->pid), *fleet);
    return out.str();
}

}  // namespace switchboard::sim
