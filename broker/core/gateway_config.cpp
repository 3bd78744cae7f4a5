#include "gateway_config.hpp"

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <vector>
#include <sstream>

#include "id_rules.hpp"

namespace switchboard {
namespace {

using json = nlohmann::json;

// Walks one JSON object of the config, remembering which keys were read so
// that any other key is reported as unknown.
class section_reader {
public:
    section_reader(const json& object, std::string path, const std::string& source)
        : object_(object), path_(std::move(path)), source_(source) {}

    section_reader(const section_reader&) = delete;
    section_reader(section_reader&&) = default;

    [[noreturn]] void fail(const std::string& key, const std::string& what) const {
        throw config_error(source_ + ": '" + qualified(key) + "' " + what);
    }

    const json* take(const std::string& key) {
        known_.insert(key);
        auto it = object_.find(key);
        return it == object_.end() ? nullptr : &*it;
    }

    void read(const std::string& key, std::string& out) {
        if (const json* v = take(key)) {
            if (!v->is_string()) fail(key, "must be a string");
            out = v->get<std::string>();
        }
    }

    template <class Int>
    void read_integer(const std::string& key, Int& out, std::int64_t min, std::int64_t max) {
        if (const json* v = take(key)) {
            if (!v->is_number_integer()) fail(key, "must be an integer");
            std::int64_t n = v->get<std::int64_t>();
            if (v->is_number_unsigned() && v->get<std::uint64_t>() > std::uint64_t(max)) n = max + 1;
            if (n < min || n > max) {
                fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
            }
            out = static_cast<Int>(n);
        }
    }

    void read_bool(const std::string& key, bool& out) {
        if (const json* v = take(key)) {
            if (!v->is_boolean()) fail(key, "must be true or false");
            out = v->get<bool>();
        }
    }

    void read_number(const std::string& key, double& out, double min, double max) {
        if (const json* v = take(key)) {
            if (!v->is_number()) fail(key, "must be a number");
            double d = v->get<double>();
            if (!(d >= min && d <= max)) {
                fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
            }
            out = d;
        }
    }

    void read_strings(const std::string& key, std::vector<std::string>& out) {
        if (const json* v = take(key)) {
            if (!v->is_array()) fail(key, "must be an array of strings");
            out.clear();
            for (const auto& item : *v) {
                if (!item.is_string()) fail(key, "must be an array of strings");
                out.push_back(item.get<std::string>());
            }
        }
    }

    void read_role(const std::string& key, std::optional<client_role>& out) {
        if (const json* v = take(key)) {
            if (!v->is_string() || !(out = parse_role(v->get<std::string>()))) {
                fail(key, "must be \"device\" or \"controller\"");
            }
        }
    }

    // Each element of the array `key`, which must hold objects.
    template <class Fn>
    void for_each_object(const std::string& key, Fn&& fn) {
        const json* v = take(key);
        if (v == nullptr) return;
        if (!v->is_array()) fail(key, "must be an array of objects");
        for (std::size_t i = 0; i < v->size(); ++i) {
            const json& item = (*v)[i];
            std::string name = key + "[" + std::to_string(i) + "]";
            if (!item.is_object()) fail(name, "must be an object");
            section_reader element(item, qualified(name), source_);
            fn(element);
            element.reject_unknown();
        }
    }

    void read_ms(const std::string& key, std::chrono::milliseconds& out, std::int64_t min,
                 std::int64_t max) {
        std::int64_t ms = out.count();
        read_integer(key, ms, min, max);
        out = std::chrono::milliseconds(ms);
    }

    section_reader section(const std::string& key) {
        const json* v = take(key);
        if (v == nullptr) return section_reader(empty_object(), qualified(key), source_);
        if (!v->is_object()) fail(key, "must be an object");
        return section_reader(*v, qualified(key), source_);
    }

