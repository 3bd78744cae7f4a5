#pragma once
// What the MQTT bridge tells the rest of the gateway about itself: its state
// for /readyz, its numbers for /metrics, a JSON object for /stats. The
// bridge (bridge/mqtt_bridge) implements it; the gateway holds a pointer set
// before start(), so broker/ needs no Paho.
// Thread-safe: every member may be called from any I/O thread.

#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard {

struct bridge_stats {
    std::string_view state = "idle";  // idle, connecting, connected, reconnecting, stopped
    bool connected = false;
    // The broker acknowledged every subscription of the current connection:
    // until then MQTT clients' frames and statuses may not reach the bridge.
    bool subscribed = false;
    std::uint64_t reconnects = 0;
    std::uint64_t connect_failures = 0;
    std::uint64_t clients = 0;           // MQTT clients registered through the bridge
    std::uint64_t unacked = 0;           // publishes awaiting the broker's PUBACK
    std::uint64_t published = 0;         // frames published to inboxes
    std::uint64_t resent = 0;            // published again after a reconnect
    std::uint64_t expired = 0;           // unacked past the resend window, dropped
    std::uint64_t abandoned = 0;         // handed to a broker that went silent, not resent
    std::uint64_t silences = 0;          // connections the watchdog gave up on
    std::uint64_t refused = 0;           // deliveries refused (disconnected or too many unacked)
    std::uint64_t frames_in = 0;         // frames read from `{prefix}/+/out`
    std::uint64_t refused_topics = 0;    // bad IDs, unregistered senders
    std::uint64_t statuses_refused = 0;  // invalid status payloads, counted as offline
    std::uint64_t flood_refused = 0;     // frames of IDs flooding past their rate
    std::uint64_t events_published = 0;  // device events mirrored to MQTT
};

// The bridge's state as /readyz sees it: `connected` only once subscribed
// (before that, `subscribing`), so a load balancer sends no traffic that MQTT
// clients' first frames could miss.
inline std::string_view readiness_state(const bridge_stats& s) {
    return s.connected && !s.subscribed ? std::string_view("subscribing") : s.state;
}

class bridge_status {
public:
    virtual ~bridge_status() = default;
    virtual bridge_stats stats() const = 0;
    virtual std::string health_json() const = 0;
};

}  // namespace switchboard
