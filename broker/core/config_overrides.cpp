#include "config_overrides.hpp"

#include <cstdlib>

#include "id_rules.hpp"
#include "secret_rules.hpp"

namespace switchboard {

void config_overrides::apply_to(gateway_config& config) const {
    if (address) config.listen_address = *address;
    if (port) config.listen_port = *port;
    if (threads) config.threads = *threads;
    if (node) {
        if (!node->empty() && !is_valid_id(*node)) throw config_error("--node: must be a valid ID");
        config.node = *node;
    }
    if (dashboard_dir) config.dashboard_dir = *dashboard_dir;
    if (log_level) {
        if (!is_valid_log_level(*log_level)) throw config_error("--log-level: unknown level");
        config.log_level = *log_level;
    }
    if (log_format && !parse_log_format(*log_format, config.log_format)) {
        throw config_error("--log-format: must be text or json");
    }
    if (duplicate_policy && !parse_duplicate_policy(*duplicate_policy, config.duplicates)) {
        throw config_error("--duplicate-id-policy: must be takeover or reject");
    }
    if (mqtt_url) {
        if (!is_valid_mqtt_url(*mqtt_url)) {
            throw config_error(
                "--mqtt-url: must be a tcp://, mqtt://, ssl://, mqtts://, ws:// or wss:// URL");
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
    if (mqtt_version && !parse_mqtt_version(*mqtt_version, config.mqtt.version)) {
        throw config_error("--mqtt-version: must be 3, 3.1.1 or 5");
    }
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
    if (auth_mode) {
        if (*auth_mode != "required" && *auth_mode != "disabled") {
            throw config_error("--auth: must be required or disabled");
        }
        config.auth.required = *auth_mode == "required";
    }
}

std::optional<std::string> jwt_secret_from_environment() {
    const char* secret = std::getenv("SWITCHBOARD_JWT_SECRET");
    if (secret == nullptr || *secret == '\0') return std::nullopt;
    return std::string(secret);
}

}  // namespace switchboard
