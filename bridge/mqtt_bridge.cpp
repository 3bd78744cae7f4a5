#include "mqtt_bridge.hpp"

#include <MQTTAsync.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <stdexcept>
#include <string_view>

#include "broker_socket_nodelay.hpp"
#include "core/cluster_status.hpp"
#include "core/connection_log.hpp"
#include "core/log_text.hpp"
#include "core/outbound_frame.hpp"
#include "mqtt_endpoint.hpp"

namespace switchboard {
namespace {

constexpr int qos_at_least_once = 1;
constexpr std::string_view node_down_payload = R"({"online":false})";
constexpr int qos_at_most_once = 0;
// PUBACK/SUBACK reason codes at or above this are refusals (MQTT 5 §2.4).
constexpr int first_failure_reason = 0x80;

// A token settled by the broker itself, success or refusal: proof that it
// is alive, unlike a failure of the connection (reason code 0).
bool broker_answered(bool ok, int reason_code) { return ok || reason_code >= first_failure_reason; }

// Paho C's words for a connection that closed while it waited for the
// CONNACK, which is what a broker that cannot parse an MQTT 5 CONNECT does.
constexpr std::string_view closed_before_connack = "TCP connect completion failure";

// Paho's own words for a failed token: its return code alone says "Failure"
// for a port nobody listens on and for a broker that dropped the CONNECT.
std::string failure_message(const mqtt::token_ptr& token, int return_code) {
    if (token) {
        try {
            token->try_wait();  // complete: throws what Paho said
        } catch (const mqtt::exception& e) {
            if (!e.get_message().empty()) return e.get_message();
        }
    }
    return mqtt::exception::error_str(return_code);
}

int paho_version(mqtt_version v) {
    return v == mqtt_version::v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
}

mqtt::connect_options make_connect_options(const bridge_options& o) {
    mqtt::connect_options_builder b;
    b.mqtt_version(paho_version(o.mqtt.version))
        .keep_alive_interval(o.mqtt.keepalive)
        .connect_timeout(o.mqtt.connect_timeout)
        // The bridge reconnects itself: it must resubscribe and resend on
        // every connection, and report each attempt.
        .automatic_reconnect(false);
    // A clean session each time: the bridge resubscribes and resends what it
    // still holds itself, so a stale broker session would only deliver
    // duplicates.
    if (o.mqtt.version == mqtt_version::v5) {
        b.clean_start(true);
    } else {
        b.clean_session(true);
    }
    // Scale-out: the broker tells the other nodes when this one dies.
    b.will(mqtt::message(topic_map(o.mqtt.topic_prefix).node_topic(o.node),
                         std::string(node_down_payload), qos_at_least_once, true));
    if (!o.mqtt.username.empty()) b.user_name(o.mqtt.username);
    if (!o.mqtt.password.empty()) b.password(o.mqtt.password);
    if (o.tls) {
        mqtt::ssl_options_builder ssl;
        if (!o.mqtt.tls.ca_file.empty()) ssl.trust_store(o.mqtt.tls.ca_file);
        if (!o.mqtt.tls.cert_file.empty()) ssl.key_store(o.mqtt.tls.cert_file);
        if (!o.mqtt.tls.key_file.empty()) ssl.private_key(o.mqtt.tls.key_file);
        if (!o.mqtt.tls.key_password.empty()) ssl.private_keypassword(o.mqtt.tls.key_password);
        ssl.enable_server_cert_auth(o.mqtt.tls.verify).verify(o.mqtt.tls.verify);
        b.ssl(ssl.finalize());
    }
    return b.finalize();
}

// The MQTT 5 user property that carries a command's traceparent (mqtt.md).
constexpr std::string_view traceparent_key = "traceparent";
// Past this many user properties a message's are not searched further.
constexpr int max_user_properties_read = 16;

// The value of the first user property `traceparent`, viewed where Paho
// keeps it; empty when there is none (always, on MQTT 3.1.1).
std::string_view carried_traceparent(const mqtt::properties& props) {
    auto* c = const_cast<MQTTProperties*>(&props.c_struct());
    for (int i = 0; i < max_user_properties_read; ++i) {
        const MQTTProperty* p = MQTTProperties_getPropertyAt(c, MQTTPROPERTY_CODE_USER_PROPERTY, i);
        if (p == nullptr) break;
        std::string_view name(p->value.data.data, static_cast<std::size_t>(p->value.data.len));
        if (name == traceparent_key) {
            return {p->value.value.data, static_cast<std::size_t>(p->value.value.len)};
        }
    }
    return {};
}

// What a node's retained `{prefix}/$nodes/{node}` says (docs/scaling.md).
constexpr std::string_view node_up_payload = R"({"online":true})";

std::uintptr_t to_context(std::uint64_t seq) { return static_cast<std::uintptr_t>(seq); }

// How long a PUBACK may wait for the strand when nothing else wakes it.
// A bridged round trip's PUBACK is followed within a few milliseconds by
// the device's answer, whose wake-up takes it along: at 2,000 commands/s
// that saves a wake-up of the I/O thread per round trip (docs/benchmarks.md).
// What waits meanwhile is bookkeeping: the frame's slot in `unacked` and
// the `published` count; frames that wait for the window make PUBACKs wake
// the strand at once.
constexpr std::chrono::milliseconds ack_look_interval{10};

// Paho C's own cap on unacknowledged publishes (MQTTAsync's maxInflight default).
constexpr std::size_t paho_max_inflight = 65535;

// The receive maximum in a CONNACK (MQTT 5), 0 when it names none.
int receive_maximum_of(const mqtt::token& token) {
    if (token.get_type() != mqtt::token::Type::CONNECT) return 0;
    try {
        auto props = token.get_connect_response().get_properties();
        auto* c = const_cast<MQTTProperties*>(&props.c_struct());
        if (MQTTProperties_hasProperty(c, MQTTPROPERTY_CODE_RECEIVE_MAXIMUM) == 0) return 0;
        return MQTTProperties_getNumericValue(c, MQTTPROPERTY_CODE_RECEIVE_MAXIMUM);
    } catch (const mqtt::exception&) {
        return 0;
    }
}

// How many publishes the bridge hands Paho unacknowledged at once: the
// broker's receive maximum less one, because Paho holds back a SUBSCRIBE
// or UNSUBSCRIBE (the watchdog's probe) too while the window is full.
std::size_t send_window_for(int receive_maximum) {
    if (receive_maximum <= 0) return paho_max_inflight - 1;
    return receive_maximum > 1 ? static_cast<std::size_t>(receive_maximum) - 1 : 1;
}

// MQTT clients reach the gateway through the broker: their address is the broker's.
connection_facts facts_of(const client_record& record) {
    return {record.id, to_string(record.role), "mqtt", "broker", record.session};
}

}  // namespace

std::string_view to_string(bridge_state state) noexcept {
    switch (state) {
        case bridge_state::idle:
            return "idle";
        case bridge_state::connecting:
            return "connecting";
        case bridge_state::connected:
            return "connected";
        case bridge_state::reconnecting:
            return "reconnecting";
        case bridge_state::stopped:
            return "stopped";
    }
    return "idle";
}

void mqtt_bridge::strand_handoff::push(strand_event event) {
    if (queue.push(std::move(event))) wake();  // else a drain is on its way
}

void mqtt_bridge::strand_handoff::push_quiet(strand_event event) {
    if (queue.push_quiet(std::move(event))) wake();
}

void mqtt_bridge::strand_handoff::wake() {
    boost::asio::post(strand, [owner = owner] {
        if (auto self = owner.lock()) self->drain_handoffs();
    });
}

void mqtt_bridge::strand_listener::post(const mqtt::token& token, bool ok) {
    // On Paho's thread: hand over and return at once.
    token_done done{handler_,
                    {ok, token.get_return_code(), static_cast<int>(token.get_reason_code()),
                     reinterpret_cast<std::uintptr_t>(token.get_user_context()),
                     ok ? receive_maximum_of(token) : 0}};
    if (quiet_ && ok) {
        handoff_->push_quiet(std::move(done));
    } else {
        handoff_->push(std::move(done));
    }
}

void mqtt_bridge::drain_handoffs() {
    handoff_->queue.take(handoff_batch_);
    for (strand_event& event : handoff_batch_) {
        if (auto* message = std::get_if<mqtt::const_message_ptr>(&event)) {
            on_message(*message);
        } else if (auto* done = std::get_if<token_done>(&event)) {
            (this->*done->handler)(done->outcome);
        } else if (auto* frame = std::get_if<inbox_frame>(&event)) {
            enqueue(std::move(frame->topic), std::move(frame->frame), frame->trace);
        } else if (auto* local = std::get_if<local_client_change>(&event)) {
            on_local_client(*local);
        } else if (auto* change = std::get_if<link_change>(&event)) {
            if (change->up) {
                on_connected(change->text);
            } else {
                on_connection_lost(change->text);
            }
        }
    }
    // Releases the batch's messages and frames now, not at the next drain.
    handoff_batch_.clear();
    after_drain();
}

void mqtt_bridge::after_drain() {
    // A PUBACK that frees a slot for a waiting frame is news; one that
    // frees a slot nobody waits for can wait for the next drain.
    if (handoff_->queue.set_eager(unacked_.size() > unacked_.handed_count())) {
        handoff_->wake();  // quiet PUBACKs came while it waited for none
    }
    // While publishes await their PUBACK, one may arrive quietly: look for
    // it every ack_look_interval.
    if (ack_look_armed_ || stopping_ || unacked_.handed_count() == 0) return;
    ack_look_armed_ = true;
    ack_look_timer_.expires_after(ack_look_interval);
    ack_look_timer_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
        if (ec) return;
        if (auto self = w.lock()) self->on_ack_look();
    });
}

