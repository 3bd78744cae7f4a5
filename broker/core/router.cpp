#include "router.hpp"

#include <algorithm>
#include <chrono>

#include "cluster_status.hpp"
#include "endpoint.hpp"
#include "outbound_frame.hpp"

namespace switchboard {

using std::chrono::steady_clock;

namespace {

// Where the outcome of a command restored from the store goes while its
// controller has not registered since the restart: nowhere.
class absent_endpoint final : public endpoint {
public:
    bool deliver(frame_ptr) override { return false; }
    void close(unsigned short, std::string_view) override {}
};

std::int64_t system_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The `unknown_command` for a response no node holds: one text whether this
// node found nothing pending at once or the cluster did later.
frame_ptr held_nowhere_error(std::string_view controller, std::string_view id) {
    std::string message = "no command '";
    message.append(id).append("' from ").append(controller).append(" is pending for you");
    return make_error(error_code::unknown_command, message, id, "response");
}

}  // namespace

router_policy::router_policy(router_options o)
    : options(std::move(o)),
      access(options.access),
      limits_json(
          json_writer{}
              .integer("max_message_bytes", static_cast<std::int64_t>(options.max_message_bytes))
              .integer("max_pending_commands",
                       static_cast<std::int64_t>(options.max_pending_per_controller))
              .integer("command_timeout_default_ms", options.command_timeout_default.count())
              .integer("command_timeout_max_ms", options.command_timeout_max.count())
              .integer("max_subscriptions", static_cast<std::int64_t>(options.max_subscriptions))
              .integer("list_limit_max", static_cast<std::int64_t>(options.list_limit_max))
              .finish()) {}

router::router(router_options options, counters& stats)
    : policy_(std::make_shared<const router_policy>(std::move(options))), stats_(stats) {}

void router::set_options(router_options options) {
    options.node = policy_.load()->options.node;
    policy_.store(std::make_shared<const router_policy>(std::move(options)));
}

std::shared_ptr<const router_options> router::options() const {
    auto policy = policy_.load();
    return {policy, &policy->options};
}

bool router::send(const client_ptr& to, frame_ptr frame, outbound_type type,
                  const trace_context* trace) {
    stats_.sent(type);
    return trace ? to->link->deliver_traced(std::move(frame), *trace)
                 : to->link->deliver(std::move(frame));
}

void router::reply(const client_ptr& to, frame_ptr frame) {
    send(to, std::move(frame), outbound_type::error);
}

void router::to_controller(const client_ptr& fallback, frame_ptr frame, outbound_type type,
                           steady_time now) {
    auto policy = policy_.load();
    const recovery_limits& limits = policy->options.recovery;
    if (limits.window.count() <= 0) {
        send(fallback, std::move(frame), type);
        return;
    }
    auto routed = outbox_.route(fallback->id, frame, limits, now, system_now_ms());
    switch (routed.how) {
        case recovery_outbox::routed::live:
            send(routed.to, std::move(frame), type);
            break;
        case recovery_outbox::routed::kept:
            counters::add(stats_.recovery_kept);
            break;
        case recovery_outbox::routed::queued:
            break;  // attach() sends it, after what was kept
        case recovery_outbox::routed::overflow:
            // Counted here, logged by the gateway's tick: never silent.
            counters::add(stats_.recovery_overflow);
            break;
    }
}

trace_hop_sink* router::hop_sink() const noexcept {
    trace_hop_sink* sink = hops_.load(std::memory_order_acquire);
    return sink != nullptr && sink->wants_hops() ? sink : nullptr;
}

client_ptr router::register_client(const register_request& request, transport_kind via,
                                   std::shared_ptr<endpoint> link, std::string session,
                                   registered_reply answer, client_trust trust, steady_time now) {
    auto policy = policy_.load();
    auto record = std::make_shared<client_record>();
    record->id = request.id;
    record->role = request.role;
    record->via = via;
    record->trust = trust;
    record->session = std::move(session);
    record->meta_json = request.meta_json;
    record->since = std::chrono::system_clock::now();
    record->link = std::move(link);
    client_ptr client = record;

    auto result = registry_.insert(client, policy->options.duplicates);
    if (!result.accepted) {
        counters::add(stats_.registrations_rejected);
        send(client,
             make_error(error_code::id_taken,
                        request.id + (result.outranked ? " is held by an authenticated connection"
                                                       : " is already registered"),
                        {}, "register"),
             outbound_type::error);
        return nullptr;
    }
    counters::add(stats_.sessions_registered);
    if (result.replaced) {
        // The old connection hears 4003 and its cleanup will find the ID
        // belongs to us, so it announces no departure.
        counters::add(stats_.takeovers);
        result.replaced->link->close(close_code::replaced, "replaced by a newer connection");
    }
    if (answer == registered_reply::send) {
        send(client, make_registered(*client, policy->options.node, policy->limits_json),
             outbound_type::registered);
    }
    notify_followers(*client, true, result.seq,
                     result.replaced ? presence_reason::took_over : presence_reason::registered);
    if (client->role == client_role::device) send_queued(client, now);
    if (client->role == client_role::controller) {
        // What it missed while away, right after `registered`, in order.
        auto recovered = outbox_.attach(
            client, now, [&client](const frame_ptr& frame) { client->link->deliver(frame); });
        counters::add(stats_.recovery_delivered, recovered.sent);
        counters::add(stats_.recovery_expired, recovered.discarded);
    }
    return client;
}

client_ptr router::controller_now(const client_ptr& sent_by) const {
    client_ptr current = registry_.find(sent_by->id);
    return current && current->role == client_role::controller ? current : sent_by;
}

void router::send_queued(const client_ptr& device, steady_time now) {
    auto released =
        ledger_.release(*device, now, [this](const client_ptr& c) { return controller_now(c); });
    for (queued_command& command : released) {
        // As on_command: the ack before the command, which the device may answer at once.
        if (command.ack) {
            to_controller(command.controller, make_ack(command.id, "delivered"), outbound_type::ack,
                          now);
        }
        const trace_context* trace = command.trace ? &*command.trace : nullptr;
        if (!send(device, command.frame, outbound_type::command, trace)) {
            if (ledger_.cancel(command.controller->id, command.id)) {
                // An outcome of a queued command: kept if its controller is away.
                to_controller(
                    command.controller,
                    overloaded_refusal(
                        command.id, command.device + " is not keeping up; command not delivered"),
                    outbound_type::error, now);
            }
            continue;
        }
        counters::add(stats_.commands_accepted);
    }
}

void router::unregister_client(const client_ptr& client, presence_reason why, steady_time now) {
    followers_.remove_all(client);
    if (client->role == client_role::controller) {
        // With recovery on its commands run on: their outcomes wait for it.
        // Not when its ID is a device's now (an MQTT client's new role):
        // a new role carries nothing.
        client_ptr now_there = registry_.find(client->id);
        const bool role_changed = now_there && now_there->role != client_role::controller;
        const auto window =
            role_changed ? std::chrono::milliseconds(0) : policy_.load()->options.recovery.window;
        outbox_.leave(*client, window, now, system_now_ms());
        if (window.count() <= 0) {
            counters::add(stats_.commands_dropped, ledger_.drop_controller(*client));
        }
    }
    if (client->role == client_role::device) end_commands_of(*client, now);
    if (std::uint64_t seq = registry_.erase(client->id, client->session)) {
        notify_followers(*client, false, seq, why);
    }
}

void router::carry_over(const client_record& previous, const client_ptr& next) {
    // A new role starts afresh: what the old role was allowed may not carry.
    if (previous.role != next->role) return;
    followers_.hand_over(previous, next);
    if (next->role == client_role::device) {
        ledger_.move_device(previous, *next);
    } else {
        ledger_.move_controller(previous, next);
    }
}

void router::end_commands_of(const client_record& device, steady_time now) {
    // Handed to this connection and unanswered: whatever the device did with
    // them, this session can no longer answer, and a later one may not.
    for (auto& command : ledger_.take_device(device)) {
        counters::add(stats_.commands_device_disconnected);
        const trace_context* trace = command.trace ? &*command.trace : nullptr;
        to_controller(
            command.controller,
            make_failed_response(command.device, command.id, error_code::device_disconnected,
                                 command.device + " disconnected before answering; the command was "
                                                  "delivered and its result is unknown",
                                 trace),
            outbound_type::response, now);
        if (trace_hop_sink* hops = trace ? hop_sink() : nullptr) {
            hops->on_hop({trace_hop::outcome_sent, *trace, command.controller->id, command.device,
                          command.id, command.accepted(), steady_clock::now(),
                          "device_disconnected"});
        }
    }
}

void router::notify_followers(const client_record& subject, bool online, std::uint64_t seq,
                              presence_reason why) {
    auto followers = followers_.followers_of(subject.id);
    if (!followers.empty()) {
        frame_ptr frame = make_presence(subject, online, seq, why);
        for (const auto& f : followers) {
            if (f->session != subject.session) send(f, frame, outbound_type::presence);
        }
    }
    if (auto* o = observer_.load(std::memory_order_acquire)) o->on_presence(subject, online);
}

void router::route(const client_ptr& sender, const inbound_frame& frame, steady_time now) {
    static_assert(std::variant_size_v<inbound_frame> == inbound_type_count);
    counters::add(stats_.frames_routed[frame.index()]);
    struct visitor {
        router& r;
        const client_ptr& sender;
        steady_time now;
        void operator()(const register_request&) const {
            r.reply(sender, make_error(error_code::bad_request,
                                       "already registered as " + sender->id, {}, "register"));
        }
        void operator()(const command_request& f) const { r.on_command(sender, f, now); }
        void operator()(const response_request& f) const {
            r.settle_response(sender, f, response_source::device, now);
        }
        void operator()(const message_request& f) const { r.on_message(sender, f); }
        void operator()(const event_request& f) const { r.on_event(sender, f); }
        void operator()(const subscribe_request& f) const { r.on_subscribe(sender, f); }
        void operator()(const list_request& f) const { r.on_list(sender, f); }
        void operator()(const status_request& f) const { r.on_status(sender, f, now); }
        void operator()(const cancel_request& f) const { r.on_cancel(sender, f, now); }
    };
    std::visit(visitor{*this, sender, now}, frame);
}

void router::on_command(const client_ptr& sender, const command_request& command, steady_time now) {
    auto policy = policy_.load();
    auto fail = [&](error_code code, std::string message) {
        reply(sender, make_error(code, message, command.id, "command"));
    };
    if (sender->role != client_role::controller) {
        counters::add(stats_.forbidden);
        counters::add(stats_.commands_refused_forbidden);
        return fail(error_code::forbidden, "only controllers may send commands");
    }
    // The ACL first: `offline` would tell a sender the rules refuse whether
    // the target is connected.
    if (!policy->access.allows_some_role(access_action::command, *sender, command.to,
                                         command.name)) {
        counters::add(stats_.forbidden);
        counters::add(stats_.commands_refused_forbidden);
        return fail(error_code::forbidden,
                    "you may not send '" + command.name + "' to " + command.to);
    }
    client_ptr target = registry_.find(command.to);
    if (!target && command.ttl_ms) return queue_command(sender, command, *policy, now);
    if (!target) {
        counters::add(stats_.offline_errors);
        counters::add(stats_.commands_refused_offline);
        return fail(error_code::offline, command.to + " is not connected");
    }
    if (target->role != client_role::device) {
        counters::add(stats_.forbidden);
        counters::add(stats_.commands_refused_forbidden);
        return fail(error_code::forbidden, "commands may only be sent to devices");
    }
    if (!policy->access.allows(access_action::command, *sender, target->id, target->role,
                               command.name)) {
        counters::add(stats_.forbidden);
        counters::add(stats_.commands_refused_forbidden);
        return fail(error_code::forbidden,
                    "you may not send '" + command.name + "' to " + command.to);
    }

    auto timeout = command.timeout_ms ? std::chrono::milliseconds(*command.timeout_ms)
                                      : policy->options.command_timeout_default;
    timeout = std::min(timeout, policy->options.command_timeout_max);
    // The gateway is a hop of the trace: the device sees the gateway's own
    // span as its parent, with the controller's trace-id and flags.
    std::optional<trace_context> trace;
    if (command.trace) trace = command.trace->with_parent(next_span_id());
    pending_command pending{sender,  command.id,    target->id, target->session,
                            timeout, now + timeout, trace};
    switch (ledger_.add(std::move(pending), policy->options.max_pending_per_controller)) {
        case command_ledger::add_result::added:
            break;
        case command_ledger::add_result::duplicate_id:
            return refuse_duplicate(sender, command.id);
        case command_ledger::add_result::too_many:
            return refuse_overloaded(
                sender, command.id,
                "too many commands in flight (max " +
                    std::to_string(policy->options.max_pending_per_controller) + ")");
    }
    trace_hop_sink* hops = trace ? hop_sink() : nullptr;
    auto hop = [&](trace_hop what, steady_time at, std::string_view detail) {
        hops->on_hop({what, *trace, sender->id, target->id, command.id, now, at, detail});
    };
    if (hops) hop(trace_hop::accepted, now, {});
    // The device may answer on its own thread as soon as it holds the command,
    // so the ack is queued first: after the delivery it could trail the response.
    if (command.ack) send(sender, make_ack(command.id, "delivered"), outbound_type::ack);
    const trace_context* sent_trace = trace ? &*trace : nullptr;
    // Timed before the hand-off: once the device's connection holds the
    // command, its answer (on another thread) may be logged before this hop.
    const steady_time handed = hops ? steady_clock::now() : now;
    if (!send(target, make_command(sender->id, command, sent_trace), outbound_type::command,
              sent_trace)) {
        // Refused, so it will never be answered: this error is its one outcome.
        if (ledger_.cancel(sender->id, command.id)) {
            counters::add(stats_.overloaded_errors);
            counters::add(stats_.commands_refused_overloaded);
            fail(error_code::overloaded, command.to + " is not keeping up; command not delivered");
            if (hops) hop(trace_hop::outcome_sent, steady_clock::now(), "overloaded");
        }
        return;
    }
    if (hops) hop(trace_hop::handed_to_device, handed, to_string(target->via));
    counters::add(stats_.commands_accepted);
}

router::settlement router::settle_response(const client_ptr& sender,
                                           const response_request& response, response_source source,
                                           steady_time now) {
    auto taken = ledger_.take(response.to, response.id, sender->id, sender->session,
                              response.ok ? command_state::succeeded : command_state::failed, now);
    if (taken.status != command_ledger::take_status::unknown) {
        settle(sender, response, taken, now);
        return taken.status == command_ledger::take_status::found ? settlement::settled
                                                                  : settlement::late;
    }
    // Every node hears a broadcast: the one that holds the command answers,
    // the others tell only the relaying node (the bridge's reply), which
    // answers the device when no node held it; none passes it on.
    if (source != response_source::broadcast_relay) pass_on(sender, response, source);
    return settlement::not_held;
}

void router::answer_held_nowhere(const client_ptr& device, std::string_view controller,
                                 std::string_view id) {
    counters::add(stats_.unknown_responses);
    if (device) reply(device, held_nowhere_error(controller, id));
}

void router::pass_on(const client_ptr& sender, const response_request& response,
                     response_source source) {
    // The answer that could not be passed on: the bridge is down or its
    // window of unacknowledged publishes is full (it counted the refusal),
    // and the command ends on the node that holds it as `timeout`.
    auto lost = [&] {
        counters::add(stats_.overloaded_errors);
        reply(sender, make_error(error_code::overloaded,
                                 "the answer could not be passed on to the node holding " +
                                     response.to + "'s command; it will end there as timeout",
                                 response.id, "response"));
    };
    client_ptr controller = registry_.find(response.to);
    const bool to_controller_id = !controller || controller->role == client_role::controller;
    if (to_controller_id && controller && is_remote_session(controller->session) &&
        source == response_source::device) {
        // Scale-out: the command was most likely sent from the controller's
        // own node (an MQTT device's answer reaches any node through the
        // shared subscription). Relayed to the controller's inbox, where its
        // node settles it as from this device, or passes it on to every
        // node (docs/scaling.md).
        if (!send(controller, make_relayed_response(sender->id, response),
                  outbound_type::response)) {
            lost();
        }
        return;
    }
    // Nothing says which node holds the command: an MQTT controller's went
    // to whichever node the shared subscription chose; a controller that
    // moved to this node (a restart) or is away left its commands where it
    // sent them. Every node hears the relay and the one holding the command
    // settles it; each tells this node's bridge whether it held it, and the
    // bridge answers `unknown_command` here when none did (relay_waits.hpp).
    // With no other node up, the command cannot be elsewhere: unknown, as
    // on one node. `refused` also covers too many relays awaiting replies.
    cluster_relay* relay = relay_.load(std::memory_order_acquire);
    if (relay && to_controller_id) {
        switch (relay->relay_response(sender, response)) {
            case cluster_relay::outcome::published:
                return;
            case cluster_relay::outcome::refused:
                return lost();
            case cluster_relay::outcome::no_peers:
                break;
        }
    }
    answer_held_nowhere(sender, response.to, response.id);
}

void router::settle(const client_ptr& sender, const response_request& response,
                    const command_ledger::take_result& taken, steady_time now) {
    if (taken.status == command_ledger::take_status::found) {
        counters::add(stats_.commands_answered);
        const pending_command& command = *taken.command;
        record_latency(command, response.ok ? command_outcome::ok : command_outcome::error, now);
        // The device's own traceparent when it continues the command's trace
        // (it may name its span as parent); else the one the device was sent.
        const trace_context* trace = response.trace ? &*response.trace : nullptr;
        if (command.trace && (trace == nullptr || !trace->same_trace(*command.trace))) {
            trace = &*command.trace;
        }
        trace_hop_sink* hops = command.trace ? hop_sink() : nullptr;
        auto hop = [&](trace_hop what, steady_time at, std::string_view detail) {
            hops->on_hop({what, *command.trace, command.controller->id, command.device, command.id,
                          command.accepted(), at, detail});
        };
        if (hops) hop(trace_hop::response_received, now, {});
        to_controller(command.controller, make_response(sender->id, response, trace),
                      outbound_type::response, now);
        if (hops) hop(trace_hop::outcome_sent, steady_clock::now(), response.ok ? "ok" : "error");
        return;
    }
    counters::add(stats_.late_responses);
    reply(sender,
          make_error(error_code::unknown_command,
                     "command '" + response.id + "' already " +
                         (taken.ended == command_state::timeout
                              ? "timed out"
                              : "ended: " + sender->id + " disconnected before answering it") +
                         "; the answer was dropped",
                     response.id, "response"));
}

void router::on_message(const client_ptr& sender, const message_request& message) {
    auto policy = policy_.load();
    std::string_view id = message.id ? std::string_view(*message.id) : std::string_view{};
    if (!policy->access.allows_some_role(access_action::message, *sender, message.to, {})) {
        counters::add(stats_.forbidden);
        return reply(sender, make_error(error_code::forbidden, "you may not message " + message.to,
                                        id, "message"));
    }
    client_ptr target = registry_.find(message.to);
    if (!target) {
        counters::add(stats_.offline_errors);
        return reply(sender, make_error(error_code::offline, message.to + " is not connected", id,
                                        "message"));
    }
    if (!policy->access.allows(access_action::message, *sender, target->id, target->role, {})) {
        counters::add(stats_.forbidden);
        return reply(sender, make_error(error_code::forbidden, "you may not message " + message.to,
                                        id, "message"));
    }
    if (!send(target, make_message(sender->id, message), outbound_type::message)) {
        counters::add(stats_.overloaded_errors);
        return reply(sender, make_error(error_code::overloaded,
                                        message.to + " is not keeping up; message not delivered",
                                        id, "message"));
    }
    counters::add(stats_.messages_routed);
}

void router::on_event(const client_ptr& sender, const event_request& event) {
    counters::add(stats_.events_received);
    auto followers = followers_.followers_of(sender->id);
    if (!followers.empty()) {
        frame_ptr frame = make_event(sender->id, event);
        for (const auto& f : followers) {
            if (f->session != sender->session) send(f, frame, outbound_type::event);
        }
    }
    if (auto* o = observer_.load(std::memory_order_acquire)) o->on_event(*sender, event);
}

void router::on_subscribe(const client_ptr& sender, const subscribe_request& request) {
    auto policy = policy_.load();
    std::string_view request_id = request.id ? std::string_view(*request.id) : std::string_view{};
    if (request.subscribe) {
        for (const auto& pattern : request.patterns) {
            if (!policy->access.allows_observe(*sender, pattern, std::nullopt)) {
                counters::add(stats_.forbidden);
                return reply(sender,
                             make_error(error_code::forbidden, "you may not observe " + pattern,
                                        request_id, "subscribe"));
            }
        }
        if (!followers_.add(sender, request.patterns, policy->options.max_subscriptions)) {
            std::string_view id = request.id ? std::string_view(*request.id) : std::string_view{};
            return reply(sender, make_error(frame_error{
                                     error_code::bad_request,
                                     "too many subscriptions (max " +
                                         std::to_string(policy->options.max_subscriptions) + ")",
                                     "ids", "subscribe", std::string(id)}));
        }
    } else {
        followers_.remove(sender, request.patterns);
    }
    send(sender, make_subscribed(request), outbound_type::subscribed);
}

void router::on_list(const client_ptr& sender, const list_request& request) {
    auto policy = policy_.load();
    std::string pattern = request.prefix + "*";
    if (!policy->access.allows_observe(*sender, pattern, request.role)) {
        counters::add(stats_.forbidden);
        std::string_view id = request.id ? std::string_view(*request.id) : std::string_view{};
        return reply(sender,
                     make_error(error_code::forbidden, "you may not list " + pattern, id, "list"));
    }
    list_filter filter{request.role, request.prefix, request.after};
    std::size_t limit = std::min(request.limit.value_or(policy->options.list_limit_default),
                                 policy->options.list_limit_max);
    bool more = false;
    auto items = registry_.list(filter, limit, more);
    // What each item adds to the page: its ID and meta, plus the fixed fields.
    constexpr std::size_t item_overhead = 96;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        bytes += item_overhead + items[i]->id.size() + items[i]->meta_json.size();
        if (bytes > policy->options.list_max_bytes && i > 0) {
            items.resize(i);
            more = true;
            break;
        }
    }
    send(sender, make_list(items, more, request.id), outbound_type::list);
}

