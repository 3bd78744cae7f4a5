#include "metrics.hpp"

#include <prometheus/collectable.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <initializer_list>
#include <limits>
#include <optional>
#include <utility>

#include "core/counter_table.hpp"
#include "session_context.hpp"

#ifndef SWITCHBOARD_VERSION
#define SWITCHBOARD_VERSION "unknown"
#endif

namespace switchboard {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

double value_of(const counters::counter& c) {
    return static_cast<double>(c.load(std::memory_order_relaxed));
}

// One metric family being filled.
class family {
public:
    family(std::vector<MetricFamily>& out, std::string_view name, std::string_view help,
           MetricType type)
        : f_(out.emplace_back(MetricFamily{std::string(name), std::string(help), type, {}})) {}

    family& add(labels l, double v) {
        ClientMetric& m = f_.metric.emplace_back();
        for (const auto& [name, value] : l)
            m.label.push_back({std::string(name), std::string(value)});
        if (f_.type == MetricType::Counter) {
            m.counter.value = v;
        } else {
            m.gauge.value = v;
        }
        return *this;
    }
    family& add(double v) { return add({}, v); }

private:
    MetricFamily& f_;
};

constexpr const char* inbound_names[inbound_type_count] = {
    "register", "command", "response", "message", "event", "subscribe", "list", "status", "cancel"};
constexpr const char* outbound_names[outbound_type_count] = {
    "registered", "command",    "response", "message", "event", "presence",
    "ack",        "subscribed", "list",     "error",   "status"};
constexpr const char* outcome_names[command_outcome_count] = {"ok", "error", "timeout"};

}  // namespace

class gateway_metrics::core_collector final : public prometheus::Collectable {
public:
    explicit core_collector(const session_context& context) : context_(context) {}

    std::vector<MetricFamily> Collect() const override {
        std::vector<MetricFamily> out;
        out.reserve(48);
        const counters& c = context_.stats;
        constexpr auto counter = MetricType::Counter;
        constexpr auto gauge = MetricType::Gauge;

        std::optional<bridge_stats> bridge;
        if (context_.bridge) bridge = context_.bridge->stats();
        auto ready = assess_readiness(
            context_.phase.load(), bridge ? std::optional(readiness_state(*bridge)) : std::nullopt);
        family(out, "switchboard_ready", "1 while /readyz answers 200", gauge)
            .add(ready.ready ? 1 : 0);
        family(out, "switchboard_open_connections",
               "WebSocket connections open now (registered or not)", gauge)
            .add(static_cast<double>(context_.sessions.size()));
        family clients(out, "switchboard_clients",
                       "registered clients by role and transport (MQTT ones through the bridge)",
                       gauge);
        auto tally = context_.routing.clients().tally();
        for (auto role : {client_role::device, client_role::controller}) {
            for (auto via : {transport_kind::ws, transport_kind::mqtt}) {
                clients.add(
                    {{"role", to_string(role)}, {"transport", to_string(via)}},
                    static_cast<double>(
                        tally[static_cast<std::size_t>(role)][static_cast<std::size_t>(via)]));
            }
        }
        family routed(out, "switchboard_frames_routed_total",
                      "valid frames of registered clients routed, by type", counter);
        for (std::size_t i = 0; i < inbound_type_count; ++i)
            routed.add({{"type", inbound_names[i]}}, value_of(c.frames_routed[i]));
        family sent(out, "switchboard_frames_sent_total",
                    "frames the router sent, by type (one per recipient)", counter);
        for (std::size_t i = 0; i < outbound_type_count; ++i)
            sent.add({{"type", outbound_names[i]}}, value_of(c.frames_sent[i]));
        std::array<latency_histogram::snapshot, command_outcome_count> latency;
        for (std::size_t i = 0; i < command_outcome_count; ++i)
            latency[i] = c.command_latency[i].read();
        add_counter_table(out, c, latency);
        add_latency(out, latency);
        family(out, "switchboard_pending_commands", "commands awaiting their answer", gauge)
            .add(static_cast<double>(context_.routing.ledger().size()));
        family(out, "switchboard_queued_commands", "commands waiting for their offline device",
               gauge)
            .add(static_cast<double>(context_.routing.ledger().queued_size()));
        family(out, "switchboard_recovery_kept_bytes",
               "bytes of outcomes kept for away controllers", gauge)
            .add(static_cast<double>(context_.routing.outbox().kept_bytes()));
        family(out, "switchboard_queued_command_bytes",
               "bytes held by commands waiting for offline devices (limits.max_queued_bytes)",
               gauge)
            .add(static_cast<double>(context_.routing.ledger().queued_bytes()));
        // A value, not a tally: counter_table serves the trims' totals.
        family(out, "switchboard_heap_trim_last_microseconds",
               "how long the last malloc_trim held its I/O thread (0: none yet)", gauge)
            .add(value_of(c.heap_trim_last_us));
        if (bridge) add_bridge(out, *bridge);
        return out;
    }

private:
    // counter_table's rows, a family per run of rows, with the ok and error
    // outcomes of commands from the latency histograms' counts.
    static void add_counter_table(
        std::vector<MetricFamily>& out, const counters& c,
        const std::array<latency_histogram::snapshot, command_outcome_count>& latency) {
        std::optional<family> current;
        std::string_view current_name;
        for (const counter_row& row : counter_table) {
            if (row.family.empty()) continue;
            if (row.family != current_name) {
                current.emplace(out, row.family, row.help, MetricType::Counter);
                current_name = row.family;
                if (row.family == commands_family) {
                    current->add({{"outcome", "ok"}}, static_cast<double>(latency[0].count))
                        .add({{"outcome", "error"}}, static_cast<double>(latency[1].count));
                }
            }
            if (row.label_name.empty()) {
                current->add(value_of(c.*row.member));
            } else {
                current->add({{row.label_name, row.label_value}}, value_of(c.*row.member));
            }
        }
    }