void mqtt_bridge::on_ack_look() {
    ack_look_armed_ = false;
    drain_handoffs();
}

std::shared_ptr<mqtt_bridge> mqtt_bridge::create(router& routing, executor ex,
                                                 bridge_options options) {
    return std::shared_ptr<mqtt_bridge>(
        new mqtt_bridge(routing, std::move(ex), std::move(options)));
}

mqtt_bridge::mqtt_bridge(router& routing, executor ex, bridge_options options)
    : router_(routing),
      options_(std::move(options)),
      intake_(routing, options_.limits),
      topics_(options_.mqtt.topic_prefix),
      relay_topic_(topics_.relay_topic()),
      relay_reply_topic_(topics_.relay_reply_topic(options_.node)),
      strand_(boost::asio::make_strand(ex)),
      handoff_(std::make_shared<strand_handoff>(strand_)),
      retry_timer_(strand_),
      watchdog_timer_(strand_),
      ack_look_timer_(strand_),
      relay_timer_(strand_),
      connect_options_(make_connect_options(options_)),
      connect_listener_(handoff_, &mqtt_bridge::on_connect_done),
      subscribe_listener_(handoff_, &mqtt_bridge::on_subscribed),
      publish_listener_(handoff_, &mqtt_bridge::on_published, true),
      probe_listener_(handoff_, &mqtt_bridge::on_probe_answered),
      backoff_(options_.mqtt.reconnect_min, options_.mqtt.reconnect_max),
      clients_(routing, intake_, options_.rate, *this,
               options_.mqtt.broker_authenticates ? client_trust::authenticated
                                                  : client_trust::unauthenticated,
               options_.node),
      watchdog_(options_.mqtt.keepalive),
      // A node that has not replied by the time the broker gives up on a
      // silent client (1.5 keepalives, its Last Will) is up but will not
      // reply: an older node, or a reply its bridge could not publish.
      relay_waits_(
          {.max_waiting = options_.mqtt.max_unacked,
           .deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
               options_.mqtt.keepalive * 3 / 2)},
          static_cast<std::uint64_t>(micros_since_epoch(std::chrono::system_clock::now()))) {
    // Paho C formats a trace line into its in-memory ring for every packet
    // at its default level (protocol): nine vsnprintf calls and a lock per
    // round trip, 30 % of the bridged round trip's instructions
    // (docs/benchmarks.md). No trace callback is set, so nothing reads the
    // ring: errors only (this also overrides MQTT_C_CLIENT_TRACE_LEVEL).
    MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_ERROR);
    try {
        // Paho C refuses a publish once this many commands wait in its own
        // queue, connected or not (default 100: a burst of 320 commands lost
        // a third). Our own bound is max_unacked, checked before publishing.
        mqtt::create_options create(paho_version(options_.mqtt.version));
        create.set_max_buffered_messages(
            static_cast<int>(std::min<std::size_t>(options_.mqtt.max_unacked + 16, 1 << 24)));
        client_ = std::make_unique<mqtt::async_client>(options_.server_uri, options_.client_id,
                                                       create, nullptr);
    } catch (const mqtt::exception& e) {
        throw std::invalid_argument("mqtt.url '" + options_.mqtt.url + "': " + e.what());
    }
}

