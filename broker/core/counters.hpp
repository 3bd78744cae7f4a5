#pragma once
// Process-wide event counts, reported by the gateway's HTTP routes
// (docs/protocol.md §2: /healthz shows a selection). Relaxed atomics:
// each is an independent tally, never used to order other memory.
// Thread-safe.

#include <atomic>
#include <cstdint>

namespace switchboard {

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
    counter commands_dropped{0};  // their controller left before the answer
    counter offline_errors{0};
    counter forbidden{0};
    counter messages_routed{0};
    counter events_received{0};
    counter overloaded_errors{0};
    counter slow_consumers_closed{0};
    counter oversized_frames{0};
    counter register_timeouts{0};
    counter unauthorized{0};         // registrations refused for their credentials
    counter rate_limited{0};         // frames refused for the frame rate
    counter rate_limit_closes{0};    // connections closed 4008
    counter connections_refused{0};  // over max_connections or the per-address cap
    counter origins_refused{0};      // an Origin or (any request) a Host not allowed

    static void add(counter& c, std::uint64_t n = 1) noexcept {
        c.fetch_add(n, std::memory_order_relaxed);
    }
};

}  // namespace switchboard