    void reject_unknown() const {
        for (const auto& [key, value] : object_.items()) {
            if (!known_.contains(key)) fail(key, "is not a known setting");
        }
    }

private:
    static const json& empty_object() {
        static const json empty = json::object();
        return empty;
    }
    std::string qualified(const std::string& key) const {
        return path_.empty() ? key : path_ + "." + key;
    }

    const json& object_;
    std::string path_;
    const std::string& source_;
    std::set<std::string> known_;
};

constexpr std::int64_t one_day_ms = 24LL * 3600 * 1000;

// Static tokens and JWT secrets shorter than this are guessable.
constexpr std::size_t min_secret_bytes = 16;
constexpr std::size_t min_jwt_secret_bytes = 32;

void read_tls(section_reader tls, tls_options& out) {
    tls.read_bool("enabled", out.enabled);
    tls.read("cert_file", out.cert_file);
    tls.read("key_file", out.key_file);
    tls.read_bool("allow_plain", out.allow_plain);
    tls.reject_unknown();
}

void read_auth(section_reader auth, auth_options& out) {
    std::string mode = out.required ? "required" : "disabled";
    auth.read("mode", mode);
    if (mode != "required" && mode != "disabled") {
        auth.fail("mode", "must be \"required\" or \"disabled\"");
    }
    out.required = mode == "required";
    auth.for_each_object("tokens", [&](section_reader& t) {
        static_token token;
        t.read("token", token.token);
        if (token.token.size() < min_secret_bytes) {
            t.fail("token", "must be at least " + std::to_string(min_secret_bytes) + " bytes");
        }
        t.read("id", token.id);
        if (token.id.empty() || token.id.size() > 256) t.fail("id", "must be an ID glob");
        std::optional<client_role> role;
        t.read_role("role", role);
        if (!role) t.fail("role", "is required");
        token.role = *role;
        out.tokens.push_back(std::move(token));
    });
    section_reader jwt = auth.section("jwt");
    jwt.read("secret", out.jwt_secret);
    if (!out.jwt_secret.empty() && out.jwt_secret.size() < min_jwt_secret_bytes) {
        jwt.fail("secret", "must be at least " + std::to_string(min_jwt_secret_bytes) + " bytes");
    }
    std::int64_t leeway = out.jwt_leeway.count();
    jwt.read_integer("leeway_s", leeway, 0, 600);
    out.jwt_leeway = std::chrono::seconds(leeway);
    jwt.reject_unknown();
    auth.reject_unknown();
}

void read_acl(section_reader acl, access_options& out) {
    acl.read_bool("builtin_defaults", out.builtin_defaults);
    acl.for_each_object("rules", [&](section_reader& r) {
        access_rule rule;
        std::string effect;
        r.read("effect", effect);
        if (effect != "allow" && effect != "deny") r.fail("effect", "must be \"allow\" or \"deny\"");
        rule.allow = effect == "allow";
        std::string action = "any";
        r.read("action", action);
        if (action != "any" && !(rule.action = access_rules::parse_action(action))) {
            r.fail("action", "must be \"command\", \"message\" or \"any\"");
        }
        r.read("from", rule.from);
        r.read("to", rule.to);
        r.read_role("from_role", rule.from_role);
        r.read_role("to_role", rule.to_role);
        r.read_strings("commands", rule.names);
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
    origins.read_bool("allow_missing", out.allow_missing);
    origins.reject_unknown();
}

}  // namespace

bool parse_duplicate_policy(std::string_view text, duplicate_policy& out) noexcept {
    if (text == "takeover") {
        out = duplicate_policy::takeover;
    } else if (text == "reject") {
        out = duplicate_policy::reject;
    } else {
        return false;
    }
    return true;
}

bool is_valid_log_level(std::string_view level) noexcept {
    return level == "trace" || level == "debug" || level == "info" || level == "warn" ||
           level == "error" || level == "critical" || level == "off";
}

void gateway_config::finalize() {
    routing.node = node;
    routing.duplicates = duplicates;
    routing.max_message_bytes = session.max_message_bytes;
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
        throw config_error("'tls.allow_plain' is false but TLS is not enabled: nothing could connect");
    }
}

gateway_config parse_config(std::string_view text, const std::string& source) {
    json doc = json::parse(text, nullptr, false, /*ignore_comments=*/true);
    if (doc.is_discarded()) throw config_error(source + ": not valid JSON");
    if (!doc.is_object()) throw config_error(source + ": must hold a JSON object");

    gateway_config c;
    section_reader root(doc, "", source);
    root.read("node", c.node);
    if (!c.node.empty() && !is_valid_id(c.node)) root.fail("node", "must be a valid ID");
    root.read_integer("threads", c.threads, 0, 256);
    root.read("log_level", c.log_level);
    if (!is_valid_log_level(c.log_level)) {
        root.fail("log_level", "must be one of trace, debug, info, warn, error, critical, off");
    }
    root.read("dashboard_dir", c.dashboard_dir);
    std::string policy = "takeover";
    root.read("duplicate_id_policy", policy);
    if (!parse_duplicate_policy(policy, c.duplicates)) {
        root.fail("duplicate_id_policy", "must be \"takeover\" or \"reject\"");
    }

    section_reader listen = root.section("listen");
    listen.read("address", c.listen_address);
    listen.read_integer("port", c.listen_port, 0, 65535);
    listen.reject_unknown();

    section_reader limits = root.section("limits");
    limits.read_integer("max_message_bytes", c.session.max_message_bytes, 256, 16 << 20);
    limits.read_integer("outbound_queue_bytes", c.session.outbound_queue_bytes, 4096, 1LL << 30);
    limits.read_integer("outbound_queue_frames", c.session.outbound_queue_frames, 1, 1 << 20);
    limits.read_integer("max_pending_commands", c.routing.max_pending_per_controller, 1, 1 << 20);
    limits.read_integer("max_subscriptions", c.routing.max_subscriptions, 1, 1 << 20);
    limits.read_integer("list_limit_default", c.routing.list_limit_default, 1, 1 << 20);
    limits.read_integer("list_limit_max", c.routing.list_limit_max, 1, 1 << 20);
    limits.read_integer("max_connections", c.session.max_connections, 0, 1 << 24);
    limits.read_integer("max_connections_per_address", c.session.max_connections_per_address, 0,
                        1 << 24);
    limits.read_number("frames_per_second", c.session.rate.frames_per_second, 0, 1e6);
    limits.read_number("frame_burst", c.session.rate.burst, 1, 1e6);
    limits.read_integer("rate_limit_close_after", c.session.rate.close_after, 1, 1 << 20);
    limits.read_bool("permessage_deflate", c.session.permessage_deflate);
    limits.reject_unknown();
    if (c.routing.list_limit_default > c.routing.list_limit_max) {
        limits.fail("list_limit_default", "must not exceed limits.list_limit_max");
    }

    section_reader timeouts = root.section("timeouts");
    timeouts.read_ms("handshake_ms", c.session.handshake_timeout, 100, one_day_ms);
    timeouts.read_ms("register_ms", c.session.register_timeout, 100, one_day_ms);
    timeouts.read_ms("idle_ms", c.session.idle_timeout, 1000, one_day_ms);
    timeouts.read_ms("command_default_ms", c.routing.command_timeout_default, 1, one_day_ms);
    timeouts.read_ms("command_max_ms", c.routing.command_timeout_max, 1, one_day_ms);
    timeouts.reject_unknown();
    if (c.routing.command_timeout_default > c.routing.command_timeout_max) {
        timeouts.fail("command_default_ms", "must not exceed timeouts.command_max_ms");
    }

    read_tls(root.section("tls"), c.tls);
    read_auth(root.section("auth"), c.auth);
    read_acl(root.section("acl"), c.routing.access);
    read_origins(root.section("origins"), c.origins);

    root.reject_unknown();
    return c;
}

gateway_config load_config(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error(path.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), path.string());
}

}  // namespace switchboard
