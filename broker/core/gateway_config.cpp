#include "gateway_config.hpp"

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "config_reader.hpp"
#include "id_rules.hpp"
#include "secret_rules.hpp"
#include "tls_key_pair.hpp"
#include "url_parts.hpp"

namespace switchboard {
namespace {

using json = nlohmann::json;

using section_reader = config_reader;

constexpr std::int64_t one_day_ms = 24LL * 3600 * 1000;

// The whole content of a file a config key names; config_error naming the
// key when it cannot be read.
std::string read_file_of(section_reader& r, const std::string& key, const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) r.fail(key, "names " + file + ", which cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Refuses a placeholder, short or monotonous secret, naming its key.
void check_secret(section_reader& r, const std::string& key, std::string_view secret,
                  std::size_t min_bytes) {
    if (auto weakness = secret_weakness(secret, min_bytes)) r.fail(key, *weakness);
}

// A secret given in the config (`key`) or in a file of its own (`file_key`,
// trailing line ends removed), not both; optional, at least `min_bytes`
// when given.
void read_secret_or_file(section_reader& r, const std::string& key, const std::string& file_key,
                         std::string& out, std::size_t min_bytes) {
    r.read(key, out);
    if (!out.empty()) check_secret(r, key, out, min_bytes);
    std::string file;
    r.read(file_key, file);
    if (file.empty()) return;
    if (!out.empty()) r.fail(file_key, "and " + r.qualified(key) + " exclude each other");
    out = trim_secret(read_file_of(r, file_key, file));
    check_secret(r, file_key, out, min_bytes);
}

void read_mqtt(section_reader mqtt, mqtt_config& m) {
    mqtt.read("enabled", m.enabled);
    mqtt.read("url", m.url);
    try {
        parse_bridge_url(m.url);
    } catch (const std::invalid_argument& e) {
        mqtt.fail("url", std::string("is ") + e.what());  // "is 'tcp://h:': the port is empty"
    }
    mqtt.read("client_id", m.client_id);
    if (!m.client_id.empty() && !is_valid_id(m.client_id)) {
        mqtt.fail("client_id", "must be a valid ID (1-128 of A-Z a-z 0-9 . _ : @ -)");
    }
    mqtt.read("username", m.username);
    mqtt.read("password", m.password);
    check_secret(mqtt, "password", m.password, 0);
    mqtt.read("topic_prefix", m.topic_prefix);
    if (!is_valid_topic_prefix(m.topic_prefix)) {
        mqtt.fail(
            "topic_prefix",
            "must be topic levels without + # $ or empty levels, like \"sb\" or \"plant-3/sb\"");
    }
    if (const json* v = mqtt.take("version", m.version == mqtt_version::v5 ? "5" : "\"3.1.1\"")) {
        std::string text;
        if (v->is_number_integer()) {
            text = std::to_string(v->get<std::int64_t>());
        } else if (v->is_string()) {
            text = v->get<std::string>();
        }
        auto version = value_named(mqtt_version_names, text);
        if (!version) mqtt.fail("version", "must be " + names_for_error(mqtt_version_names));
        m.version = *version;
    }
    std::int64_t keepalive = m.keepalive.count();
    mqtt.read_integer("keepalive_s", keepalive, 1, 65535);
    m.keepalive = std::chrono::seconds(keepalive);
    mqtt.read_ms("connect_timeout_ms", m.connect_timeout, 100, one_day_ms);
    mqtt.read_ms("reconnect_min_ms", m.reconnect_min, 1, one_day_ms);
    mqtt.read_ms("reconnect_max_ms", m.reconnect_max, 1, one_day_ms);
    if (m.reconnect_min > m.reconnect_max) {
        mqtt.fail("reconnect_min_ms", "must not exceed mqtt.reconnect_max_ms");
    }
    mqtt.read("shared_group", m.shared_group);
    if (!m.shared_group.empty() && !is_valid_id(m.shared_group)) {
        mqtt.fail("shared_group", "must be empty or a valid ID");
    }
    mqtt.read_ms("resend_window_ms", m.resend_window, 1000, one_day_ms);
    mqtt.read_integer("max_unacked", m.max_unacked, 1, 1 << 24);
    mqtt.read("broker_authenticates", m.broker_authenticates);

    section_reader tls = mqtt.object("tls");
    tls.read("ca_file", m.tls.ca_file);
    tls.read("cert_file", m.tls.cert_file);
    tls.read("key_file", m.tls.key_file);
    tls.read("key_password", m.tls.key_password);
    check_secret(tls, "key_password", m.tls.key_password, 0);
    tls.read("verify", m.tls.verify);
    tls.reject_unknown();
    mqtt.reject_unknown();
}

void read_role(section_reader& r, const std::string& key, std::optional<client_role>& out) {
    // Optional, so not read_choice: an absent role means either.
    if (const json* v = r.take(key)) {
        if (!v->is_string() || !(out = parse_role(v->get<std::string>()))) {
            r.fail(key, "must be " + names_for_error(role_names));
        }
    }
}

void read_token(section_reader& t, auth_options& out) {
    static_token token;
    t.read("token", token.token);
    check_secret(t, "token", token.token, min_token_bytes);
    t.read("id", token.id);
    if (token.id.empty() || token.id.size() > 256) t.fail("id", "must be an ID glob");
    std::optional<client_role> role;
    read_role(t, "role", role);
    if (!role) t.fail("role", "is required");
    token.role = *role;
    out.tokens.push_back(std::move(token));
}

void read_tls(section_reader tls, tls_options& out) {
    tls.read("enabled", out.enabled);
    tls.read("cert_file", out.cert_file);
    tls.read("key_file", out.key_file);
    tls.read("allow_plain", out.allow_plain);
    tls.reject_unknown();
}

void read_auth(section_reader auth, auth_options& out) {
    auth.read_choice("mode", out.required, auth_mode_names);
    auth.for_each_object("tokens", [&](section_reader& t) { read_token(t, out); });
    // The same list in a file of its own, so the config holds no secret.
    std::string tokens_file;
    auth.read("tokens_file", tokens_file);
    if (!tokens_file.empty()) {
        json tokens = json::parse(read_file_of(auth, "tokens_file", tokens_file), nullptr, false,
                                  /*ignore_comments=*/true);
        if (!tokens.is_array()) {
            auth.fail("tokens_file",
                      "names " + tokens_file + ", which must hold a JSON array of tokens");
        }
        json wrapper = {{"tokens", std::move(tokens)}};
        section_reader file(wrapper, "", tokens_file);
        file.for_each_object("tokens", [&](section_reader& t) { read_token(t, out); });
    }
    section_reader jwt = auth.object("jwt");
    read_secret_or_file(jwt, "secret", "secret_file", out.jwt_secret, min_jwt_secret_bytes);
    std::int64_t leeway = out.jwt_leeway.count();
    jwt.read_integer("leeway_s", leeway, 0, 600);
    out.jwt_leeway = std::chrono::seconds(leeway);
    jwt.read("audience", out.jwt_audience);
    jwt.read("issuer", out.jwt_issuer);
    jwt.read("close_on_expiry", out.close_on_expiry);
    jwt.reject_unknown();
    auth.reject_unknown();
}

void read_acl(section_reader acl, access_options& out) {
    acl.read("builtin_defaults", out.builtin_defaults);
    acl.for_each_object("rules", [&](section_reader& r) {
        access_rule rule;
        if (!r.read_choice("effect", rule.allow, rule_effect_names)) {
            r.fail("effect", "is required: " + names_for_error(rule_effect_names));
        }
        r.read_choice("action", rule.action, rule_action_names);
        r.read("from", rule.from);
        r.read("to", rule.to);
        constexpr const char* glob_grammar =
            "is not a glob of the name grammar (A-Z a-z 0-9 . _ : @ - and the wildcards * ?)";
        if (!is_valid_name_glob(rule.from)) r.fail("from", glob_grammar);
        if (!is_valid_name_glob(rule.to)) r.fail("to", glob_grammar);
        read_role(r, "from_role", rule.from_role);
        read_role(r, "to_role", rule.to_role);
        r.read_strings("commands", rule.names);
        for (const auto& name : rule.names) {
            if (!is_valid_name_glob(name))
                r.fail("commands", "holds '" + name + "', which " + glob_grammar);
        }
        out.rules.push_back(std::move(rule));
    });
    acl.reject_unknown();
}

void read_origins(section_reader origins, origin_options& out) {
    origins.read_strings("allowed", out.allowed);
    for (const auto& o : out.allowed) {
        if (o != "null" && !origin_policy::is_well_formed(o)) {
            origins.fail("allowed", "holds '" + o + "', not an origin like https://host[:port]");
        }
    }
    origins.read("allow_missing", out.allow_missing);
    origins.reject_unknown();
}

void read_server_names(section_reader& root, origin_options& out) {
    root.read_strings("server_names", out.server_names);
    for (const auto& n : out.server_names) {
        if (!origin_policy::is_valid_server_name(n)) {
            root.fail("server_names", "holds '" + n + "', not a host name or IP address");
        }
    }
}

void read_metrics(section_reader metrics, metrics_options& out) {
    metrics.read_choice("allow", out.loopback_only, metrics_allow_names);
    read_secret_or_file(metrics, "bearer_token", "token_file", out.bearer_token, min_token_bytes);
    metrics.reject_unknown();
}

void read_admin(section_reader admin, std::string& socket) {
    admin.read("socket", socket);
    // sockaddr_un holds 108 bytes with the terminating NUL.
    if (!socket.empty() && (socket.front() != '/' || socket.size() > 107)) {
        admin.fail("socket", "must be an absolute path of at most 107 bytes");
    }
    admin.reject_unknown();
}

void read_store(section_reader store, store_options& out) {
    store.read("path", out.path);
    store.read_choice("sync", out.sync, store_sync_names);
    store.reject_unknown();
}

}  // namespace

std::string_view to_string(log_level level) noexcept { return name_of(log_level_names, level); }

std::string_view to_string(log_line_format format) noexcept {
    return name_of(log_format_names, format);
}

void gateway_config::finalize() {
    routing.node = node;
    routing.duplicates = duplicates;
    routing.max_message_bytes = session.max_message_bytes;
    origins.listen_address = listen_address;
}

intake_limits intake_limits_of(const gateway_config& c) noexcept {
    return {c.session.max_message_bytes, c.session.max_meta_bytes};
}

void check_security(const gateway_config& c) {
    if (c.auth.required && c.auth.tokens.empty() && c.auth.jwt_secret.empty()) {
        throw config_error(
            "'auth.mode' is \"required\" but neither auth.tokens nor auth.jwt.secret is set; "
            "set auth.mode to \"disabled\" explicitly to run without authentication");
    }
    if (c.tls.enabled && (c.tls.cert_file.empty() || c.tls.key_file.empty())) {
        throw config_error("'tls.enabled' needs tls.cert_file and tls.key_file");
    }
    if (!c.tls.enabled && !c.tls.allow_plain) {
        throw config_error(
            "'tls.allow_plain' is false but TLS is not enabled: nothing could connect");
    }
}

void check_files(const gateway_config& c) {
    if (!c.admin_socket.empty()) {
        std::error_code ec;
        auto folder = std::filesystem::path(c.admin_socket).parent_path();
        if (!std::filesystem::is_directory(folder, ec)) {
            throw config_error("'admin.socket': " + c.admin_socket + ": its folder " +
                               folder.string() + " does not exist");
        }
    }
    if (c.tls.enabled) {
        check_tls_key_pair(c.tls.cert_file, c.tls.key_file, "tls.cert_file", "tls.key_file");
    }
    if (!c.dashboard_dir.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_directory(c.dashboard_dir, ec)) {
            // Named as resolved: a relative path given by a flag is taken from the
            // working directory (load_config resolves one from a file already).
            std::string resolved;
            if (std::filesystem::path(c.dashboard_dir).is_relative()) {
                resolved = " (" + std::filesystem::absolute(c.dashboard_dir, ec).string() + ")";
            }
            throw config_error("'dashboard_dir': " + c.dashboard_dir + resolved +
                               " is not a folder");
        }
    }
}

namespace {

gateway_config read_config(const json& doc, const std::string& source,
                           std::vector<config_key>* keys) {
    gateway_config c;
    section_reader root(doc, "", source, keys);
    root.read("node", c.node);
    if (!c.node.empty() && !is_valid_id(c.node)) root.fail("node", "must be a valid ID");
    root.read_integer("threads", c.threads, 0, 256);
    root.read_choice("log_level", c.log_level, log_level_names);
    root.read_choice("log_format", c.log_format, log_format_names);
    root.read("dashboard_dir", c.dashboard_dir);
    root.read_choice("duplicate_id_policy", c.duplicates, duplicate_policy_names);

    section_reader listen = root.object("listen");
    listen.read("address", c.listen_address);
    listen.read_integer("port", c.listen_port, 0, 65535);
    listen.reject_unknown();
    read_server_names(root, c.origins);

    section_reader limits = root.object("limits");
    limits.read_integer("max_message_bytes", c.session.max_message_bytes, 256, 16 << 20);
    limits.read_integer("register_message_bytes", c.session.register_message_bytes, 256, 16 << 20);
    limits.read_integer("max_meta_bytes", c.session.max_meta_bytes, 2, 1 << 20);
    limits.read_integer("outbound_queue_bytes", c.session.outbound_queue_bytes, 4096, 1LL << 30);
    limits.read_integer("outbound_queue_frames", c.session.outbound_queue_frames, 1, 1 << 20);
    limits.read_integer("max_pending_commands", c.routing.max_pending_per_controller, 1, 1 << 20);
    limits.read_integer("max_queued_per_device", c.routing.max_queued_per_device, 1, 1 << 20);
    limits.read_integer("max_queued_bytes", c.routing.max_queued_bytes, 4096, 1LL << 34);
    limits.read_ms("recovery_window_ms", c.routing.recovery.window, 0, one_day_ms);
    limits.read_integer("recovery_max_per_controller", c.routing.recovery.per_controller, 1,
                        1 << 20);
    limits.read_integer("recovery_max_bytes", c.routing.recovery.total_bytes, 4096, 1LL << 34);
    limits.read_integer("max_subscriptions", c.routing.max_subscriptions, 1, 1 << 20);
    limits.read_integer("list_limit_default", c.routing.list_limit_default, 1, 1 << 20);
    limits.read_integer("list_limit_max", c.routing.list_limit_max, 1, 1 << 20);
    limits.read_integer("list_max_bytes", c.routing.list_max_bytes, 4096, 1 << 30);
    limits.read_integer("max_connections", c.session.max_connections, 0, 1 << 24);
    limits.read_integer("max_connections_per_address", c.session.max_connections_per_address, 0,
                        1 << 24);
    limits.read_number("frames_per_second", c.session.rate.frames_per_second, 0, 1e6);
    limits.read_number("frame_burst", c.session.rate.burst, 1, 1e6);
    limits.read_integer("rate_limit_close_after", c.session.rate.close_after, 1, 1 << 20);
    limits.read("permessage_deflate", c.session.permessage_deflate);
    limits.reject_unknown();
    if (c.routing.list_limit_default > c.routing.list_limit_max) {
        limits.fail("list_limit_default", "must not exceed limits.list_limit_max");
    }

    section_reader timeouts = root.object("timeouts");
    timeouts.read_ms("handshake_ms", c.session.handshake_timeout, 100, one_day_ms);
    timeouts.read_ms("register_ms", c.session.register_timeout, 100, one_day_ms);
    timeouts.read_ms("idle_ms", c.session.idle_timeout, 1000, one_day_ms);
    timeouts.read_ms("command_default_ms", c.routing.command_timeout_default, 1, one_day_ms);
    timeouts.read_ms("command_max_ms", c.routing.command_timeout_max, 1, one_day_ms);
    timeouts.read_ms("drain_ms", c.drain, 0, 600000);
    timeouts.reject_unknown();
    if (c.routing.command_timeout_default > c.routing.command_timeout_max) {
        timeouts.fail("command_default_ms", "must not exceed timeouts.command_max_ms");
    }

    read_mqtt(root.object("mqtt"), c.mqtt);
    read_tls(root.object("tls"), c.tls);
    read_auth(root.object("auth"), c.auth);
    read_acl(root.object("acl"), c.routing.access);
    read_origins(root.object("origins"), c.origins);
    read_metrics(root.object("metrics"), c.metrics);
    read_admin(root.object("admin"), c.admin_socket);
    read_store(root.object("store"), c.store);

    root.reject_unknown();
    return c;
}

}  // namespace

gateway_config parse_config(std::string_view text, const std::string& source) {
    json doc = section_reader::parse_document(text, source);
    return read_config(doc, source, nullptr);
}

std::vector<config_key> config_keys() {
    // One element in each array of objects, so that its elements' keys are read too.
    static const json sample = json::parse(R"({
        "auth": {"tokens": [{"token": "0123456789abcdef", "id": "any", "role": "device"}]},
        "acl": {"rules": [{"effect": "allow"}]}
    })");
    std::vector<config_key> keys;
    read_config(sample, "(key table)", &keys);
    return keys;
}

std::string admin_socket_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error(path + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    json doc = section_reader::parse_document(text.str(), path);
    auto admin = doc.find("admin");
    if (admin != doc.end() && admin->is_object()) {
        auto socket = admin->find("socket");
        if (socket != admin->end() && socket->is_string() && !socket->get<std::string>().empty()) {
            return socket->get<std::string>();
        }
    }
    throw config_error(path +
                       ": 'admin.socket' is not set (the running gateway is reached through it)");
}

gateway_config load_config(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error(path.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    gateway_config c = parse_config(text.str(), path.string());
    if (!c.dashboard_dir.empty() && std::filesystem::path(c.dashboard_dir).is_relative()) {
        std::filesystem::path folder = std::filesystem::absolute(path).parent_path();
        c.dashboard_dir = (folder / c.dashboard_dir).lexically_normal().string();
    }
    if (!c.store.path.empty() && std::filesystem::path(c.store.path).is_relative()) {
        std::filesystem::path folder = std::filesystem::absolute(path).parent_path();
        c.store.path = (folder / c.store.path).lexically_normal().string();
    }
    return c;
}

}  // namespace switchboard
