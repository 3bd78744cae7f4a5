#pragma once
// What a load run measured, with its JSON (--json) and table forms. Every
// field of the JSON is documented in docs/simulator.md ("Load report").
// Plain data, built by the load_runner once the run is over.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "latency_histogram.hpp"
#include "process_usage.hpp"

namespace switchboard::sim {

struct watched_process {
    int pid = 0;
    double cpu_s = 0;  // user + system over the measured window
    double user_s = 0;
    double system_s = 0;
    std::optional<std::uint64_t> rss_kib;  // at the end of the window
};

struct load_result {
    // What was asked.
    std::string mode;  // "closed" or "open"
    unsigned controllers = 0;
    unsigned inflight = 0;
    double offered_rate = 0;          // open loop only
    std::uint64_t command_limit = 0;  // 0: by duration
    std::size_t devices = 0;
    std::string command;
    std::size_t args_bytes = 0;
    unsigned threads = 0;
    std::int64_t ttl_ms = 0;  // > 0: commands were sent with ttl_ms (--ttl-ms)

    // What happened to every measured command:
    // sent = answered + queued + errors + timeouts + cut_off + lost.
    std::uint64_t sent = 0;
    std::uint64_t answered = 0;  // responses from the device, ok or not
    std::uint64_t queued = 0;    // --ttl-ms: completed by their `ack queued` (durable)
    // --ttl-ms: outcomes that came later for commands counted as queued.
    std::uint64_t outcomes_after_queued = 0;
    std::uint64_t answered_ok = 0;
    std::uint64_t answered_failed = 0;            // device said ok:false
    std::map<std::string, std::uint64_t> errors;  // gateway `error` frames by code
    std::uint64_t errors_total = 0;
    std::uint64_t timeouts = 0;  // gateway `timeout` responses
    std::uint64_t cut_off = 0;   // out when the gateway closed their controller's connection
    std::uint64_t lost = 0;      // never resolved, even after the drain
    std::uint64_t controllers_closed = 0;  // controller connections that ended during the run
    std::string first_close;               // the first of those: close code and reason
    std::uint64_t stray_frames = 0;        // answers to no command of ours (should be 0)

    double window_s = 0;  // the measured sending window
    std::uint64_t window_completed = 0;
    double round_trips_per_s = 0;        // completed in the window / window_s
    latency_histogram latency;           // every measured completion
    bool latency_from_intended = false;  // open loop: from the scheduled send time

    watched_process generator;
    std::optional<watched_process> gateway;
    std::optional<watched_process> fleet;
    double gateway_cpu_us_per_round_trip = 0;

    nlohmann::json to_json() const;
    std::string to_table() const;
};

}  // namespace switchboard::sim
