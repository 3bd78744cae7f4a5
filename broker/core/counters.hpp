#pragma once
// Process-wide event counts, read by /stats and /metrics (broker/metrics
// turns them into Prometheus families at scrape time, so counting costs the
// hot path one relaxed add and nothing more). Relaxed atomics: each is an
// independent tally (heap_trim_last_us alone is a value, stored), never
// used to order other memory.
// Thread-safe.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "latency_histogram.hpp"

namespace switchboard {

// How an accepted command ended, for its round-trip latency.
enum class command_outcome { ok, error, timeout };  // answered ok:true / ok:false, or timed out
inline constexpr std::size_t command_outcome_count = 3;

// The frames the router sends, by type.
enum class outbound_type {
    registered,
    command,
    response,
    message,
    event,
    presence,
    ack,
    subscribed,
    list,
    error,
    status
};
inline constexpr std::size_t outbound_type_count = 11;

// Inbound frames the router routes, by type: the index of their
// inbound_frame alternative (register, command, response, message, event,
// subscribe, list, status, cancel).
inline constexpr std::size_t inbound_type_count = 9;

struct counters {
    using counter = std::atomic<std::uint64_t>;

    counter connections_accepted{0};
    counter sessions_registered{0};
    counter registrations_rejected{0};
    counter takeovers{0};
    counter frames_received{0};
    counter bad_frames{0};
    counter commands_accepted{0};
    counter commands_answered{0};
    counter command_timeouts{0};
    counter commands_device_disconnected{0};  // ended as their device left
    counter late_responses{0};
    counter unknown_responses{0};
    counter commands_dropped{0};    // their controller left before the answer
    counter commands_queued{0};     // accepted with ttl_ms for an offline device
    counter commands_expired{0};    // still queued when their ttl_ms passed
    counter commands_cancelled{0};  // cancelled by their controller while queued
    // Controller recovery: outcomes kept for an away controller, delivered
    // when it came back, refused for the caps, discarded when the window ended.
    counter recovery_kept{0};
    counter recovery_delivered{0};
    counter recovery_overflow{0};
    counter recovery_expired{0};
    counter offline_errors{0};
    counter forbidden{0};
    counter messages_routed{0};
    counter events_received{0};
    counter overloaded_errors{0};
    counter slow_consumers_closed{0};
    counter reads_paused{0};
    // wss:// upgrades on our own framing: TLS 1.3 ones that kept only their
    // traffic keys (tls13_records), and those OpenSSL's records still carry.
    counter tls_keys_only{0};
    counter tls_openssl_records{0};
    counter frames_dropped{0};  // not queued: the connection was closing or its queue full
    counter oversized_frames{0};
    counter register_timeouts{0};
    counter unauthorized{0};         // registrations refused for their credentials
    counter rate_limited{0};         // frames refused for the frame rate
    counter rate_limit_closes{0};    // connections closed 4008
    counter connections_refused{0};  // over max_connections or the per-address cap
    counter origins_refused{0};      // an Origin or (any request) a Host not allowed
    // Upgrades answered 503 while shutting down.
    counter upgrades_refused_draining{0};
    // malloc_trim after a burst of connections (core/heap_trim.hpp): how
    // many, how long they held their I/O thread (in all, and the last one),
    // and how much the resident set shrank across them.
    counter heap_trims{0};
    counter heap_trim_us{0};
    counter heap_trim_last_us{0};
    counter heap_trim_released_bytes{0};

    // Commands refused before they were accepted, by reason.
    counter commands_refused_offline{0};
    counter commands_refused_forbidden{0};
    counter commands_refused_overloaded{0};
    counter commands_refused_duplicate{0};  // an id already pending for this controller

    std::array<counter, inbound_type_count> frames_routed{};
    std::array<counter, outbound_type_count> frames_sent{};
    // Accepted to answered (or timed out), by outcome.
    std::array<latency_histogram, command_outcome_count> command_latency{};

    static void add(counter& c, std::uint64_t n = 1) noexcept {
        c.fetch_add(n, std::memory_order_relaxed);
    }
    void sent(outbound_type type, std::uint64_t n = 1) noexcept {
        add(frames_sent[static_cast<std::size_t>(type)], n);
    }
};

}  // namespace switchboard