void router::on_status(const client_ptr& sender, const status_request& request, steady_time now) {
    if (sender->role != client_role::controller) {
        counters::add(stats_.forbidden);
        return reply(sender, make_error(error_code::forbidden,
                                        "only controllers may ask for a command's status",
                                        request.id, "status"));
    }
    // Looked up under the sender's own ID: another controller's command with
    // this ID is as unknown as one that never was.
    auto status = ledger_.status(sender->id, request.id, now);
    frame_ptr answer = status ? make_status(request.id, to_string(status->state), status->device)
                              : make_status(request.id, "unknown", {});
    send(sender, std::move(answer), outbound_type::status);
}

void router::refuse_duplicate(const client_ptr& sender, const std::string& id) {
    counters::add(stats_.commands_refused_duplicate);
    reply(sender, make_error(frame_error{error_code::bad_request,
                                         "a command with id '" + id + "' is already pending", "id",
                                         "command", id}));
}

frame_ptr router::overloaded_refusal(const std::string& id, std::string message) {
    counters::add(stats_.overloaded_errors);
    counters::add(stats_.commands_refused_overloaded);
    return make_error(error_code::overloaded, message, id, "command");
}

void router::refuse_overloaded(const client_ptr& sender, const std::string& id,
                               std::string message) {
    reply(sender, overloaded_refusal(id, std::move(message)));
}