mqtt_bridge::~mqtt_bridge() {
    // stop() normally ran already; this covers a bridge never started.
    try {
        if (client_) client_->disable_callbacks();
    } catch (const mqtt::exception&) {
        // Paho refuses while a connect is in progress; the callbacks hold the
        // bridge only weakly, so they find it gone.
    }
    // Destroying the client fails its unfinished tokens, calling their
    // listeners (members declared after client_, so destroyed before it):
    // the client goes first, while they are whole. Left to member order, a
    // publish still in flight called a half-destroyed listener ("pure
    // virtual method called").
    client_.reset();
}

template <class F>
void mqtt_bridge::post_to_strand(F&& f) {
    boost::asio::post(strand_, [w = weak_from_this(), f = std::forward<F>(f)]() mutable {
        if (auto self = w.lock()) f(*self);
    });
}

void mqtt_bridge::reload(const gateway_config& running) {
    intake_.set_limits(intake_limits_of(running));
    post_to_strand([rate = running.session.rate](mqtt_bridge& self) {
        self.clients_.set_rate(rate, std::chrono::steady_clock::now());
    });
}

void mqtt_bridge::start() {
    handoff_->owner = weak_from_this();
    // Paho's threads only copy what they were given and hand it over.
    auto handoff = handoff_;
    client_->set_connected_handler([handoff](const std::string& cause) {
        handoff->push(link_change{true, cause});
    });
    client_->set_connection_lost_handler([handoff](const std::string& cause) {
        handoff->push(link_change{false, cause});
    });
    client_->set_disconnected_handler([handoff](const mqtt::properties&, mqtt::ReasonCode reason) {
        handoff->push(link_change{
            false, "broker sent DISCONNECT, reason " + std::to_string(static_cast<int>(reason))});
    });
    client_->set_message_callback(
        [handoff](mqtt::const_message_ptr message) { handoff->push(std::move(message)); });
    router_.set_observer(this);
    router_.set_cluster_relay(this);
    state_.store(bridge_state::connecting, std::memory_order_release);
    spdlog::info("mqtt: bridging to {} as {} (MQTT {}, topics {}/{{id}}/...)", options_.mqtt.url,
                 options_.client_id, options_.mqtt.version == mqtt_version::v5 ? "5" : "3.1.1",
                 topics_.prefix());
    if (paho_.tracks_calls) {
        spdlog::info(
            "mqtt: Paho C {} is built with its call and heap tracking (as Debian builds it): "
            "about two thirds of the bridge's instructions per message (docs/mqtt.md, \"Paho C's "
            "build\")",
            paho_.version);
    }
    post_to_strand([](mqtt_bridge& self) { self.do_connect(); });
}

void mqtt_bridge::stop() {
    if (stopping_.exchange(true)) return;
    router_.set_observer(nullptr);
    router_.set_cluster_relay(nullptr);
    try {
        if (client_->is_connected()) {
            // A clean disconnect sends no Last Will: the other nodes hear
            // from us that our clients are gone (bounded wait).
            client_
                ->publish(topics_.node_topic(options_.node), node_down_payload.data(),
                          node_down_payload.size(), qos_at_least_once, true)
                ->wait_for(std::chrono::milliseconds(500));
            client_->disconnect(std::chrono::milliseconds(500))
                ->wait_for(std::chrono::milliseconds(2000));
        }
    } catch (const mqtt::exception& e) {
        spdlog::debug("mqtt: disconnect: {}", e.what());
    }
    try {
        // After the disconnect: Paho refuses while a connect is in progress.
        client_->disable_callbacks();
    } catch (const mqtt::exception& e) {
        spdlog::debug("mqtt: disable callbacks: {}", e.what());
    }
    post_to_strand([](mqtt_bridge& self) {
        self.retry_timer_.cancel();
        self.watchdog_timer_.cancel();
        self.ack_look_timer_.cancel();
        self.relay_timer_.cancel();
    });
    state_.store(bridge_state::stopped, std::memory_order_release);
    spdlog::info("mqtt: bridge stopped");
}

void mqtt_bridge::note_error(std::string what) {
    std::lock_guard lock(error_mutex_);
    last_error_ = std::move(what);
}

void mqtt_bridge::do_connect() {
    if (stopping_) return;
    connect_token_.reset();
    try {
        connect_token_ = client_->connect(connect_options_, nullptr, connect_listener_);
    } catch (const mqtt::exception& e) {
        on_connect_done(token_outcome{false, e.get_return_code(), 0, 0});
    }
}

void mqtt_bridge::on_connect_done(const token_outcome& outcome) {
    if (outcome.ok) {
        // Before on_connected (Paho calls the token first): the window the
        // broker gives this connection.
        unacked_.set_limit(send_window_for(outcome.receive_maximum));
        send_window_.store(unacked_.limit(), std::memory_order_relaxed);
        return;
    }
    // Success is handled by on_connected, which Paho calls for every connection.
    if (stopping_) return;
    auto failures = connect_failures_.fetch_add(1, std::memory_order_relaxed) + 1;
    const std::string message = failure_message(connect_token_, outcome.return_code);
    std::string what = "connect to " + options_.mqtt.url + " failed: " + message;
    if (outcome.reason_code >= first_failure_reason) {
        what += " (" + mqtt::exception::reason_code_str(outcome.reason_code) + ")";
    }
    if (options_.mqtt.version == mqtt_version::v5 && message == closed_before_connack) {
        what +=
            " (the broker closed the connection without answering the MQTT 5 CONNECT, as one "
            "that speaks only MQTT 3.1.1 does, e.g. RabbitMQ before 3.13: try mqtt.version "
            "\"3.1.1\")";
    }
    // The first failure of a series is news; the rest would flood the log.
    if (failures == 1 || failures % 20 == 0) {
        spdlog::warn("mqtt: {} (attempt {})", what, failures);
    } else {
        spdlog::debug("mqtt: {} (attempt {})", what, failures);
    }
    note_error(std::move(what));
    schedule_reconnect();
}

void mqtt_bridge::schedule_reconnect() {
    if (stopping_) return;
    state_.store(ever_connected_ ? bridge_state::reconnecting : bridge_state::connecting,
                 std::memory_order_release);
    auto delay = backoff_.next();
    retry_timer_.expires_after(delay);
    retry_timer_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
        if (ec) return;
        if (auto self = w.lock()) self->do_connect();
    });
}

