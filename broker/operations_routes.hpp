#pragma once
// The HTTP answers for the people and tools who run the gateway
// (docs/operations.md): /healthz (liveness), /readyz (readiness), /metrics
// (Prometheus text) and /stats (the same counts as one JSON object, for
// scripts). /metrics and /stats answer only as the `metrics` section allows,
// read from the settings a reload may replace. http_routes lists them with
// the other fixed routes. No Beast here, so it is testable on its own; any
// I/O thread.

#include "http_routes.hpp"
#include "session_context.hpp"

namespace switchboard {

http_answer answer_healthz(const http_request& request, session_context& context);
http_answer answer_readyz(const http_request& request, session_context& context);
http_answer answer_metrics(const http_request& request, session_context& context);
http_answer answer_stats(const http_request& request, session_context& context);

}  // namespace switchboard