void router::queue_command(const client_ptr& sender, const command_request& command,
                           const router_policy& policy, steady_time now) {
    // Only a device can be queued for: the ACL is asked as for one.
    if (!policy.access.allows(access_action::command, *sender, command.to, client_role::device,
                              command.name)) {
        counters::add(stats_.forbidden);
        counters::add(stats_.commands_refused_forbidden);
        return reply(sender, make_error(error_code::forbidden,
                                        "you may not send '" + command.name + "' to " + command.to,
                                        command.id, "command"));
    }
    auto timeout = command.timeout_ms ? std::chrono::milliseconds(*command.timeout_ms)
                                      : policy.options.command_timeout_default;
    timeout = std::min(timeout, policy.options.command_timeout_max);
    std::optional<trace_context> trace;
    if (command.trace) trace = command.trace->with_parent(next_span_id());
    queued_command queued{sender,
                          command.id,
                          command.to,
                          timeout,
                          now + std::chrono::milliseconds(*command.ttl_ms),
                          make_command(sender->id, command, trace ? &*trace : nullptr),
                          command.ack,
                          trace,
                          system_now_ms() + *command.ttl_ms};
    const queue_limits limits{policy.options.max_queued_per_device,
                              policy.options.max_queued_bytes};
    // With a store, the ack waits for the row's commit (on_stored): `queued`
    // promises the command survives a restart.
    command_store::done_fn on_durable;
    if (ledger_.has_store()) {
        on_durable = [this, sender, id = command.id, device = command.to, now](bool durable) {
            on_stored(sender, id, device, durable, now);
        };
    }
    switch (ledger_.enqueue(std::move(queued), limits, std::move(on_durable))) {
        case command_ledger::enqueue_result::queued:
            break;
        case command_ledger::enqueue_result::duplicate_id:
            return refuse_duplicate(sender, command.id);
        case command_ledger::enqueue_result::device_full:
            return refuse_overloaded(
                sender, command.id,
                command.to + " is offline with " +
                    std::to_string(policy.options.max_queued_per_device) +
                    " commands queued (limits.max_queued_per_device); command not queued");
        case command_ledger::enqueue_result::gateway_full:
            return refuse_overloaded(sender, command.id,
                                     "the gateway's queue for offline devices is full "
                                     "(limits.max_queued_bytes); command not queued");
    }
    counters::add(stats_.commands_queued);
    if (ledger_.has_store()) return;
    send(sender, make_ack(command.id, "queued"), outbound_type::ack);
    // The device may have registered between the lookup and the enqueue:
    // what is queued for an online device goes now.
    if (client_ptr online = registry_.find(command.to);
        online && online->role == client_role::device) {
        send_queued(online, now);
    }
}

