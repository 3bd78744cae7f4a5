#pragma once
// The router: what happens to each frame a registered client sends. Plain
// logic over the registry, the follower table and the pending commands,
// reaching clients only through their `endpoint`, so tests drive it with
// fake endpoints and no sockets, and the MQTT bridge plugs in as one more
// kind of endpoint.
// Thread-safe: called concurrently by every session's thread.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "access_rules.hpp"
#include "client_record.hpp"
#include "cluster_relay.hpp"
#include "command_ledger.hpp"
#include "counters.hpp"
#include "endpoint.hpp"
#include "follower_table.hpp"
#include "inbound_frame.hpp"
#include "presence_reason.hpp"
#include "recovery_outbox.hpp"
#include "registry.hpp"
#include "snapshot_cell.hpp"
#include "trace_hops.hpp"

namespace switchboard {

struct router_options {
    std::string node = "switchboard";
    duplicate_policy duplicates = duplicate_policy::takeover;
    std::chrono::milliseconds command_timeout_default{30000};
    std::chrono::milliseconds command_timeout_max{300000};
    std::size_t max_pending_per_controller = 1024;
    // Commands with ttl_ms waiting for offline devices: per device, and
    // the bytes they hold in all.
    std::size_t max_queued_per_device = 100;
    std::size_t max_queued_bytes = 16u << 20;
    std::size_t max_subscriptions = 256;
    std::size_t list_limit_default = 100;
    std::size_t list_limit_max = 1000;
    // A `list` page stops before its items' text passes this (`more` is then
    // true): with meta, a count cap alone lets one page outgrow a reader's queue.
    std::size_t list_max_bytes = 262144;
    std::size_t max_message_bytes = 65536;
    // Controller recovery: how long a controller's outcomes are kept after it
    // leaves, and how many (window 0: none, and its commands go with it).
    recovery_limits recovery;
    access_options access;  // who may command or message whom (acl section)

    bool operator==(const router_options&) const = default;
};

// What the router decides by: its options and the ACL built from them,
// replaced whole by router::set_options() (a reload).
struct router_policy {
    explicit router_policy(router_options o);

    router_options options;
    access_rules access;
    std::string limits_json;  // the `limits` object of `registered`
};

// Told of what other parts (the MQTT bridge) may want to mirror: presence
// changes and device events. Called on the thread that caused them; must not
// block.
class router_observer {
public:
    virtual ~router_observer() = default;
    virtual void on_presence(const client_record& client, bool online) = 0;
    virtual void on_event(const client_record& from, const event_request& event) = 0;
};

// Whether register_client answers a successful registration. A WebSocket
// client asked and waits for `registered`; an MQTT client registered by its
// retained status asked nothing, so its inbox is spared the reply (errors
// such as `id_taken` are still sent).
enum class registered_reply { send, skip };

class router {
public:
    router(router_options options, counters& stats);

    // Registers a client and answers it (`registered` or an error) through
    // `link`. Returns its record, or nullptr when refused. `trust` says
    // whether the claim was checked against a credential (registry::insert).
    // A device is then sent the commands queued for it (ttl_ms), in order,
    // as of `now`.
    client_ptr register_client(const register_request& request, transport_kind via,
                               std::shared_ptr<endpoint> link, std::string session,
                               registered_reply reply = registered_reply::send,
                               client_trust trust = client_trust::unauthenticated,
                               steady_time now = std::chrono::steady_clock::now());

    // The client's connection is gone: forget its follows; a device's
    // commands end at once as `device_disconnected`; a controller's run on
    // and their outcomes are kept for its ID for the recovery window
    // (limits.recovery_window_ms; with 0 they are dropped); followers hear
    // it left unless a newer session took its ID over.
    void unregister_client(const client_ptr& client, presence_reason why = presence_reason::closed,
                           steady_time now = std::chrono::steady_clock::now());

    // `next` replaced `previous` for the same client on the same connection
    // (an MQTT client published a status with a new meta): with the same
    // role, its follows and its commands (a device's to answer, a
    // controller's to hear answered) are `next`'s; a new role carries
    // nothing. Call before unregister_client(previous).
    void carry_over(const client_record& previous, const client_ptr& next);

    // Routes one frame from a registered client.
    void route(const client_ptr& sender, const inbound_frame& frame, steady_time now);

    // Where a response reached this node from: its device (route), or
    // another node that relayed it (docs/scaling.md), from that node's
    // record of its device, to the inbox of its controller, this node's
    // client (`inbox_relay`), or to every node on the cluster relay topic
    // (`broadcast_relay`, cluster_relay.hpp).
    enum class response_source { device, inbox_relay, broadcast_relay };
    enum class settlement { settled, late, not_held };
    // Every response, however it reached this node: the one place that takes
    // its command from the ledger. Settled when this node holds its command,
    // answered as late when that command already ended here. Otherwise a
    // device's own response or an inbox relay is passed on to the node that
    // may hold it (never to an inbox again), and a broadcast is left alone:
    // every node hears it, and each that does not hold it tells only the
    // relaying node so, whose bridge answers the device when none held it
    // (answer_held_nowhere).
    settlement settle_response(const client_ptr& sender, const response_request& response,
                               response_source source, steady_time now);

    // A response this node relayed to every node and no node held (the
    // bridge's relay_waits, later and on its thread): `unknown_command` for
    // `device`, counted and worded as one node answers at once. `device` is
    // its record when it answered; null when it has gone (still counted).
    void answer_held_nowhere(const client_ptr& device, std::string_view controller,
                             std::string_view id);