void mqtt_bridge::on_connected(const std::string&) {
    if (stopping_) return;
    if (state_.load() == bridge_state::connected) return;
    backoff_.reset();
    connect_failures_.store(0, std::memory_order_relaxed);
    if (ever_connected_) {
        auto n = reconnects_.fetch_add(1, std::memory_order_relaxed) + 1;
        spdlog::info("mqtt: reconnected to {} (reconnect #{}); resubscribing", options_.mqtt.url,
                     n);
    } else {
        spdlog::info("mqtt: connected to {}", options_.mqtt.url);
    }
    ever_connected_ = true;
    set_broker_socket_nodelay(options_.mqtt.url);
    state_.store(bridge_state::connected, std::memory_order_release);
    watchdog_.connected(std::chrono::steady_clock::now());
    arm_watchdog();
    subscribe_all();
    resend_unacked();
    publish_node_up();
    // After the resend: what was unacknowledged goes first, so a stale
    // status cannot overwrite a fresh one.
    for (const auto& [id, client] : local_ws_) announce_local(*client);
}

void mqtt_bridge::heard_from_broker() { watchdog_.heard(std::chrono::steady_clock::now()); }

void mqtt_bridge::arm_watchdog() {
    watchdog_timer_.expires_after(watchdog_.tick());
    watchdog_timer_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
        if (ec) return;
        if (auto self = w.lock()) self->on_watchdog_tick();
    });
}

void mqtt_bridge::on_watchdog_tick() {
    if (stopping_ || state_.load() != bridge_state::connected) return;
    switch (watchdog_.check(std::chrono::steady_clock::now(), unacked_.handed_count() > 0)) {
        case broker_watchdog::verdict::fine:
            break;
        case broker_watchdog::verdict::probe:
            try {
                // Never subscribed: every live broker answers UNSUBACK, and
                // nothing is delivered or changed.
                client_->unsubscribe(topics_.probe_filter(), nullptr, probe_listener_);
            } catch (const mqtt::exception& e) {
                spdlog::debug("mqtt: watchdog probe: {}", e.what());
            }
            break;
        case broker_watchdog::verdict::lost:
            on_broker_silent();
            return;
    }
    arm_watchdog();
}

void mqtt_bridge::on_probe_answered(const token_outcome& outcome) {
    if (broker_answered(outcome.ok, outcome.reason_code)) heard_from_broker();
}

void mqtt_bridge::on_broker_silent() {
    // A frozen broker still holds what it was handed in its socket buffer
    // and delivers it when it resumes: resending those frames after the
    // reconnect would deliver them twice. Frames not yet handed stay.
    std::size_t abandoned = unacked_.drop_handed();
    unacked_count_.fetch_sub(abandoned, std::memory_order_acq_rel);
    abandoned_.fetch_add(abandoned, std::memory_order_relaxed);
    silences_.fetch_add(1, std::memory_order_relaxed);
    auto limit = std::chrono::duration_cast<std::chrono::seconds>(watchdog_.limit()).count();
    on_connection_lost("the broker answered nothing for " + std::to_string(limit) +
                       " s (watchdog); " + std::to_string(abandoned) +
                       " frames handed to it are not resent (a frozen broker may still deliver "
                       "them)");
    try {
        // Paho would wait for its own keepalive to give up: drop the link now.
        client_->disconnect(0);
    } catch (const mqtt::exception& e) {
        spdlog::debug("mqtt: disconnect from a silent broker: {}", e.what());
    }
}

void mqtt_bridge::subscribe_all() {
    // Paho does not resubscribe after a reconnect, so every connection does
    // it here. Statuses are retained: subscribing replays who is online.
    const std::string out = topics_.shared_filter(topic_kind::out, options_.mqtt.shared_group);
    const std::string status = topics_.filter(topic_kind::status);
    const std::string nodes = topics_.node_filter();
    const std::string relay = topics_.relay_topic();
    subscribed_.store(false, std::memory_order_release);
    subscriptions_pending_ = 5;
    ++connection_number_;
    for (const std::string& filter : {out, status, nodes, relay, relay_reply_topic_}) {
        // MQTT 5 spares a node its own relays (no local); on 3.1.1 they come
        // back and are counted as not held here.
        mqtt::subscribe_options options(filter == relay &&
                                        options_.mqtt.version == mqtt_version::v5);
        try {
            client_->subscribe(filter, qos_at_least_once,
                               reinterpret_cast<void*>(connection_number_), subscribe_listener_,
                               options);
        } catch (const mqtt::exception& e) {
            spdlog::warn("mqtt: subscribe {}: {}", filter, e.what());
        }
    }
}

void mqtt_bridge::on_subscribed(const token_outcome& outcome) {
    if (broker_answered(outcome.ok, outcome.reason_code)) heard_from_broker();
    if (outcome.ok && outcome.reason_code < first_failure_reason) {
        if (outcome.context == connection_number_ && --subscriptions_pending_ == 0) {
            subscribed_.store(true, std::memory_order_release);
        }
        return;
    }
    // A refusal leaves the bridge unsubscribed, and /readyz at 503, until
    // a later connection's subscriptions are all taken.
    std::string what = "a subscription was refused (" +
                       mqtt::exception::error_str(outcome.return_code) + ", reason " +
                       std::to_string(outcome.reason_code) +
                       "): check the broker's ACL for the gateway's user";
    spdlog::error("mqtt: {}", what);
    note_error(std::move(what));
}

void mqtt_bridge::on_connection_lost(const std::string& cause) {
    if (stopping_) return;
    if (state_.load() != bridge_state::connected) return;
    std::string what = "connection to " + options_.mqtt.url + " lost" +
                       (cause.empty() ? std::string() : ": " + cause);
    spdlog::warn("mqtt: {}; {} MQTT clients now offline, {} frames await resending", what,
                 clients_.size(), unacked_.size());
    note_error(std::move(what));
    state_.store(bridge_state::reconnecting, std::memory_order_release);
    // Unreachable clients are offline: commands to them fail at once with
    // `offline`, and followers hear it. Their retained statuses bring them
    // back once the bridge is connected again.
    forget_all_clients();
    schedule_reconnect();
}

void mqtt_bridge::forget_all_clients() {
    clients_.forget_all();
    // The other nodes' words come back, retained, with the next subscription.
    relay_waits_.forget_peers();
    publish_table_counts();
}