void router::on_stored(const client_ptr& sender, const std::string& id, const std::string& device,
                       bool durable, steady_time queued_at) {
    if (!durable) {
        // Never acknowledged, so it was never promised: it goes, with an error.
        if (ledger_.withdraw_queued(sender->id, id)) {
            to_controller(controller_now(sender),
                          make_error(error_code::internal,
                                     "the command could not be stored (store.path); not queued", id,
                                     "command"),
                          outbound_type::error, steady_clock::now());
        }
        return;
    }
    // Cancelled or expired before its row was committed: that was its outcome.
    if (!ledger_.mark_durable(sender->id, id)) return;
    to_controller(controller_now(sender), make_ack(id, "queued"), outbound_type::ack,
                  steady_clock::now());
    // Its device may have registered meanwhile: what waited on this row goes now.
    if (client_ptr online = registry_.find(device); online && online->role == client_role::device) {
        // As of when it was queued (the clock the caller drives): a commit
        // takes well under the smallest timeout that matters.
        send_queued(online, queued_at);
    }
}

command_ledger::restored router::use_store(command_store& store, steady_time now,
                                           std::int64_t now_ms) {
    store_ = &store;
    ledger_.set_store(&store);
    outbox_.set_store(&store);
    auto absent = std::make_shared<absent_endpoint>();
    return ledger_.restore(store.load(), now, now_ms, [&absent](const std::string& controller) {
        auto record = std::make_shared<client_record>();
        record->id = controller;
        record->role = client_role::controller;
        record->link = absent;
        return client_ptr(record);
    });
}

