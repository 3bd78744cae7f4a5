#pragma once
// Plain HTTP answers of the gateway's listener: its fixed routes (/ws
// without an upgrade, and operations_routes' /healthz, /readyz, /metrics,
// /stats) and the dashboard's static files. No Beast here, so it is
// testable on its own. Every request reaches it only after the Host check
// (http_session).

#include <span>
#include <string>
#include <string_view>

#include "session_context.hpp"

namespace switchboard {

struct http_answer {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string cache_control = "no-store";
    std::string body;
    std::string www_authenticate;  // sent when not empty (a 401's challenge)
};

// What a route needs to know of a GET or HEAD request.
struct http_request {
    std::string_view target;         // path and query
    std::string_view authorization;  // the Authorization header, empty when absent
    bool from_loopback = false;      // the peer's address is 127.0.0.0/8 or ::1 (or v4-mapped)
};

// A path the gateway answers itself.
struct http_route {
    std::string_view path;
    http_answer (*answer)(const http_request& request, session_context& context);
};

// The fixed routes, matched before the dashboard's files (docs/protocol.md
// §2 lists them; tests/integration/docs_test.cpp checks that it does).
std::span<const http_route> http_routes();

// Answers a GET or HEAD: a fixed route, else a file under `dashboard_dir`,
// else 404.
http_answer answer_http(const http_request& request, session_context& context);

// The media type for a file name, by its extension.
std::string_view content_type_for(std::string_view path);

}  // namespace switchboard