void mqtt_bridge::publish_table_counts() {
    const auto& counts = clients_.counts();
    client_count_.store(clients_.size(), std::memory_order_relaxed);
    frames_in_.store(counts.frames_in, std::memory_order_relaxed);
    unregistered_frames_.store(counts.unregistered_frames, std::memory_order_relaxed);
    statuses_refused_.store(counts.statuses_refused, std::memory_order_relaxed);
    flood_refused_.store(counts.flood_refused, std::memory_order_relaxed);
}

void mqtt_bridge::on_message(const mqtt::const_message_ptr& message) {
    if (stopping_ || !message) return;
    heard_from_broker();
    const std::string& topic = message->get_topic();
    if (topic == relay_topic_) {
        on_relay(message->get_payload());
        return;
    }
    if (topic == relay_reply_topic_) {
        on_relay_reply(message->get_payload());
        return;
    }
    if (auto node = topics_.node_of(topic)) {
        on_node(std::string(*node), message->get_payload());
        return;
    }
    auto match = topics_.parse(topic);
    if (match.status == topic_map::match_status::bad_id) {
        refused_topics_.fetch_add(1, std::memory_order_relaxed);
        if (std::uint64_t dropped = 0; logs_.admit("bad topic", dropped)) {
            spdlog::warn("mqtt: refused a frame on '{}': the ID level breaks the ID rules{}",
                         log_safe(topic), suppressed_note(dropped));
        }
        return;
    }
    if (match.status != topic_map::match_status::ok) return;
    // Payloads are read where Paho keeps them: bounded (size, then
    // nesting) by the client table before anything parses them.
    const mqtt::binary& payload = message->get_payload();
    std::string id(match.id);
    if (match.kind == topic_kind::status) {
        on_status(id, payload);
    } else if (match.kind == topic_kind::in) {
        on_inbox(id, payload);
    } else if (match.kind == topic_kind::out) {
        clients_.on_out(id, payload, std::chrono::steady_clock::now(),
                        carried_traceparent(message->get_properties()));
        publish_table_counts();
    }
}

void mqtt_bridge::on_status(const std::string& id, std::string_view payload) {
    auto outcome = clients_.on_status(id, payload, std::chrono::steady_clock::now());
    publish_table_counts();
    if (outcome.opened) {
        // The ID is another node's or an MQTT client's now: not ours to read.
        if (auto it = local_ws_.find(id); it != local_ws_.end()) {
            local_ws_.erase(it);
            stop_reading_inbox(id);
        }
    }
    if (outcome.own) {
        // Our own status coming back: stale if the client left meanwhile
        // (or before this node restarted), so it is cleared.
        if (!local_ws_client(id)) publish_retained(id, {});
        return;
    }
    if (outcome.what != status_payload::kind::online || outcome.outlived) {
        // Our client's status was cleared or overwritten (a node that lost a
        // registration race cleared it or published after us, an MQTT
        // client's Last Will): say again that it is here, so the retained
        // status names the registration that won.
        if (client_ptr local = local_ws_client(id)) announce_local(*local);
    }
    if (std::uint64_t dropped = 0;
        outcome.what == status_payload::kind::invalid && logs_.admit("invalid status", dropped)) {
        // What was wrong, never the payload itself (a client wrote it).
        spdlog::warn("mqtt: {} published an invalid status ({}), counted as offline{}",
                     log_safe(id), log_safe(outcome.why), suppressed_note(dropped));
    }
    if (std::uint64_t dropped = 0; outcome.closed && logs_.admit("connection closed", dropped)) {
        const char* reason = outcome.what == status_payload::kind::online ? "status changed"
                             : payload.empty() ? "status cleared (Last Will or clean exit)"
                             : outcome.what == status_payload::kind::invalid ? "invalid status"
                                                                             : "offline status";
        spdlog::info("{}{}", connection_closed_line(facts_of(*outcome.closed), reason),
                     suppressed_note(dropped));
    }
    if (std::uint64_t dropped = 0; outcome.opened && logs_.admit("connection opened", dropped)) {
        spdlog::info("{}{}", connection_opened_line(facts_of(*outcome.opened)),
                     suppressed_note(dropped));
    }
    if (std::uint64_t dropped = 0; outcome.refused && logs_.admit("status refused", dropped)) {
        spdlog::info("mqtt: {} refused: the ID is held by another connection{}", log_safe(id),
                     suppressed_note(dropped));
    }
}

std::shared_ptr<endpoint> mqtt_bridge::make_link(const std::string& id,
                                                 const std::string& session) {
    return std::make_shared<mqtt_endpoint>(weak_from_this(), id, session);
}

void mqtt_bridge::send_to_inbox(const std::string& id, frame_ptr frame) {
    publish_inbox(id, std::move(frame));
}

std::string mqtt_bridge::status_topic(const std::string& id) const {
    return topics_.topic(id, topic_kind::status);
}

bool mqtt_bridge::publish_inbox(const std::string& id, frame_ptr frame,
                                std::optional<trace_context> trace) {
    return publish_frame(topics_.topic(id, topic_kind::in), std::move(frame), std::move(trace));
}

cluster_relay::outcome mqtt_bridge::relay_response(const client_ptr& device,
                                                   const response_request& response) {
    auto opened =
        relay_waits_.open(device, response.to, response.id, std::chrono::steady_clock::now());
    switch (opened.status) {
        case relay_waits::open_status::no_peers:
            return outcome::no_peers;
        case relay_waits::open_status::full:
            relays_refused_full_.fetch_add(1, std::memory_order_relaxed);
            return outcome::refused;
        case relay_waits::open_status::opened:
            break;
    }
    if (!publish_frame(
            relay_topic_,
            make_relayed_response(device->id, response, relay_key{options_.node, opened.seq}),
            std::nullopt)) {
        relay_waits_.cancel(opened.seq);
        return outcome::refused;
    }
    relays_published_.fetch_add(1, std::memory_order_relaxed);
    if (opened.first) post_to_strand([](mqtt_bridge& self) { self.arm_relay_deadline(); });
    return outcome::published;
}