recovery_outbox::restored router::restore_outcomes(steady_time now, std::int64_t now_ms) {
    return store_ ? outbox_.restore(store_->load_outcomes(), now, now_ms)
                  : recovery_outbox::restored{};
}

void router::on_cancel(const client_ptr& sender, const cancel_request& request, steady_time now) {
    if (sender->role != client_role::controller) {
        counters::add(stats_.forbidden);
        return reply(sender,
                     make_error(error_code::forbidden, "only controllers may cancel commands",
                                request.id, "cancel"));
    }
    // Under the sender's own ID, as status: another's command is unknown.
    auto result = ledger_.cancel_queued(sender->id, request.id, now);
    switch (result.status) {
        case command_ledger::cancel_status::cancelled: {
            counters::add(stats_.commands_cancelled);
            const queued_command& command = *result.command;
            send(sender,
                 make_failed_response(command.device, command.id, error_code::cancelled,
                                      "cancelled before it was sent to " + command.device,
                                      command.trace ? &*command.trace : nullptr),
                 outbound_type::response);
            return;
        }
        case command_ledger::cancel_status::already_sent:
            return reply(sender, make_error(error_code::already_sent,
                                            "command '" + request.id +
                                                "' was already sent to its device; only a "
                                                "queued command can be cancelled",
                                            request.id, "cancel"));
        case command_ledger::cancel_status::unknown:
            return reply(sender, make_error(error_code::unknown_command,
                                            "no queued command '" + request.id + "' of yours",
                                            request.id, "cancel"));
    }
}

