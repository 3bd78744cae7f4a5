#pragma once
// The MQTT bridge (docs/mqtt.md): one Paho async_client connected to the
// broker, through which MQTT clients take part in routing exactly like
// WebSocket clients do.
//  - `{prefix}/+/status` (retained, with a Last Will) registers and
//    unregisters MQTT clients in the router, each with an mqtt_endpoint.
//  - `$share/{group}/{prefix}/+/out` carries their frames; the sender is the
//    ID in the topic, whatever the payload says, and the router routes them.
//  - Frames for MQTT clients are published QoS 1 to `{prefix}/{id}/in`, kept
//    until the broker acknowledges them and published again after a
//    reconnect; Paho is handed at most the broker's receive maximum of them
//    at a time (publish_window says why).
//  - WebSocket devices' events are mirrored to `{prefix}/{id}/events`.
//  - Scale-out (docs/scaling.md): for each of this node's WebSocket clients
//    it subscribes `{prefix}/{id}/in` and publishes a retained status naming
//    the node; other nodes' statuses register their clients here as remote
//    clients, reached through their inboxes. Frames other nodes publish to
//    our clients' inboxes are delivered to them, and relayed responses
//    settle the commands this node holds. Responses for commands this node
//    does not hold and whose node nothing names (an MQTT controller's, or
//    those of a controller that is this node's client now or is away) go to
//    every node on `{prefix}/$relay` (core/cluster_relay.hpp) while another
//    node is up. Each node that reads a relay tells the relaying node on
//    `{prefix}/$relay/{node}` whether it held it; the relaying node answers
//    the device `unknown_command` when none did (core/relay_waits.hpp).
// The bridge connects and reconnects itself with capped, jittered backoff,
// resubscribes on every connection (Paho does not), and while it is not
// connected the MQTT clients count as offline, so commands to them fail at
// once with `offline`. A broker that stops answering (frozen, half-open
// link) is noticed by broker_watchdog within one keepalive.
//
// Ownership: created by main() (or a test) with create(), which owns it
// through a shared_ptr; mqtt_endpoints and posted handlers hold it weakly.
// stop() it, then stop the gateway's I/O threads, then release it.
// Threads: Paho's callbacks and publish_inbox() only hand what they were
// given to the bridge's strand (on the executor given, the gateway's first
// io_context), through one handoff_queue: one post per batch, not per
// message; all bridge state is touched on that strand. start()/stop() run on the controlling
// thread; publish_inbox(), on_link_closed(), the router_observer calls and health_json() are safe
// from any thread.

#include <mqtt/async_client.h>

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bridge_options.hpp"
#include "broker_watchdog.hpp"
#include "core/bridge_status.hpp"
#include "core/cluster_relay.hpp"
#include "core/cluster_status.hpp"
#include "core/frame_intake.hpp"
#include "core/log_text.hpp"
#include "core/mqtt_client_table.hpp"
#include "core/relay_waits.hpp"
#include "core/router.hpp"
#include "handoff_queue.hpp"
#include "paho_build.hpp"
#include "publish_window.hpp"
#include "reconnect_backoff.hpp"
#include "topic_map.hpp"