    // Writes queued commands through `store` (see command_ledger) and queues
    // again what it holds from before a restart, as of `now` (steady) and
    // `now_ms` (system_clock ms). At start-up, before any client registers;
    // the store must outlive the router's use (its thread calls back in).
    command_ledger::restored use_store(command_store& store, steady_time now, std::int64_t now_ms);

    // Keeps again the outcomes the store kept for away controllers (after
    // use_store), each until its own deadline.
    recovery_outbox::restored restore_outcomes(steady_time now, std::int64_t now_ms);

    // Answers every command past its deadline with a `timeout` response,
    // and every queued one past its TTL with an `expired` one; ends the
    // recovery windows that passed (their kept outcomes are discarded and
    // their controllers' commands still in flight dropped).
    void expire_commands(steady_time now);

    // Drops every record, subscription and pending command, with no frames
    // sent: for shutdown, once the I/O threads have stopped, so the sessions
    // the records hold die while their io_context still exists.
    void clear();

    // May be called while frames are being routed; the observer must stay
    // alive until the I/O threads have stopped.
    void set_observer(router_observer* observer) noexcept {
        observer_.store(observer, std::memory_order_release);
    }

    // Where responses for commands this node does not hold are relayed when
    // nothing names the node that holds them (the MQTT bridge); null: none,
    // as on one node.
    // Like the observer, it must outlive the I/O threads.
    void set_cluster_relay(cluster_relay* relay) noexcept {
        relay_.store(relay, std::memory_order_release);
    }

    // Who hears the hops of traced commands (trace_hops.hpp); null for
    // nobody. Like the observer, it must outlive the I/O threads.
    void set_trace_hop_sink(trace_hop_sink* sink) noexcept {
        hops_.store(sink, std::memory_order_release);
    }

    // Replaces the ACL, limits and timeouts for every frame from now on
    // (a reload); a frame being routed keeps the policy it started with.
    // `node` is kept: a client's `registered` must not name another.
    void set_options(router_options options);

    // The options in force now.
    std::shared_ptr<const router_options> options() const;
    const registry& clients() const noexcept { return registry_; }
    const command_ledger& ledger() const noexcept { return ledger_; }
    const recovery_outbox& outbox() const noexcept { return outbox_; }
    counters& stats() noexcept { return stats_; }

private:
    void end_commands_of(const client_record& device, steady_time now);
    void on_command(const client_ptr& sender, const command_request& command, steady_time now);
    // A response whose command the ledger found (answered) or had ended (late).
    void settle(const client_ptr& sender, const response_request& response,
                const command_ledger::take_result& taken, steady_time now);
    // A response whose command this node does not hold: relayed to the node
    // that may hold it, or `unknown_command` for the device.
    void pass_on(const client_ptr& sender, const response_request& response,
                 response_source source);
    void on_message(const client_ptr& sender, const message_request& message);
    void on_event(const client_ptr& sender, const event_request& event);
    void on_subscribe(const client_ptr& sender, const subscribe_request& request);
    void on_list(const client_ptr& sender, const list_request& request);
    void on_status(const client_ptr& sender, const status_request& request, steady_time now);
    void on_cancel(const client_ptr& sender, const cancel_request& request, steady_time now);
    // Queues a ttl_ms command for its offline device `to` (on_command's tail).
    void queue_command(const client_ptr& sender, const command_request& command,
                       const router_policy& policy, steady_time now);
    // The refusals on_command and queue_command share, with their counters.
    void refuse_duplicate(const client_ptr& sender, const std::string& id);
    void refuse_overloaded(const client_ptr& sender, const std::string& id, std::string message);
    // Counts an `overloaded` refusal of command `id` and makes its error frame.
    frame_ptr overloaded_refusal(const std::string& id, std::string message);
    // A queued command's row was committed (or failed): on the store's thread.
    void on_stored(const client_ptr& sender, const std::string& id, const std::string& device,
                   bool durable, steady_time queued_at);
    // Sends a device that registered the commands queued for it.
    void send_queued(const client_ptr& device, steady_time now);
    // The connection a queued command's outcome goes to: its controller ID's
    // current one, else the one that sent it (gone: the frame goes nowhere).
    client_ptr controller_now(const client_ptr& sent_by) const;

    // Delivers `frame` to `to` and counts it as sent; false when refused.
    // A traced command goes with its `trace` (endpoint::deliver_traced).
    bool send(const client_ptr& to, frame_ptr frame, outbound_type type,
              const trace_context* trace = nullptr);
    // Sends an error frame.
    void reply(const client_ptr& to, frame_ptr frame);
    // Sends a command's outcome (response, ack, error) to its controller:
    // with recovery on, to its ID's connection, or kept while it is away;
    // else to `fallback`, as before recovery.
    void to_controller(const client_ptr& fallback, frame_ptr frame, outbound_type type,
                       steady_time now);
    void record_latency(const pending_command& command, command_outcome outcome, steady_time now);
    void notify_followers(const client_record& subject, bool online, std::uint64_t seq,
                          presence_reason why);
    // The sink, if it wants hops now; else null.
    trace_hop_sink* hop_sink() const noexcept;

    snapshot_cell<router_policy> policy_;
    counters& stats_;
    registry registry_;
    follower_table followers_;
    command_ledger ledger_;
    recovery_outbox outbox_;
    command_store* store_ = nullptr;  // set at start-up (use_store)
    std::atomic<router_observer*> observer_{nullptr};
    std::atomic<trace_hop_sink*> hops_{nullptr};
    std::atomic<cluster_relay*> relay_{nullptr};
};

}  // namespace switchboard
