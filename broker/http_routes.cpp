#include "http_routes.hpp"

#include <fstream>
#include <sstream>

#include "core/static_path.hpp"
#include "operations_routes.hpp"

namespace switchboard {
namespace {

http_answer ws_without_upgrade(const http_request&, session_context&) {
    return {426, "text/plain; charset=utf-8", "no-store", "/ws takes a WebSocket upgrade\n"};
}

constexpr http_route routes[] = {
    {"/healthz", answer_healthz}, {"/readyz", answer_readyz},  {"/metrics", answer_metrics},
    {"/stats", answer_stats},     {"/ws", ws_without_upgrade},
};

}  // namespace

std::string_view content_type_for(std::string_view path) {
    auto ends = [&](std::string_view ext) { return path.ends_with(ext); };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".json")) return "application/json";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".ico")) return "image/x-icon";
    if (ends(".woff2")) return "font/woff2";
    if (ends(".txt")) return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

std::span<const http_route> http_routes() { return routes; }

http_answer answer_http(const http_request& request, session_context& context) {
    std::string_view path = request.target.substr(0, request.target.find('?'));
    for (const http_route& route : routes) {
        if (path == route.path) return route.answer(request, context);
    }
    if (!context.config.dashboard_dir.empty()) {
        if (auto file = resolve_static_file(context.config.dashboard_dir, path)) {
            std::ifstream in(*file, std::ios::binary);
            std::ostringstream body;
            body << in.rdbuf();
            // index.html is small and names the modules: always revalidate it.
            std::string cache =
                file->filename() == "index.html" ? "no-cache" : "public, max-age=300";
            return {200, std::string(content_type_for(file->string())), cache, body.str()};
        }
    }
    return {404, "text/plain; charset=utf-8", "no-store", "not found\n"};
}

}  // namespace switchboard
