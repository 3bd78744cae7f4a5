#include "config_printer.hpp"

namespace switchboard {
namespace {

using json = nlohmann::ordered_json;

std::string mask(const std::string& secret) {
    return secret.empty() ? std::string() : std::string(masked_secret);
}

json role_or_null(const std::optional<client_role>& role) {
    return role ? json(std::string(to_string(*role))) : json();
}

json mqtt_json(const mqtt_config& m) {
    return {
        {"enabled", m.enabled},
        {"url", m.url},
        {"client_id", m.client_id},
        {"username", m.username},
        {"password", mask(m.password)},
        {"topic_prefix", m.topic_prefix},
        {"version", m.version == mqtt_version::v5 ? json(5) : json("3.1.1")},
        {"keepalive_s", m.keepalive.count()},
        {"connect_timeout_ms", m.connect_timeout.count()},
        {"reconnect_min_ms", m.reconnect_min.count()},
        {"reconnect_max_ms", m.reconnect_max.count()},
        {"shared_group", m.shared_group},
        {"resend_window_ms", m.resend_window.count()},
        {"max_unacked", m.max_unacked},
        {"broker_authenticates", m.broker_authenticates},
        {"tls",
         {{"ca_file", m.tls.ca_file},
          {"cert_file", m.tls.cert_file},
          {"key_file", m.tls.key_file},
          {"key_password", mask(m.tls.key_password)},
          {"verify", m.tls.verify}}},
    };
}

json auth_json(const auth_options& a) {
    json tokens = json::array();
    for (const auto& t : a.tokens) {
        tokens.push_back({{"token", mask(t.token)}, {"id", t.id}, {"role", to_string(t.role)}});
    }
    return {
        {"mode", a.required ? "required" : "disabled"},
        {"tokens", tokens},
        {"jwt",
         {{"secret", mask(a.jwt_secret)},
          {"leeway_s", a.jwt_leeway.count()},
          {"audience", a.jwt_audience},
          {"issuer", a.jwt_issuer},
          {"close_on_expiry", a.close_on_expiry}}},
    };
}

json acl_json(const access_options& acl) {
    json rules = json::array();
    for (const auto& r : acl.rules) {
        json rule = {{"effect", r.allow ? "allow" : "deny"},
                     {"action", !r.action                             ? "any"
                                : *r.action == access_action::command ? "command"
                                                                      : "message"},
                     {"from", r.from},
                     {"to", r.to},
                     {"commands", r.names}};
        if (r.from_role) rule["from_role"] = role_or_null(r.from_role);
        if (r.to_role) rule["to_role"] = role_or_null(r.to_role);
        rules.push_back(std::move(rule));
    }
    return {{"builtin_defaults", acl.builtin_defaults}, {"rules", rules}};
}

}  // namespace

json printable_config(const gateway_config& c) {
    const session_limits& s = c.session;
    const router_options& r = c.routing;
    return {
        {"node", c.node},
        {"listen", {{"address", c.listen_address}, {"port", c.listen_port}}},
        {"server_names", c.origins.server_names},
        {"threads", c.threads},
        {"log_level", to_string(c.log_level)},
        {"log_format", to_string(c.log_format)},
        {"dashboard_dir", c.dashboard_dir},
        {"duplicate_id_policy", c.duplicates == duplicate_policy::reject ? "reject" : "takeover"},
        {"limits",
         {{"max_message_bytes", s.max_message_bytes},
          {"register_message_bytes", s.register_message_bytes},
          {"max_meta_bytes", s.max_meta_bytes},
          {"outbound_queue_bytes", s.outbound_queue_bytes},
          {"outbound_queue_frames", s.outbound_queue_frames},
          {"max_pending_commands", r.max_pending_per_controller},
          {"max_queued_per_device", r.max_queued_per_device},
          {"max_queued_bytes", r.max_queued_bytes},
          {"recovery_window_ms", r.recovery.window.count()},
          {"recovery_max_per_controller", r.recovery.per_controller},
          {"recovery_max_bytes", r.recovery.total_bytes},
          {"max_subscriptions", r.max_subscriptions},
          {"list_limit_default", r.list_limit_default},
          {"list_limit_max", r.list_limit_max},
          {"list_max_bytes", r.list_max_bytes},
          {"max_connections", s.max_connections},
          {"max_connections_per_address", s.max_connections_per_address},
          {"frames_per_second", s.rate.frames_per_second},
          {"frame_burst", s.rate.burst},
          {"rate_limit_close_after", s.rate.close_after},
          {"permessage_deflate", s.permessage_deflate}}},
        {"timeouts",
         {{"handshake_ms", s.handshake_timeout.count()},
          {"register_ms", s.register_timeout.count()},
          {"idle_ms", s.idle_timeout.count()},
          {"command_default_ms", r.command_timeout_default.count()},
          {"command_max_ms", r.command_timeout_max.count()},
          {"drain_ms", c.drain.count()}}},
        {"mqtt", mqtt_json(c.mqtt)},
        {"tls",
         {{"enabled", c.tls.enabled},
          {"cert_file", c.tls.cert_file},
          {"key_file", c.tls.key_file},
          {"allow_plain", c.tls.allow_plain}}},
        {"auth", auth_json(c.auth)},
        {"acl", acl_json(r.access)},
        {"origins", {{"allowed", c.origins.allowed}, {"allow_missing", c.origins.allow_missing}}},
        {"admin", {{"socket", c.admin_socket}}},
        {"store", {{"path", c.store.path}, {"sync", name_of(store_sync_names, c.store.sync)}}},
        {"metrics",
         {{"allow", c.metrics.loopback_only ? "loopback" : "any"},
          {"bearer_token", mask(c.metrics.bearer_token)}}},
    };
}

}  // namespace switchboard
