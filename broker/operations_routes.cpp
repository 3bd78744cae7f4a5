#include "operations_routes.hpp"

#include "core/json_writer.hpp"
#include "metrics.hpp"

namespace switchboard {
namespace {

constexpr const char* json_type = "application/json";

std::string healthz_body(const session_context& context) {
    return json_writer{}
               .string("status", "ok")
               .string("node", context.config.node)
               .string("phase", to_string(context.phase.load()))
               .finish() +
           "\n";
}

// The counters /healthz showed before it became a liveness probe, for
// scripts (scripts/bench.sh) that read them as JSON.
std::string stats_body(const session_context& context) {
    const counters& c = context.stats;
    auto n = [](const counters::counter& v) {
        return static_cast<std::int64_t>(v.load(std::memory_order_relaxed));
    };
    return json_writer{}
               .string("node", context.config.node)
               .string("phase", to_string(context.phase.load()))
               .integer("sessions", static_cast<std::int64_t>(context.sessions.size()))
               .integer("registered", static_cast<std::int64_t>(context.routing.clients().size()))
               .integer("pending_commands",
                        static_cast<std::int64_t>(context.routing.ledger().size()))
               .integer("commands_accepted", n(c.commands_accepted))
               .integer("commands_answered", n(c.commands_answered))
               .integer("command_timeouts", n(c.command_timeouts))
               .integer("commands_device_disconnected", n(c.commands_device_disconnected))
               .integer("queued_commands",
                        static_cast<std::int64_t>(context.routing.ledger().queued_size()))
               .integer("queued_command_bytes",
                        static_cast<std::int64_t>(context.routing.ledger().queued_bytes()))
               .integer("commands_queued", n(c.commands_queued))
               .integer("commands_expired", n(c.commands_expired))
               .integer("commands_cancelled", n(c.commands_cancelled))
               .integer("late_responses", n(c.late_responses))
               .integer("bad_frames", n(c.bad_frames))
               .integer("slow_consumers_closed", n(c.slow_consumers_closed))
               .integer("unauthorized", n(c.unauthorized))
               .integer("forbidden", n(c.forbidden))
               .integer("rate_limited", n(c.rate_limited))
               .integer("connections_refused", n(c.connections_refused))
               .integer("origins_refused", n(c.origins_refused))
               .raw("mqtt", context.bridge ? context.bridge->health_json()
                                           : std::string(R"({"state":"disabled"})"))
               .finish() +
           "\n";
}

// nullopt when the request may read metrics; else the refusal.
std::optional<http_answer> refusal(const http_request& request, const session_context& context) {
    switch (context.settings.load()->metrics.check(request.from_loopback, request.authorization)) {
        case metrics_access::verdict::allowed:
            return std::nullopt;
        case metrics_access::verdict::not_loopback:
            return http_answer{403, "text/plain; charset=utf-8", "no-store",
                               "metrics are served to loopback only (metrics.allow)\n"};
        // RFC 6750's challenge: the scheme, and for a wrong token the error.
        case metrics_access::verdict::no_token:
            return http_answer{401, "text/plain; charset=utf-8", "no-store",
                               "a bearer token is required (metrics.bearer_token)\n",
                               R"(Bearer realm="switchboard")"};
        case metrics_access::verdict::bad_token:
            return http_answer{
                401, "text/plain; charset=utf-8", "no-store",
                "the bearer token is not the one configured (metrics.bearer_token)\n",
                R"(Bearer realm="switchboard", error="invalid_token")"};
    }
    return std::nullopt;
}

}  // namespace

http_answer answer_healthz(const http_request&, session_context& context) {
    return {200, json_type, "no-store", healthz_body(context)};
}

http_answer answer_readyz(const http_request&, session_context& context) {
    std::optional<std::string_view> bridge_state;
    bridge_stats bridge;
    if (context.bridge) {
        bridge = context.bridge->stats();
        bridge_state = bridge.state;
    }
    gateway_phase phase = context.phase.load();
    readiness r = assess_readiness(phase, bridge_state);
    return {r.ready ? 200u : 503u, json_type, "no-store",
            readiness_json(r, phase, bridge_state) + "\n"};
}

http_answer answer_metrics(const http_request& request, session_context& context) {
    if (auto refused = refusal(request, context)) return *refused;
    return {200, "text/plain; version=0.0.4; charset=utf-8", "no-store", context.metrics.scrape()};
}

http_answer answer_stats(const http_request& request, session_context& context) {
    if (auto refused = refusal(request, context)) return *refused;
    return {200, json_type, "no-store", stats_body(context)};
}

}  // namespace switchboard
