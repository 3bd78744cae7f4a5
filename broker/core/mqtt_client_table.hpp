#pragma once
// The MQTT clients the bridge has registered in the router, and what their
// payloads do (docs/mqtt.md): a status on `{prefix}/{id}/status` registers,
// re-registers or unregisters an ID; a payload on `{prefix}/{id}/out` goes
// through the frame intake, charged to that ID's own token bucket (a reload
// may change the rate: set_rate).
// Every payload is bounded before it is read: its size first, then its
// nesting, by core's json_text scanner; a status's `meta` is kept as the
// text it came in (capped), never rebuilt or re-serialized.
// Paho-free: the bridge hands it topics' IDs and payloads and provides the
// endpoints (mqtt_client_links), so unit tests and the `mqtt_payload` fuzz
// target drive it with a stub.
// Used on the bridge's strand only (not thread-safe).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "client_record.hpp"
#include "endpoint.hpp"
#include "frame_intake.hpp"
#include "inbound_frame.hpp"
#include "rate_limiter.hpp"

namespace switchboard {

class router;

// What the table needs of the bridge. Called on the bridge's strand.
class mqtt_client_links {
public:
    // The endpoint through which the router reaches `id` (its inbox), for
    // the registration named `session`.
    virtual std::shared_ptr<endpoint> make_link(const std::string& id,
                                                const std::string& session) = 0;
    // A frame for the inbox of an ID that has no registration here.
    virtual void send_to_inbox(const std::string& id, frame_ptr frame) = 0;
    // The status topic of `id`, for the hint in `not_registered`.
    virtual std::string status_topic(const std::string& id) const = 0;

protected:
    ~mqtt_client_links() = default;
};

// What a status payload says, read without building a tree.
struct status_payload {
    enum class kind { online, offline, invalid };
    kind what = kind::offline;
    register_request request;  // id unset; role and meta when online
    std::string why;           // for invalid: what is wrong, for the log
    // Published by a gateway node for its own WebSocket client (scale-out,
    // cluster_status.hpp): that node, and when the client registered there.
    std::string node;
    std::int64_t since_us = 0;
};

// Reads a status: `{"online":true,"role":...,"meta":{...}}`, `{"online":false}`
// or empty (the retained status cleared) is offline. A node's status for its
// WebSocket client adds `"node"` (a valid ID) and `"since"` (an integer). Anything over
// limits.max_message_bytes, nested deeper than max_json_depth, or with a
// `meta` over limits.max_meta_bytes is invalid, checked in that order.
status_payload read_status(std::string_view payload, const intake_limits& limits);

// The payload the bridge publishes on `{prefix}/{id}/events` for a
// WebSocket device's event: `{"name":...,"data":...}`, spliced from text the
// intake has already bounded.
std::string event_payload(const event_request& event);

class mqtt_client_table {
public:
    struct stats {
        std::uint64_t frames_in = 0;
        std::uint64_t unregistered_frames = 0;  // `out` from an ID with no online status
        std::uint64_t statuses_refused = 0;     // invalid, oversized or too deep: offline
        std::uint64_t flood_refused = 0;        // frames refused while their ID flooded
    };

    // `trust`: what the broker's word is worth (docs/security.md): an MQTT
    // client is authenticated only when the broker checks its credential.
    // `node`: this gateway node's name; a status naming it is this node's own
    // (its WebSocket client's) and registers nothing here.
    mqtt_client_table(router& routing, const frame_intake& intake, rate_limit_options rate,
                      mqtt_client_links& links, client_trust trust = client_trust::unauthenticated,
                      std::string node = {});

    // What a status did, for the bridge's log.
    struct status_outcome {
        status_payload::kind what = status_payload::kind::offline;
        std::string why;       // invalid: what was wrong
        bool refused = false;  // online, but the ID is held by another connection
        // The status names this node: one of its own WebSocket clients (the
        // bridge checks that the client is still here).
        bool own = false;
        // Another node's online status for an ID that is this node's own
        // WebSocket client, and the older registration of the two: ignored
        // here (the other node yields when it reads ours).
        bool outlived = false;
        // For the connection log: the registration this status ended (offline,
        // or replaced by a new role or meta) and the one it made.
        client_ptr closed;
        client_ptr opened;
    };

    // A status for `id` (a valid ID: the topic map checked it).
    status_outcome on_status(const std::string& id, std::string_view payload,
                             std::chrono::steady_clock::time_point now);
    // A frame from `id` on its `out` topic; `traceparent`, the MQTT 5 user
    // property of that name if the message had one (frame_intake::take).
    void on_out(const std::string& id, std::string_view payload,
                std::chrono::steady_clock::time_point now, std::string_view traceparent = {});

    // A reloaded rate (limits.frames_per_second, frame_burst,
    // rate_limit_close_after) for every ID's next frame, registered or not:
    // each bucket starts again full at `now`. The same rate changes nothing,
    // so an unrelated reload gives no flooding ID a fresh burst.
    void set_rate(const rate_limit_options& rate, std::chrono::steady_clock::time_point now);

    // The bridge lost its broker: every client is offline.
    void forget_all();
    // Node `node` is gone (its Last Will, or its clean stop): its clients
    // are offline here (presence reason `node_lost`). Returns their IDs.
    std::vector<std::string> forget_node(std::string_view node);
    // `id`'s registration `session` was taken over by another connection;
    // returns it (null when it was no longer here), for the connection log.
    client_ptr forget(const std::string& id, const std::string& session);

    std::size_t size() const noexcept { return clients_.size(); }
    const stats& counts() const noexcept { return stats_; }
    // Test and fuzz oracle: the record registered for `id`, or null.
    client_ptr find(const std::string& id) const;

private:
    struct client {
        client_ptr record;
        std::string node;  // a remote client's node; empty for an MQTT client
        std::int64_t since_us = 0;
        rate_limiter rate;
        std::chrono::steady_clock::time_point flood_told{};  // last flood error sent
    };
    class sender;

    // An online status naming a node (cluster_status.hpp).
    status_outcome on_remote_status(const std::string& id, status_payload status,
                                    std::chrono::steady_clock::time_point now);

    router& router_;
    const frame_intake& intake_;
    rate_limit_options rate_;
    mqtt_client_links& links_;
    client_trust trust_;
    std::string node_;
    std::unordered_map<std::string, client> clients_;
    // IDs with no registration share one bucket: their `not_registered`
    // answers are bounded without a table of strangers.
    rate_limiter strangers_;
    std::uint64_t next_session_ = 0;
    stats stats_;
};

}  // namespace switchboard
