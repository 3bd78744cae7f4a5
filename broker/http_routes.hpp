#pragma once
// Plain HTTP answers of the gateway's listener: /healthz and static files
// of the dashboard. No Beast here, so it is testable on its own.

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

// Answers a GET or HEAD for `target` (path and query).
http_answer answer_http(std::string_view target, session_context& context);

// The media type for a file name, by its extension.
std::string_view content_type_for(std::string_view path);

}  // namespace switchboard