void router::clear() {
    ledger_.clear();
    outbox_.clear();
    followers_.clear();
    registry_.clear();
}

void router::expire_commands(steady_time now) {
    for (auto& command : ledger_.take_expired_queued(now)) {
        counters::add(stats_.commands_expired);
        const trace_context* trace = command.trace ? &*command.trace : nullptr;
        to_controller(
            controller_now(command.controller),
            make_failed_response(command.device, command.id, error_code::expired,
                                 command.device + " did not come online within ttl_ms; the "
                                                  "command was never sent",
                                 trace),
            outbound_type::response, now);
    }
    for (auto& command : ledger_.take_expired(now)) {
        counters::add(stats_.command_timeouts);
        record_latency(command, command_outcome::timeout, now);
        const trace_context* trace = command.trace ? &*command.trace : nullptr;
        to_controller(command.controller,
                      make_failed_response(command.device, command.id, error_code::timeout,
                                           command.device + " did not answer within " +
                                               std::to_string(command.timeout.count()) + " ms",
                                           trace),
                      outbound_type::response, now);
        if (trace_hop_sink* hops = trace ? hop_sink() : nullptr) {
            hops->on_hop({trace_hop::outcome_sent, *trace, command.controller->id, command.device,
                          command.id, command.accepted(), now, "timeout"});
        }
    }
    for (auto& ended : outbox_.take_expired(now)) {
        counters::add(stats_.recovery_expired, ended.discarded);
        // Nobody came back for them: they go as if dropped with their
        // controller, except those its current connection (if any) sent.
        counters::add(
            stats_.commands_dropped, ledger_.drop_orphans(ended.controller, [this, &ended] {
                client_ptr now_there = registry_.find(ended.controller);
                return now_there && now_there->role == client_role::controller ? now_there->session
                                                                               : std::string{};
            }));
    }
}

void router::record_latency(const pending_command& command, command_outcome outcome,
                            steady_time now) {
    // accepted() is deadline - timeout: no second clock read on the command path.
    stats_.command_latency[static_cast<std::size_t>(outcome)].record(
        std::chrono::duration_cast<std::chrono::microseconds>(now - command.accepted()));
}

}  // namespace switchboard
