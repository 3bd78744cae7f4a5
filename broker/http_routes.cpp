#include "http_routes.hpp"

#include <fstream>
#include <sstream>

#include "core/outbound_frame.hpp"
#include "core/static_path.hpp"

namespace switchboard {
namespace {

std::string healthz_body(session_context& context) {
    const counters& c = context.stats;
    auto n = [](const counters::counter& v) {
        return static_cast<std::int64_t>(v.load(std::memory_order_relaxed));
    };
    return json_writer{}
               .string("status", "ok")
               .string("node", context.config.node)
               .integer("sessions", static_cast<std::int64_t>(context.sessions.size()))
               .integer("registered", static_cast<std::int64_t>(context.routing.clients().size()))
               .integer("pending_commands",
                        static_cast<std::int64_t>(context.routing.pending().size()))
               .integer("commands_accepted", n(c.commands_accepted))
               .integer("commands_answered", n(c.commands_answered))
               .integer("command_timeouts", n(c.command_timeouts))
               .integer("commands_device_disconnected", n(c.commands_device_disconnected))
               .integer("late_responses", n(c.late_responses))
               .integer("bad_frames", n(c.bad_frames))
               .integer("slow_consumers_closed", n(c.slow_consumers_closed))
               .integer("unauthorized", n(c.unauthorized))
               .integer("forbidden", n(c.forbidden))
               .integer("rate_limited", n(c.rate_limited))
               .integer("connections_refused", n(c.connections_refused))
               .integer("origins_refused", n(c.origins_refused))
               .raw("mqtt", context.mqtt_health ? context.mqtt_health()
                                                : std::string(R"({"state":"disabled"})"))
               .finish() +
           "\n";
}

http_answer healthz(session_context& context) {
    return {200, "application/json", "no-store", healthz_body(context)};
}

http_answer ws_without_upgrade(session_context&) {
    return {426, "text/plain; charset=utf-8", "no-store", "/ws takes a WebSocket upgrade\n"};
}

constexpr http_route routes[] = {
    {"/healthz", healthz},
    {"/ws", ws_without_upgrade},
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

http_answer answer_http(std::string_view target, session_context& context) {
    std::string_view path = target.substr(0, target.find('?'));
    for (const http_route& route : routes) {
        if (path == route.path) return route.answer(context);
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
