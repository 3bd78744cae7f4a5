#pragma once
// The bridge's QoS 1 frames for the broker, kept until their PUBACK, and
// handed to Paho at most `limit` at a time, oldest first.
//
// Why the bridge holds them and not Paho: an MQTT 5 broker caps the
// publishes a client may have unacknowledged (CONNACK "receive maximum";
// mosquitto's max_inflight_messages, 20 by default). Paho C 1.3.12 (Debian
// 12) holds the rest in its own queue, but its send thread is not woken by
// a PUBACK: it sends the next one when another publish is queued or after
// its one-second wait. A burst past the window then leaves at 20 a second,
// which is what made ~0.4 % of W1-mqtt's commands end as `timeout` with
// their answers arriving seconds later (docs/benchmarks.md; fixed upstream
// in paho.mqtt.c 1.3.14). Handing Paho only what it may send at once makes
// every hand-over a publish call, which wakes that thread.
//
// Plain data, no Paho: the bridge's strand owns one.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/endpoint.hpp"
#include "core/trace_context.hpp"

namespace switchboard {

class publish_window {
public:
    using clock = std::chrono::steady_clock;

    struct entry {
        std::string topic;
        frame_ptr frame;
        std::optional<trace_context> trace;  // a traced command's, for the user property
        clock::time_point resend_until;
        bool retained = false;  // a status of one of our WebSocket clients
        bool handed = false;    // given to Paho on the current connection
    };

    // What restart() did: frames to be published again, and frames dropped
    // because their resend window had passed.
    struct restart_counts {
        std::size_t resent = 0;
        std::size_t expired = 0;
    };

    // Keeps `e` (not handed) and returns its sequence number, which grows.
    std::uint64_t add(entry e);

    // How many may be handed and unacknowledged at once (at least 1).
    void set_limit(std::size_t limit) noexcept { limit_ = limit < 1 ? 1 : limit; }
    std::size_t limit() const noexcept { return limit_; }

    // The oldest frame not yet handed, while the window has room; null
    // otherwise. The caller hands it to Paho and calls handed().
    std::pair<std::uint64_t, entry*> next();
    void handed(std::uint64_t seq);

    // The frame `seq`, or null when it is not held.
    const entry* find(std::uint64_t seq) const;

    // The broker acknowledged (or refused) `seq`: forgotten, its slot
    // freed. Empty when it is not held (acknowledged already, or dropped).
    std::optional<entry> acknowledged(std::uint64_t seq);

    // A broker that went silent may still deliver what it was handed:
    // those are forgotten (not resent). Returns how many.
    std::size_t drop_handed();

    // A new connection: frames past their resend window are dropped, every
    // other one waits to be handed again, oldest first.
    restart_counts restart(clock::time_point now);

    std::size_t size() const noexcept { return entries_.size(); }
    std::size_t handed_count() const noexcept { return handed_; }
    bool empty() const noexcept { return entries_.empty(); }

private:
    std::map<std::uint64_t, entry> entries_;  // by publish order
    std::uint64_t next_seq_ = 0;
    // Every entry below this sequence number is handed (or gone): handing
    // goes in order, so the next one is found without a scan.
    std::uint64_t hand_from_ = 0;
    std::size_t handed_ = 0;
    std::size_t limit_ = 1;
};

}  // namespace switchboard
