#include "operations_routes.hpp"

#include "core/counter_table.hpp"
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
// scripts (scripts/bench.sh) that read them as JSON: the gauges, then every
// counter of counter_table under its /stats key.
std::string stats_body(const session_context& context) {
    auto count = [](std::size_t n) { return static_cast<std::int64_t>(n); };
    const command_ledger& ledger = context.routing.ledger();
    json_writer out;
    out.string("node", context.config.node)
        .string("phase", to_string(context.phase.load()))
        .integer("sessions", count(context.sessions.size()))
        .integer("registered", count(context.routing.clients().size()))
        .integer("pending_commands", count(ledger.size()))
        .integer("queued_commands", count(ledger.queued_size()))
        .integer("queued_command_bytes", count(ledger.queued_bytes()));
    for (const counter_row& row : counter_table) {
        if (row.stats_key.empty()) continue;
        out.integer(
            row.stats_key,
            static_cast<std::int64_t>((context.stats.*row.member).load(std::memory_order_relaxed)));
    }
    out.raw("mqtt", context.bridge ? context.bridge->health_json()
                                   : std::string(R"({"state":"disabled"})"));
    return out.finish() + "\n";
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
        bridge_state = readiness_state(bridge);
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
