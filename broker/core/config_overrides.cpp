#include "config_overrides.hpp"

#include <cstdlib>
#include <stdexcept>

#include "id_rules.hpp"
#include "secret_rules.hpp"
#include "url_parts.hpp"

namespace switchboard {

namespace {

// A flag that takes one of a setting's words, as the config file does.
template <class T, std::size_t N>
void choose(std::string_view flag, const std::optional<std::string>& given,
            const named_value<T> (&table)[N], T& out) {
    if (!given) return;
    auto value = value_named(table, *given);
    if (!value) throw config_error(std::string(flag) + ": must be " + names_for_error(table));
    out = *value;
}

}  // namespace

void config_overrides::apply_to(gateway_config& config) const {
    if (address) config.listen_address = *address;
    if (port) config.listen_port = *port;
    if (threads) config.threads = *threads;
    if (node) {
        if (!node->empty() && !is_valid_id(*node)) throw config_error("--node: must be a valid ID");
        config.node = *node;
    }
    if (dashboard_dir) config.dashboard_dir = *dashboard_dir;
    choose("--log-level", log_level, log_level_names, config.log_level);
    choose("--log-format", log_format, log_format_names, config.log_format);
    choose("--duplicate-id-policy", duplicate_policy, duplicate_policy_names, config.duplicates);
    if (mqtt_url) {
        try {
            parse_bridge_url(*mqtt_url);
        } catch (const std::invalid_argument& e) {
            throw config_error(std::string("--mqtt-url ") + e.what());
        }
        config.mqtt.url = *mqtt_url;
        config.mqtt.enabled = true;
    }
    if (mqtt_client_id) {
        if (!is_valid_id(*mqtt_client_id))
            throw config_error("--mqtt-client-id: must be a valid ID");
        config.mqtt.client_id = *mqtt_client_id;
    }
    if (mqtt_username) config.mqtt.username = *mqtt_username;
    if (mqtt_password) {
        if (auto weakness = secret_weakness(*mqtt_password, 0)) {
            throw config_error("--mqtt-password " + *weakness);
        }
        config.mqtt.password = *mqtt_password;
    }
    choose("--mqtt-version", mqtt_version, mqtt_version_names, config.mqtt.version);
    if (mqtt_topic_prefix) {
        if (!is_valid_topic_prefix(*mqtt_topic_prefix)) {
            throw config_error("--mqtt-topic-prefix: not a valid prefix");
        }
        config.mqtt.topic_prefix = *mqtt_topic_prefix;
    }
    if (no_mqtt) config.mqtt.enabled = false;
    if (jwt_secret) {
        if (auto weakness = secret_weakness(*jwt_secret, min_jwt_secret_bytes)) {
            throw config_error("SWITCHBOARD_JWT_SECRET " + *weakness);
        }
        config.auth.jwt_secret = *jwt_secret;
    }
    choose("--auth", auth_mode, auth_mode_names, config.auth.required);
}

std::optional<std::string> jwt_secret_from_environment() {
    const char* secret = std::getenv("SWITCHBOARD_JWT_SECRET");
    if (secret == nullptr || *secret == '\0') return std::nullopt;
    return std::string(secret);
}

}  // namespace switchboard