namespace switchboard {

enum class bridge_state { idle, connecting, connected, reconnecting, stopped };

std::string_view to_string(bridge_state state) noexcept;

class mqtt_bridge final : public std::enable_shared_from_this<mqtt_bridge>,
                          public router_observer,
                          public bridge_status,
                          private mqtt_client_links,
                          private cluster_relay {
public:
    using executor = boost::asio::any_io_executor;

    // Throws std::invalid_argument (start-up only) when Paho refuses the
    // URL or client ID.
    static std::shared_ptr<mqtt_bridge> create(router& routing, executor ex,
                                               bridge_options options);
    ~mqtt_bridge() override;

    mqtt_bridge(const mqtt_bridge&) = delete;
    mqtt_bridge& operator=(const mqtt_bridge&) = delete;

    // Becomes the router's observer and starts connecting. Controlling thread.
    void start();

    // Stops reconnecting and disconnects (bounded wait). Controlling thread,
    // never a Paho callback. Idempotent.
    void stop();

    // Queues `frame` for `{prefix}/{id}/in`, QoS 1. False, at once, when the
    // bridge is not connected or too many frames await acknowledgement.
    // `trace`: a traced command's context, also sent as the MQTT 5 user
    // property `traceparent` when the bridge speaks MQTT 5. Any thread.
    bool publish_inbox(const std::string& id, frame_ptr frame,
                       std::optional<trace_context> trace = std::nullopt);

    // An mqtt_endpoint was closed by the router (its ID was taken over).
    // Any thread.
    void on_link_closed(const std::string& id, const std::string& session);

    // router_observer: mirrors WebSocket devices' events. Any thread.
    void on_presence(const client_record& client, bool online) override;
    void on_event(const client_record& from, const event_request& event) override;

    // A reload's keys for MQTT frames (docs/configuration.md, "Reloading
    // the config"), from the running config after the reload: the payload
    // and meta caps from the next payload on, and the per-ID rate
    // (limits.frames_per_second, frame_burst, rate_limit_close_after) from
    // each ID's next frame after this, with a full bucket. The broker
    // connection and the registered clients stay. Any thread.
    void reload(const gateway_config& running);

    // bridge_status: for /stats (a JSON object: state, reconnects, clients,
    // unacked...), /metrics and /readyz. Any thread.
    std::string health_json() const override;
    bridge_stats stats() const override;

    bridge_state state() const noexcept { return state_.load(std::memory_order_acquire); }
    std::uint64_t reconnects() const noexcept {
        return reconnects_.load(std::memory_order_relaxed);
    }
    const topic_map& topics() const noexcept { return topics_; }

private:
    using strand_type = boost::asio::strand<executor>;

    // What a Paho token said, copied off Paho's thread.
    struct token_outcome {
        bool ok = false;
        int return_code = 0;
        int reason_code = 0;
        std::uintptr_t context = 0;
        int receive_maximum = 0;  // a connect's, from the CONNACK (MQTT 5); 0 when none
    };

    // A token's completion, for a member function on the strand.
    using token_handler = void (mqtt_bridge::*)(const token_outcome&);
    struct token_done {
        token_handler handler;
        token_outcome outcome;
    };
    // A frame publish_inbox() accepted, for enqueue() on the strand.
    struct inbox_frame {
        std::string topic;
        frame_ptr frame;
        std::optional<trace_context> trace;
    };
    // One of this node's WebSocket clients came (record) or went (session).
    struct local_client_change {
        client_ptr record;  // null when it left
        std::string id;
        std::string session;
    };
    // The broker connection came up (cause) or went down (why).
    struct link_change {
        bool up = false;
        std::string text;
    };
    using strand_event = std::variant<mqtt::const_message_ptr, token_done, inbox_frame, link_change,
                                      local_client_change>;

    // What every thread hands to the strand, with what it takes to wake it.
    // Shared with Paho's callbacks and the token listeners, which must not
    // hold the bridge itself (the last owner would destroy the Paho client
    // on Paho's own thread).
    struct strand_handoff {
        strand_handoff(strand_type s) : strand(std::move(s)) {}
        void push(strand_event event);
        // For what may wait for the strand's next wake-up (a PUBACK).
        void push_quiet(strand_event event);
        void wake();
        handoff_queue<strand_event> queue;
        strand_type strand;
        std::weak_ptr<mqtt_bridge> owner;  // set by start()
    };

    // Hands a token's completion to a member function on the strand; a
    // `quiet` one hands a success over without waking the strand
    // (strand_handoff::push_quiet).
    class strand_listener final : public mqtt::iaction_listener {
    public:
        strand_listener(std::shared_ptr<strand_handoff> handoff, token_handler h,
                        bool quiet = false)
            : handoff_(std::move(handoff)), handler_(h), quiet_(quiet) {}
        void on_success(const mqtt::token& token) override { post(token, true); }
        void on_failure(const mqtt::token& token) override { post(token, false); }

    private:
        void post(const mqtt::token& token, bool ok);
        std::shared_ptr<strand_handoff> handoff_;
        token_handler handler_;
        bool quiet_;
    };

    mqtt_bridge(router& routing, executor ex, bridge_options options);

    template <class F>
    void post_to_strand(F&& f);

    // All on the strand.
    void drain_handoffs();
    // After a drain: whether PUBACKs must wake the strand, and the look
    // that takes those that did not.
    void after_drain();
    void on_ack_look();
    void do_connect();
    void on_connect_done(const token_outcome& outcome);
    void on_connected(const std::string& cause);
    void on_connection_lost(const std::string& cause);
    void arm_watchdog();
    void on_watchdog_tick();
    void on_probe_answered(const token_outcome& outcome);
    void on_broker_silent();
    void heard_from_broker();
    void schedule_reconnect();
    void subscribe_all();
    void on_subscribed(const token_outcome& outcome);
    void on_message(const mqtt::const_message_ptr& message);
    void on_status(const std::string& id, std::string_view payload);
    // mqtt_client_links, for the client table.
    std::shared_ptr<endpoint> make_link(const std::string& id, const std::string& session) override;
    void send_to_inbox(const std::string& id, frame_ptr frame) override;
    // cluster_relay, for the router: any thread.
    outcome relay_response(const client_ptr& device, const response_request& response) override;
    // Queues `frame` for `topic` (QoS 1) as publish_inbox() does. Any thread.
    bool publish_frame(std::string topic, frame_ptr frame, std::optional<trace_context> trace);
    std::string status_topic(const std::string& id) const override;
    void enqueue(std::string topic, frame_ptr frame, std::optional<trace_context> trace,
                 bool retained = false);
    // Scale-out, on the strand: our WebSocket clients' inboxes and statuses.
    void on_local_client(const local_client_change& change);
    void announce_local(const client_record& client);
    void stop_reading_inbox(const std::string& id);
    void publish_retained(const std::string& id, std::string payload);
    void publish_node_up();
    void on_node(const std::string& node, std::string_view payload);
    void on_inbox(const std::string& id, std::string_view payload);
    void on_relay(std::string_view payload);
    // Tells the node that relayed a response whether this node held it.
    void reply_to_relay(const inbox_frame_reading& reading, bool held);
    void on_relay_reply(std::string_view payload);
    // A relay of ours that no node held: `unknown_command` for its device.
    void answer_held_nowhere(const relay_waits::held_nowhere& relay);
    void arm_relay_deadline();
    void on_relay_deadline();
    client_ptr local_ws_client(const std::string& id) const;
    // Hands Paho the oldest frames waiting, while the broker's window has room.
    void hand_out();
    bool publish_unacked(std::uint64_t seq, const publish_window::entry& entry);
    void on_published(const token_outcome& outcome);
    void resend_unacked();
    void forget_all_clients();
    void forget_client(const std::string& id, const std::string& session);
    void publish_table_counts();
    void note_error(std::string what);

    router& router_;
    bridge_options options_;
    const paho_build& paho_ = loaded_paho_build();
    frame_intake intake_;
    topic_map topics_;
    const std::string relay_topic_;        // topics_.relay_topic()
    const std::string relay_reply_topic_;  // topics_.relay_reply_topic(our node)
    strand_type strand_;
    std::shared_ptr<strand_handoff> handoff_;
    boost::asio::steady_timer retry_timer_;
    boost::asio::steady_timer watchdog_timer_;
    boost::asio::steady_timer ack_look_timer_;  // takes quiet PUBACKs (after_drain)
    boost::asio::steady_timer relay_timer_;     // the next relay deadline (relay_waits_)
    std::unique_ptr<mqtt::async_client> client_;
    mqtt::connect_options connect_options_;
    strand_listener connect_listener_;
    strand_listener subscribe_listener_;
    strand_listener publish_listener_;
    strand_listener probe_listener_;

    // Strand only.
    mqtt::token_ptr connect_token_;  // the current attempt's, for Paho's words on a failure
    reconnect_backoff backoff_;
    bool ever_connected_ = false;
    mqtt_client_table clients_;  // MQTT clients registered by us: records, rate buckets
    // This node's WebSocket clients, whose inboxes we read (scale-out).
    std::map<std::string, client_ptr, std::less<>> local_ws_;
    publish_window unacked_;  // frames until their PUBACK, at most a window handed to Paho
    bool relay_timer_armed_ = false;
    bool ack_look_armed_ = false;
    // Subscriptions of the current connection not yet acknowledged, and
    // that connection's number (the subscribe tokens carry it, so a late
    // answer for an older connection counts for nothing).
    int subscriptions_pending_ = 0;
    std::uintptr_t connection_number_ = 0;
    broker_watchdog watchdog_;
    std::vector<strand_event> handoff_batch_;  // the batch being drained

    // Any thread.
    std::atomic<bridge_state> state_{bridge_state::idle};
    std::atomic<bool> subscribed_{false};  // every subscription acknowledged (this connection)
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> reconnects_{0};
    std::atomic<std::uint64_t> connect_failures_{0};
    std::atomic<std::size_t> client_count_{0};
    std::atomic<std::size_t> unacked_count_{0};   // reserved by publish_inbox, freed on PUBACK
    std::atomic<std::size_t> send_window_{0};     // unacknowledged publishes handed at once
    std::atomic<std::uint64_t> window_waits_{0};  // frames that waited for a slot in it
    std::atomic<std::uint64_t> published_{0};
    std::atomic<std::uint64_t> refused_{0};  // deliveries refused (disconnected or full)
    std::atomic<std::uint64_t> resent_{0};
    std::atomic<std::uint64_t> expired_{0};    // unacked past the resend window, dropped
    std::atomic<std::uint64_t> abandoned_{0};  // handed to a broker that went silent, not resent
    std::atomic<std::uint64_t> silences_{0};   // connections the watchdog gave up on
    std::atomic<std::uint64_t> events_published_{0};
    // The other nodes whose `{prefix}/$nodes/{node}` says they are up, and
    // our relays awaiting their replies. Any thread (its own lock).
    relay_waits relay_waits_;
    // The cluster relay: relays published, and how ours ended: another
    // node held it, none did (answered unknown_command here; of those, at
    // the deadline), refused because too many waited; a node's `held` for
    // one already answered here (the device heard both).
    std::atomic<std::uint64_t> relays_published_{0};
    std::atomic<std::uint64_t> relays_held_elsewhere_{0};
    std::atomic<std::uint64_t> relays_answered_unknown_{0};
    std::atomic<std::uint64_t> relays_deadline_{0};
    std::atomic<std::uint64_t> relays_refused_full_{0};
    std::atomic<std::uint64_t> relays_held_too_late_{0};
    std::atomic<std::uint64_t> relay_replies_sent_{0};
    // Relays read: settled here, late here (the command had ended), or not
    // held here (another node's; our own coming back on MQTT 3.1.1).
    std::atomic<std::uint64_t> relays_settled_{0};
    std::atomic<std::uint64_t> relays_late_{0};
    std::atomic<std::uint64_t> relays_not_held_{0};
    // Not a relayed response or reply, or from a device unknown here.
    std::atomic<std::uint64_t> relays_invalid_{0};
    std::atomic<std::uint64_t> frames_in_{0};
    std::atomic<std::uint64_t> refused_topics_{0};       // topics whose ID breaks the rules
    std::atomic<std::uint64_t> unregistered_frames_{0};  // `out` from IDs with no online status
    std::atomic<std::uint64_t> statuses_refused_{0};     // invalid statuses, counted as offline
    std::atomic<std::uint64_t> flood_refused_{0};        // frames of IDs flooding past their rate
    // Lines that MQTT clients can cause once per message (refused topics and
    // statuses, failed publishes) are rate limited per reason.
    log_limiter logs_;
    mutable std::mutex error_mutex_;
    std::string last_error_;
};

}  // namespace switchboard
