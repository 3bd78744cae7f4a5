#include "reload_plan.hpp"

#include <functional>

namespace switchboard {
namespace {

// A config section (or a top-level key) and whether it changes live. A path
// belongs to the first entry that is the path itself or one of its parents.
struct key_class {
    std::string_view section;
    bool live;
};

constexpr key_class key_classes[] = {
    {"node", false},  // sent in `registered`, names the bridge's client ID
    {"threads", false},       {"log_level", true},
    {"log_format", false},  // the log sink's formatter is set once
    {"dashboard_dir", false}, {"duplicate_id_policy", true},
    {"listen", false},        {"server_names", true},
    {"limits", true},  // new connections, frames and commands; see docs/operations.md
    {"timeouts", true},       {"mqtt", false},  // the bridge's broker session is built once
    {"tls.enabled", false},   {"tls.allow_plain", false},
    {"tls.cert_file", true},  {"tls.key_file", true},
    {"auth", true},           {"acl", true},
    {"origins", true},        {"metrics", true},  // who may read /metrics, per request
    {"admin", false},                             // the socket is bound once, at start
    {"store", false},                             // opened and loaded once, at start
};

bool within(std::string_view path, std::string_view section) {
    if (!path.starts_with(section)) return false;
    return path.size() == section.size() || path[section.size()] == '.' ||
           path[section.size()] == '[';
}

struct fixed_key {
    const char* path;
    std::function<bool(const gateway_config&, const gateway_config&)> same;
};

template <class Member>
fixed_key field(const char* path, Member member) {
    return {path, [member](const gateway_config& a, const gateway_config& b) {
                return std::invoke(member, a) == std::invoke(member, b);
            }};
}

template <class Member>
fixed_key mqtt_field(const char* path, Member member) {
    return {path, [member](const gateway_config& a, const gateway_config& b) {
                return std::invoke(member, a.mqtt) == std::invoke(member, b.mqtt);
            }};
}

template <class Member>
fixed_key mqtt_tls_field(const char* path, Member member) {
    return {path, [member](const gateway_config& a, const gateway_config& b) {
                return std::invoke(member, a.mqtt.tls) == std::invoke(member, b.mqtt.tls);
            }};
}

const std::vector<fixed_key>& fixed_keys() {
    static const std::vector<fixed_key> keys = {
        field("node", &gateway_config::node),
        field("threads", &gateway_config::threads),
        field("log_format", &gateway_config::log_format),
        field("dashboard_dir", &gateway_config::dashboard_dir),
        field("listen.address", &gateway_config::listen_address),
        field("listen.port", &gateway_config::listen_port),
        field("admin.socket", &gateway_config::admin_socket),
        {"store.path", [](const gateway_config& a,
                          const gateway_config& b) { return a.store.path == b.store.path; }},
        {"store.sync", [](const gateway_config& a,
                          const gateway_config& b) { return a.store.sync == b.store.sync; }},
        mqtt_field("mqtt.enabled", &mqtt_config::enabled),
        mqtt_field("mqtt.url", &mqtt_config::url),
        mqtt_field("mqtt.client_id", &mqtt_config::client_id),
        mqtt_field("mqtt.username", &mqtt_config::username),
        mqtt_field("mqtt.password", &mqtt_config::password),
        mqtt_field("mqtt.topic_prefix", &mqtt_config::topic_prefix),
        mqtt_field("mqtt.version", &mqtt_config::version),
        mqtt_field("mqtt.keepalive_s", &mqtt_config::keepalive),
        mqtt_field("mqtt.connect_timeout_ms", &mqtt_config::connect_timeout),
        mqtt_field("mqtt.reconnect_min_ms", &mqtt_config::reconnect_min),
        mqtt_field("mqtt.reconnect_max_ms", &mqtt_config::reconnect_max),
        mqtt_field("mqtt.shared_group", &mqtt_config::shared_group),
        mqtt_field("mqtt.resend_window_ms", &mqtt_config::resend_window),
        mqtt_field("mqtt.max_unacked", &mqtt_config::max_unacked),
        mqtt_field("mqtt.broker_authenticates", &mqtt_config::broker_authenticates),
        mqtt_tls_field("mqtt.tls.ca_file", &mqtt_tls_config::ca_file),
        mqtt_tls_field("mqtt.tls.cert_file", &mqtt_tls_config::cert_file),
        mqtt_tls_field("mqtt.tls.key_file", &mqtt_tls_config::key_file),
        mqtt_tls_field("mqtt.tls.key_password", &mqtt_tls_config::key_password),
        mqtt_tls_field("mqtt.tls.verify", &mqtt_tls_config::verify),
        {"tls.enabled", [](const gateway_config& a,
                           const gateway_config& b) { return a.tls.enabled == b.tls.enabled; }},
        {"tls.allow_plain",
         [](const gateway_config& a, const gateway_config& b) {
             return a.tls.allow_plain == b.tls.allow_plain;
         }},
    };
    return keys;
}

// The limits a router applies, without its ACL and its fixed or separately
// listed parts.
router_options router_limits(router_options o) {
    o.access = {};
    o.node.clear();
    o.duplicates = duplicate_policy::takeover;
    o.command_timeout_default = o.command_timeout_max = {};
    return o;
}

session_limits session_limits_only(session_limits s) {
    s.handshake_timeout = s.register_timeout = s.idle_timeout = {};
    return s;
}

bool same_timeouts(const gateway_config& a, const gateway_config& b) {
    return a.session.handshake_timeout == b.session.handshake_timeout &&
           a.session.register_timeout == b.session.register_timeout &&
           a.session.idle_timeout == b.session.idle_timeout &&
           a.routing.command_timeout_default == b.routing.command_timeout_default &&
           a.routing.command_timeout_max == b.routing.command_timeout_max && a.drain == b.drain;
}

std::string joined(const std::vector<std::string>& items, bool quoted) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ", ";
        out += quoted ? "'" + item + "'" : item;
    }
    return out;
}

}  // namespace

