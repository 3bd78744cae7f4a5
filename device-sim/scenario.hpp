#pragma once
// A fleet described in a JSON file (config/scenarios/*.json, documented in
// docs/simulator.md): groups of devices with their transport, answer latency
// and failure distributions, telemetry rate, churn, and duplicate-ID storms.
// Loaded whole at start-up; a bad file is refused with the key named.
// Plain data, read by the fleet_runner and its devices (read-only once loaded).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/config_reader.hpp"
#include "core/duration_text.hpp"

namespace switchboard::sim {

// A bad scenario file: the message names the file and the key.
using scenario_error = config_error;

// A random duration in milliseconds.
struct delay_distribution {
    enum class shape { fixed, uniform, exponential };
    shape kind = shape::fixed;
    double a_ms = 0;        // fixed: the value; uniform: min; exponential: mean
    double b_ms = 0;        // uniform: max
    double max_ms = 60000;  // exponential tail is cut here

    template <class Rng>
    std::chrono::milliseconds sample(Rng& rng) const {
        double ms = a_ms;
        if (kind == shape::uniform) {
            ms = std::uniform_real_distribution<double>(a_ms, b_ms)(rng);
        } else if (kind == shape::exponential) {
            ms = a_ms > 0 ? std::exponential_distribution<double>(1.0 / a_ms)(rng) : 0.0;
            if (ms > max_ms) ms = max_ms;
        }
        return std::chrono::milliseconds(static_cast<std::int64_t>(ms + 0.5));
    }
    bool always_zero() const noexcept {
        return (kind == shape::fixed || kind == shape::exponential) ? a_ms <= 0 : b_ms <= 0;
    }
};

enum class transport_choice { ws, mqtt, mixed };

struct device_group {
    std::string id_prefix = "dev-";
    std::size_t count = 0;
    std::size_t first_index = 0;                        // IDs are prefix + index
    transport_choice transport = transport_choice::ws;  // mixed: even indexes ws, odd mqtt
    std::string meta_json = R"({"model":"sim-1","firmware":"1.0.0"})";
    delay_distribution answer_delay;         // added to every answer
    double failure_rate = 0;                 // share of answers turned into ok:false
    double events_per_s = 0;                 // telemetry per device
    std::chrono::milliseconds reboot{2000};  // `reboot`: offline this long
    std::chrono::milliseconds slow{1000};    // `slow`: answers after this long
    // Churn: each online device leaves at this rate (per minute) and comes back after `offline`.
    double churn_per_min = 0;
    delay_distribution churn_offline{delay_distribution::shape::uniform, 1000, 5000, 60000};
};

// Every `every`, `devices` online devices get a second connection with the same ID
// that holds for `hold` and leaves; the first reconnects with backoff.
struct duplicate_storm {
    std::chrono::milliseconds every{0};  // 0: no storms
    std::size_t devices = 0;
    std::chrono::milliseconds hold{2000};
};

struct scenario {
    std::string name = "cli";
    std::string gateway_url = "ws://127.0.0.1:8080/ws";
    std::string mqtt_url = "tcp://127.0.0.1:18830";  // the broker scripts/run.sh starts
    std::string mqtt_prefix = "sb";
    std::chrono::milliseconds duration{0};  // 0: until stopped
    std::chrono::milliseconds reconnect_initial{100};
    std::chrono::milliseconds reconnect_max{10000};
    std::vector<device_group> groups;
    duplicate_storm storm;

    std::size_t device_count() const;
};

// Throws scenario_error naming the file and the key at fault.
scenario load_scenario(const std::filesystem::path& path);
scenario parse_scenario(std::string_view text, const std::string& source);

bool parse_transport_choice(std::string_view text, transport_choice& out) noexcept;
// "10s", "250ms", "2m", or a bare number of seconds (core/duration_text).
using switchboard::parse_duration;

}  // namespace switchboard::sim
