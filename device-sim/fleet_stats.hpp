#pragma once
// Counters of a whole fleet, bumped by every device on every I/O thread and
// read by the progress line. Relaxed atomics: each is a tally, not a fence.

#include <atomic>
#include <cstdint>

#include "ending_tally.hpp"

namespace switchboard::sim {

struct fleet_stats {
    using counter = std::atomic<std::uint64_t>;
    std::atomic<std::int64_t> online{0};  // registered right now
    counter registrations{0};             // every successful registration, first or again
    counter mqtt_registrations{0};        // of which MQTT devices (the broker was reached)
    counter commands{0};                  // commands received
    counter commands_repeated{0};         // of which repeats (same from and id), not run again
    counter answered_ok{0};
    counter answered_failed{0};   // ok:false on purpose (fail, failure_rate, bad args)
    counter unsupported{0};       // unknown command names (also in answered_failed)
    counter events{0};            // telemetry events sent
    counter disconnects{0};       // connections that ended while registered
    counter connect_failures{0};  // attempts that never registered
    counter reconnects{0};        // attempts after the first
    counter takeovers{0};         // closed with 4003: another connection took the ID
    counter refused{0};           // registration refused (id_taken, ...)
    counter reboots{0};
    counter churn_leaves{0};
    counter storm_duplicates{0};
    counter errors_received{0};  // `error` frames from the gateway
    counter send_failures{0};    // a frame could not be queued
    ending_tally endings;        // connections the other side refused or ended, by kind

    static void add(counter& c, std::uint64_t n = 1) noexcept {
        c.fetch_add(n, std::memory_order_relaxed);
    }
    static std::uint64_t get(const counter& c) noexcept {
        return c.load(std::memory_order_relaxed);
    }
};

}  // namespace switchboard::sim