std::optional<bool> is_live_key(std::string_view path) {
    for (const key_class& k : key_classes) {
        if (within(path, k.section)) return k.live;
    }
    return std::nullopt;
}

reload_plan plan_reload(const gateway_config& running, const gateway_config& next) {
    reload_plan plan;
    for (const fixed_key& key : fixed_keys()) {
        if (!key.same(running, next)) plan.fixed_changes.emplace_back(key.path);
    }
    auto live = [&](bool changed, const char* part) {
        if (changed) plan.live_changes.emplace_back(part);
    };
    live(running.log_level != next.log_level, "log_level");
    live(running.duplicates != next.duplicates, "duplicate_id_policy");
    live(running.origins.server_names != next.origins.server_names, "server_names");
    live(session_limits_only(running.session) != session_limits_only(next.session) ||
             router_limits(running.routing) != router_limits(next.routing),
         "limits");
    live(!same_timeouts(running, next), "timeouts");
    live(next.tls.enabled, "tls certificate");
    live(running.auth != next.auth, "auth");
    live(running.routing.access != next.routing.access, "acl");
    live(running.origins.allowed != next.origins.allowed ||
             running.origins.allow_missing != next.origins.allow_missing,
         "origins");
    live(running.metrics != next.metrics, "metrics");
    return plan;
}

std::string reload_plan::refusal() const {
    return joined(fixed_changes, true) + " cannot change while running (restart to change " +
           (fixed_changes.size() == 1 ? "it" : "them") + ")";
}

std::vector<std::string> fixed_key_paths() {
    std::vector<std::string> paths;
    for (const fixed_key& key : fixed_keys()) paths.emplace_back(key.path);
    return paths;
}

std::string reload_plan::summary() const {
    return live_changes.empty() ? "nothing" : joined(live_changes, false);
}

}  // namespace switchboard
