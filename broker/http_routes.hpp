#pragma once
// Plain HTTP answers of the gateway's listener: its fixed routes (/healthz,
// /ws without an upgrade) and the dashboard's static files. No Beast here,
// so it is testable on its own.

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
};

// A path the gateway answers itself.
struct http_route {
    std::string_view path;
    http_answer (*answer)(session_context& context);
};

// The fixed routes, matched before the dashboard's files (docs/protocol.md
// §2 lists them; tests/unit/docs_test.cpp checks that it does).
std::span<const http_route> http_routes();

// Answers a GET or HEAD for `target` (path and query): a fixed route, else a
// file under `dashboard_dir`, else 404.
http_answer answer_http(std::string_view target, session_context& context);

// The media type for a file name, by its extension.
std::string_view content_type_for(std::string_view path);

}  // namespace switchboard