bool mqtt_bridge::publish_frame(std::string topic, frame_ptr frame,
                                std::optional<trace_context> trace) {
    if (stopping_.load(std::memory_order_acquire) ||
        state_.load(std::memory_order_acquire) != bridge_state::connected) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    // Reserve a slot first so the bound holds across threads.
    if (unacked_count_.fetch_add(1, std::memory_order_acq_rel) >= options_.mqtt.max_unacked) {
        unacked_count_.fetch_sub(1, std::memory_order_acq_rel);
        refused_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    handoff_->push(inbox_frame{std::move(topic), std::move(frame), std::move(trace)});
    return true;
}

void mqtt_bridge::enqueue(std::string topic, frame_ptr frame, std::optional<trace_context> trace,
                          bool retained) {
    unacked_.add({std::move(topic), std::move(frame), std::move(trace),
                  std::chrono::steady_clock::now() + options_.mqtt.resend_window, retained});
    // Disconnected since it was accepted: it waits for the reconnect.
    if (state_.load() != bridge_state::connected) return;
    if (unacked_.handed_count() >= unacked_.limit()) {
        // It goes out when a PUBACK frees a slot (on_published).
        window_waits_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    hand_out();
}

void mqtt_bridge::hand_out() {
    for (;;) {
        auto [seq, entry] = unacked_.next();
        if (entry == nullptr || !publish_unacked(seq, *entry)) return;
        unacked_.handed(seq);
    }
}

bool mqtt_bridge::publish_unacked(std::uint64_t seq, const publish_window::entry& entry) {
    auto message = mqtt::make_message(entry.topic, *entry.frame, qos_at_least_once, entry.retained);
    // A retained status must not expire while its client is online.
    if (options_.mqtt.version == mqtt_version::v5 && !entry.retained) {
        // Stale frames expire on the broker rather than reach a device that
        // reconnects long after (a command would have timed out by then).
        auto window = std::chrono::duration_cast<std::chrono::seconds>(options_.mqtt.resend_window);
        mqtt::properties props;
        props.add(mqtt::property(mqtt::property::MESSAGE_EXPIRY_INTERVAL,
                                 static_cast<int32_t>(std::max<std::int64_t>(1, window.count()))));
        props.add(mqtt::property(mqtt::property::CONTENT_TYPE, "application/json"));
        // Beside the payload's own field, for devices that read properties.
        if (entry.trace) {
            traceparent_text text = entry.trace->text();
            props.add(mqtt::property(mqtt::property::USER_PROPERTY, std::string(traceparent_key),
                                     std::string(text.view())));
        }
        message->set_properties(std::move(props));
    }
    try {
        client_->publish(message, reinterpret_cast<void*>(to_context(seq)), publish_listener_);
        return true;
    } catch (const mqtt::exception& e) {
        // Kept: it goes out again after the reconnect that must follow (the
        // only other refusal, a full Paho queue, cannot happen: see above).
        if (std::uint64_t dropped = 0; logs_.admit("publish failed", dropped)) {
            spdlog::warn("mqtt: publish to {}: {}{}", log_safe(entry.topic), e.what(),
                         suppressed_note(dropped));
        }
        return false;
    }
}

void mqtt_bridge::on_published(const token_outcome& outcome) {
    const auto seq = static_cast<std::uint64_t>(outcome.context);
    const publish_window::entry* entry = unacked_.find(seq);
    if (broker_answered(outcome.ok, outcome.reason_code)) heard_from_broker();
    if (entry == nullptr) return;  // acknowledged already (resent copy), or abandoned
    bool refused_by_broker = outcome.reason_code >= first_failure_reason;
    if (!outcome.ok && !refused_by_broker) return;  // connection trouble: resent on reconnect
    if (refused_by_broker) {
        std::string what = "broker refused a publish to " + entry->topic + ": " +
                           mqtt::exception::reason_code_str(outcome.reason_code) +
                           " (check the ACL for the gateway's user)";
        if (std::uint64_t dropped = 0; logs_.admit("publish refused", dropped)) {
            spdlog::error("mqtt: {}{}", log_safe(what), suppressed_note(dropped));
        }
        note_error(std::move(what));
    } else {
        published_.fetch_add(1, std::memory_order_relaxed);
    }
    unacked_.acknowledged(seq);
    unacked_count_.fetch_sub(1, std::memory_order_acq_rel);
    // Its slot goes to the oldest frame waiting: a publish call, which also
    // wakes Paho's send thread (a PUBACK does not).
    if (state_.load() == bridge_state::connected) hand_out();
}

void mqtt_bridge::resend_unacked() {
    auto [resent, expired] = unacked_.restart(std::chrono::steady_clock::now());
    unacked_count_.fetch_sub(expired, std::memory_order_acq_rel);
    hand_out();
    resent_.fetch_add(resent, std::memory_order_relaxed);
    expired_.fetch_add(expired, std::memory_order_relaxed);
    if (resent + expired > 0) {
        spdlog::info("mqtt: resent {} unacknowledged frames; {} past the resend window dropped",
                     resent, expired);
    }
}

void mqtt_bridge::on_link_closed(const std::string& id, const std::string& session) {
    post_to_strand([id, session](mqtt_bridge& self) { self.forget_client(id, session); });
}

void mqtt_bridge::forget_client(const std::string& id, const std::string& session) {
    if (client_ptr record = clients_.forget(id, session)) {
        if (std::uint64_t dropped = 0; logs_.admit("connection closed", dropped)) {
            spdlog::info(
                "{}{}",
                connection_closed_line(facts_of(*record), "taken over by another connection"),
                suppressed_note(dropped));
        }
    }
    publish_table_counts();
}

void mqtt_bridge::on_presence(const client_record& client, bool online) {
    // Presence reaches MQTT followers through their endpoints like anyone
    // else's. What is mirrored is this node's own WebSocket clients (not
    // MQTT clients, not other nodes' clients), for the other nodes.
    if (client.via != transport_kind::ws || is_remote_session(client.session)) return;
    handoff_->push(
        local_client_change{online ? std::make_shared<const client_record>(client) : nullptr,
                            client.id, client.session});
}

void mqtt_bridge::on_local_client(const local_client_change& change) {
    if (change.record) {
        local_ws_.insert_or_assign(change.id, change.record);
        if (state_.load() == bridge_state::connected) announce_local(*change.record);
        return;
    }
    auto it = local_ws_.find(change.id);
    // Gone already (taken over from another node), or a newer session's.
    if (it == local_ws_.end() || it->second->session != change.session) return;
    local_ws_.erase(it);
    if (state_.load() != bridge_state::connected) return;
    publish_retained(change.id, {});
    stop_reading_inbox(change.id);
}

void mqtt_bridge::stop_reading_inbox(const std::string& id) {
    try {
        client_->unsubscribe(topics_.topic(id, topic_kind::in));
    } catch (const mqtt::exception& e) {
        spdlog::debug("mqtt: unsubscribe {}: {}", log_safe(id), e.what());
    }
}

void mqtt_bridge::announce_local(const client_record& client) {
    // The inbox first: the broker handles our SUBSCRIBE before the PUBLISH
    // that follows it, so no node can send to the inbox before we read it.
    try {
        client_->subscribe(topics_.topic(client.id, topic_kind::in), qos_at_least_once, nullptr,
                           subscribe_listener_);
    } catch (const mqtt::exception& e) {
        spdlog::warn("mqtt: subscribe {}: {}", log_safe(client.id), e.what());
    }
    publish_retained(client.id,
                     node_status_payload(client, options_.node, micros_since_epoch(client.since)));
}

void mqtt_bridge::publish_node_up() {
    unacked_count_.fetch_add(1, std::memory_order_acq_rel);
    enqueue(topics_.node_topic(options_.node), std::make_shared<const std::string>(node_up_payload),
            std::nullopt, true);
}

void mqtt_bridge::on_node(const std::string& node, std::string_view payload) {
    // Only gateway nodes may write these topics (the broker's ACL).
    const bool up = payload == node_up_payload;
    if (node == options_.node) {
        // Our own Last Will from before a restart, or a clean stop's word:
        // we are up.
        if (!up) publish_node_up();
        return;
    }
    if (up) {
        relay_waits_.peer_up(node);
        return;
    }
    // Our relays no longer wait for it; those that waited for it alone
    // were held nowhere that is still up.
    for (const auto& relay : relay_waits_.peer_down(node)) answer_held_nowhere(relay);
    // Its Last Will (or its clean stop): its clients are offline here, and
    // their statuses are cleared, by every node that heard it (idempotent).
    auto gone = clients_.forget_node(node);
    publish_table_counts();
    for (const std::string& id : gone) publish_retained(id, {});
    if (!gone.empty()) {
        spdlog::info("mqtt: node {} is gone; its {} clients are offline", log_safe(node),
                     gone.size());
    }
}

void mqtt_bridge::publish_retained(const std::string& id, std::string payload) {
    unacked_count_.fetch_add(1, std::memory_order_acq_rel);
    enqueue(topics_.topic(id, topic_kind::status),
            std::make_shared<const std::string>(std::move(payload)), std::nullopt, true);
}

client_ptr mqtt_bridge::local_ws_client(const std::string& id) const {
    auto it = local_ws_.find(id);
    if (it == local_ws_.end()) return nullptr;
    client_ptr now = router_.clients().find(id);
    return now && now->session == it->second->session ? now : nullptr;
}

void mqtt_bridge::on_inbox(const std::string& id, std::string_view payload) {
    client_ptr local = local_ws_client(id);
    if (!local) {
        // Not ours (any more): stop reading it.
        stop_reading_inbox(id);
        return;
    }
    // Published by another node (only gateways may write inboxes): a relayed
    // response may be a little over the frame cap it was checked against.
    auto reading = read_inbox_frame(payload, id, 2 * options_.limits.max_message_bytes);
    switch (reading.what) {
        case inbox_frame_reading::kind::deliver:
            local->link->deliver(std::make_shared<const std::string>(payload));
            return;
        case inbox_frame_reading::kind::relayed_response:
            // Settled as if its device had answered here (or passed on to
            // every node when not held here).
            if (client_ptr device = router_.clients().find(reading.from)) {
                router_.settle_response(device, reading.response,
                                        router::response_source::inbox_relay,
                                        std::chrono::steady_clock::now());
                return;
            }
            break;
        case inbox_frame_reading::kind::invalid:
            break;
    }
    if (std::uint64_t dropped = 0; logs_.admit("relay dropped", dropped)) {
        spdlog::warn("mqtt: dropped a frame relayed to {}: {}{}", log_safe(id),
                     reading.what == inbox_frame_reading::kind::invalid
                         ? "not a frame"
                         : "its sender " + log_safe(reading.from) + " is not known here",
                     suppressed_note(dropped));
    }
}

void mqtt_bridge::on_relay(std::string_view payload) {
    // Published by a node (only gateways may write the relay topic) for
    // whichever node holds the command: settled as if its device had
    // answered here, where that node is this one.
    auto reading = read_cluster_relay(payload, 2 * options_.limits.max_message_bytes);
    if (reading.relayed_by == options_.node) {
        // Our own, back on MQTT 3.1.1 (no "no local"): not held here, or we
        // would not have relayed it.
        relays_not_held_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    client_ptr device = reading.what == inbox_frame_reading::kind::relayed_response
                            ? router_.clients().find(reading.from)
                            : nullptr;
    if (!device) {
        relays_invalid_.fetch_add(1, std::memory_order_relaxed);
        // Nothing can be settled here for a device unknown here.
        reply_to_relay(reading, false);
        if (std::uint64_t dropped = 0; logs_.admit("relay dropped", dropped)) {
            spdlog::warn("mqtt: dropped a relayed response: {}{}",
                         reading.what == inbox_frame_reading::kind::invalid
                             ? "not a relayed response"
                             : "its sender " + log_safe(reading.from) + " is not known here",
                         suppressed_note(dropped));
        }
        return;
    }
    switch (router_.settle_response(device, reading.response,
                                    router::response_source::broadcast_relay,
                                    std::chrono::steady_clock::now())) {
        case router::settlement::settled:
            relays_settled_.fetch_add(1, std::memory_order_relaxed);
            return reply_to_relay(reading, true);
        case router::settlement::late:
            relays_late_.fetch_add(1, std::memory_order_relaxed);
            return reply_to_relay(reading, true);
        case router::settlement::not_held:
            relays_not_held_.fetch_add(1, std::memory_order_relaxed);
            return reply_to_relay(reading, false);
    }
}

void mqtt_bridge::reply_to_relay(const inbox_frame_reading& reading, bool held) {
    // An older node's relay carries no key: it waits for no reply.
    if (reading.relayed_by.empty()) return;
    auto reply = std::make_shared<const std::string>(
        make_relay_reply({reading.relay_seq, options_.node, held}));
    // Refused (link down, window full: counted in `refused`): the relaying
    // node answers at its deadline.
    if (publish_frame(topics_.relay_reply_topic(reading.relayed_by), std::move(reply),
                      std::nullopt)) {
        relay_replies_sent_.fetch_add(1, std::memory_order_relaxed);
    }
}

void mqtt_bridge::on_relay_reply(std::string_view payload) {
    // Published by a node (only gateways may write these topics).
    auto reply = read_relay_reply(payload);
    if (!reply) {
        relays_invalid_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    auto result = relay_waits_.on_reply(reply->seq, reply->node, reply->held);
    switch (result.outcome) {
        case relay_waits::reply_outcome::held:
            relays_held_elsewhere_.fetch_add(1, std::memory_order_relaxed);
            break;
        case relay_waits::reply_outcome::held_nowhere:
            answer_held_nowhere(*result.answer);
            break;
        case relay_waits::reply_outcome::held_too_late:
            relays_held_too_late_.fetch_add(1, std::memory_order_relaxed);
            if (std::uint64_t dropped = 0; logs_.admit("relay held too late", dropped)) {
                spdlog::warn(
                    "mqtt: node {} held a relayed response after its deadline here: the device "
                    "was told unknown_command and the command was answered too{}",
                    log_safe(reply->node), suppressed_note(dropped));
            }
            break;
        case relay_waits::reply_outcome::waiting:
        case relay_waits::reply_outcome::no_relay:
            break;
    }
}

void mqtt_bridge::answer_held_nowhere(const relay_waits::held_nowhere& relay) {
    relays_answered_unknown_.fetch_add(1, std::memory_order_relaxed);
    router_.answer_held_nowhere(relay.device, relay.controller, relay.id);
}

void mqtt_bridge::arm_relay_deadline() {
    if (relay_timer_armed_ || stopping_) return;
    auto next = relay_waits_.next_deadline();
    if (!next) return;
    relay_timer_armed_ = true;
    relay_timer_.expires_at(*next);
    relay_timer_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
        if (ec) return;
        if (auto self = w.lock()) self->on_relay_deadline();
    });
}

void mqtt_bridge::on_relay_deadline() {
    relay_timer_armed_ = false;
    auto ended = relay_waits_.expire(std::chrono::steady_clock::now());
    relays_deadline_.fetch_add(ended.size(), std::memory_order_relaxed);
    for (const auto& relay : ended) answer_held_nowhere(relay);
    arm_relay_deadline();
}

void mqtt_bridge::on_event(const client_record& from, const event_request& event) {
    // MQTT devices' events are on their own `out` topic already.
    if (from.via != transport_kind::ws || from.role != client_role::device) return;
    if (state_.load(std::memory_order_acquire) != bridge_state::connected) return;
    std::string payload = event_payload(event);
    post_to_strand([topic = topics_.topic(from.id, topic_kind::events),
                    payload = std::move(payload)](mqtt_bridge& self) {
        if (self.state_.load() != bridge_state::connected) return;
        try {
            // Telemetry: the next reading supersedes a lost one.
            self.client_->publish(topic, payload.data(), payload.size(), qos_at_most_once, false);
            self.events_published_.fetch_add(1, std::memory_order_relaxed);
        } catch (const mqtt::exception& e) {
            if (std::uint64_t dropped = 0; spdlog::should_log(spdlog::level::debug) &&
                                           self.logs_.admit("event publish failed", dropped)) {
                spdlog::debug("mqtt: publish event to {}: {}{}", log_safe(topic), e.what(),
                              suppressed_note(dropped));
            }
        }
    });
}

bridge_stats mqtt_bridge::stats() const {
    auto n = [](const auto& v) {
        return static_cast<std::uint64_t>(v.load(std::memory_order_relaxed));
    };
    bridge_state now = state();
    return {.state = to_string(now),
            .connected = now == bridge_state::connected,
            .subscribed = now == bridge_state::connected && subscribed_.load(),
            .reconnects = n(reconnects_),
            .connect_failures = n(connect_failures_),
            .clients = n(client_count_),
            .unacked = n(unacked_count_),
            .published = n(published_),
            .resent = n(resent_),
            .expired = n(expired_),
            .abandoned = n(abandoned_),
            .silences = n(silences_),
            .refused = n(refused_),
            .frames_in = n(frames_in_),
            .refused_topics = n(refused_topics_) + n(unregistered_frames_),
            .statuses_refused = n(statuses_refused_),
            .flood_refused = n(flood_refused_),
            .events_published = n(events_published_)};
}

std::string mqtt_bridge::health_json() const {
    auto n = [](const auto& v) {
        return static_cast<std::int64_t>(v.load(std::memory_order_relaxed));
    };
    std::string error;
    {
        std::lock_guard lock(error_mutex_);
        error = last_error_;
    }
    json_writer w;
    w.string("state", to_string(state()))
        .boolean("subscribed", state() == bridge_state::connected && subscribed_.load())
        .string("url", options_.mqtt.url)
        .string("client_id", options_.client_id)
        .string("version", options_.mqtt.version == mqtt_version::v5 ? "5" : "3.1.1")
        .string("paho_version", paho_.version)
        .boolean("paho_tracking", paho_.tracks_calls)
        .integer("reconnects", n(reconnects_))
        .integer("connect_failures", n(connect_failures_))
        .integer("clients", n(client_count_))
        .integer("unacked", n(unacked_count_))
        .integer("send_window", n(send_window_))
        .integer("window_waits", n(window_waits_))
        .integer("published", n(published_))
        .integer("resent", n(resent_))
        .integer("expired", n(expired_))
        .integer("abandoned", n(abandoned_))
        .integer("silences", n(silences_))
        .integer("refused", n(refused_))
        .integer("frames_in", n(frames_in_))
        .integer("refused_topics", n(refused_topics_) + n(unregistered_frames_))
        .integer("statuses_refused", n(statuses_refused_))
        .integer("flood_refused", n(flood_refused_))
        .integer("events_published", n(events_published_))
        .integer("peers_up", static_cast<std::int64_t>(relay_waits_.peer_count()))
        .integer("relays_published", n(relays_published_))
        .integer("relays_waiting", static_cast<std::int64_t>(relay_waits_.waiting()))
        .integer("relays_held_elsewhere", n(relays_held_elsewhere_))
        .integer("relays_answered_unknown", n(relays_answered_unknown_))
        .integer("relays_deadline", n(relays_deadline_))
        .integer("relays_refused_full", n(relays_refused_full_))
        .integer("relays_held_too_late", n(relays_held_too_late_))
        .integer("relay_replies_sent", n(relay_replies_sent_))
        .integer("relays_settled", n(relays_settled_))
        .integer("relays_late", n(relays_late_))
        .integer("relays_not_held", n(relays_not_held_))
        .integer("relays_invalid", n(relays_invalid_));
    if (!error.empty()) w.string("last_error", error);
    return w.finish();
}

}  // namespace switchboard