    static void add_latency(std::vector<MetricFamily>& out,
                            const std::array<latency_histogram::snapshot, 3>& latency) {
        MetricFamily& f = out.emplace_back(
            MetricFamily{"switchboard_command_round_trip_seconds",
                         "command accepted to its response (or timeout), by outcome",
                         MetricType::Histogram,
                         {}});
        for (std::size_t i = 0; i < command_outcome_count; ++i) {
            ClientMetric& m = f.metric.emplace_back();
            m.label.push_back({"outcome", outcome_names[i]});
            const auto& s = latency[i];
            std::uint64_t cumulative = 0;
            for (std::size_t b = 0; b < latency_histogram::bounds_us.size(); ++b) {
                cumulative += s.counts[b];
                m.histogram.bucket.push_back(
                    {cumulative, static_cast<double>(latency_histogram::bounds_us[b]) / 1e6});
            }
            m.histogram.bucket.push_back({s.count, std::numeric_limits<double>::infinity()});
            m.histogram.sample_count = s.count;
            m.histogram.sample_sum = static_cast<double>(s.sum_us) / 1e6;
        }
    }

    static void add_bridge(std::vector<MetricFamily>& out, const bridge_stats& b) {
        constexpr auto counter = MetricType::Counter;
        constexpr auto gauge = MetricType::Gauge;
        auto n = [](std::uint64_t v) { return static_cast<double>(v); };
        family state(out, "switchboard_mqtt_bridge_state", "1 for the MQTT bridge's current state",
                     gauge);
        for (std::string_view s : {"idle", "connecting", "connected", "reconnecting", "stopped"})
            state.add({{"state", s}}, s == b.state ? 1 : 0);
        family(out, "switchboard_mqtt_reconnects_total", "bridge connections after the first",
               counter)
            .add(n(b.reconnects));
        family(out, "switchboard_mqtt_connect_failures_total", "failed connection attempts",
               counter)
            .add(n(b.connect_failures));
        family(out, "switchboard_mqtt_clients", "MQTT clients registered through the bridge", gauge)
            .add(n(b.clients));
        family(out, "switchboard_mqtt_unacked_publishes",
               "inbox publishes awaiting the broker's PUBACK", gauge)
            .add(n(b.unacked));
        family(out, "switchboard_mqtt_published_total", "frames published to MQTT inboxes", counter)
            .add(n(b.published));
        family(out, "switchboard_mqtt_resent_publishes_total",
               "unacknowledged publishes sent again after a reconnect", counter)
            .add(n(b.resent));
        family(out, "switchboard_mqtt_expired_publishes_total",
               "unacknowledged publishes dropped past the resend window", counter)
            .add(n(b.expired));
        family(out, "switchboard_mqtt_abandoned_publishes_total",
               "publishes handed to a broker that went silent, not resent", counter)
            .add(n(b.abandoned));
        family(out, "switchboard_mqtt_watchdog_silences_total",
               "broker connections the watchdog gave up on (no answer within a keepalive)", counter)
            .add(n(b.silences));
        family(out, "switchboard_mqtt_refused_deliveries_total",
               "deliveries to MQTT clients refused (bridge down or too many unacked)", counter)
            .add(n(b.refused));
        family(out, "switchboard_mqtt_frames_in_total", "frames read from MQTT clients", counter)
            .add(n(b.frames_in));
        family(out, "switchboard_mqtt_refused_topics_total",
               "MQTT publishes refused for their topic (bad ID, unregistered sender)", counter)
            .add(n(b.refused_topics));
        family(out, "switchboard_mqtt_refused_statuses_total",
               "MQTT statuses refused as invalid (the ID counts as offline)", counter)
            .add(n(b.statuses_refused));
        family(out, "switchboard_mqtt_flood_refused_total",
               "frames of MQTT IDs over their frame rate, refused", counter)
            .add(n(b.flood_refused));
        family(out, "switchboard_mqtt_events_published_total",
               "WebSocket devices' events mirrored to MQTT", counter)
            .add(n(b.events_published));
    }

    const session_context& context_;
};

gateway_metrics::gateway_metrics(const session_context& context)
    : registry_(std::make_shared<prometheus::Registry>()),
      collector_(std::make_shared<core_collector>(context)) {
    prometheus::BuildGauge()
        .Name("switchboard_build_info")
        .Help("1, labelled with the gateway's version and node name")
        .Register(*registry_)
        .Add({{"version", SWITCHBOARD_VERSION}, {"node", context.config.node}})
        .Set(1);
}

gateway_metrics::~gateway_metrics() = default;

std::string gateway_metrics::scrape() const {
    auto families = registry_->Collect();
    auto core = collector_->Collect();
    families.insert(families.end(), std::make_move_iterator(core.begin()),
                    std::make_move_iterator(core.end()));
    return prometheus::TextSerializer().Serialize(families);
}

}  // namespace switchboard
