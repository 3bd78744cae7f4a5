#pragma once
// The command-line flags that override a config file's keys, as given (an
// absent flag leaves its key alone). Applied once at start-up, after the
// file is read and before the config is checked as a whole.

#include <cstdint>
#include <optional>
#include <string>

#include "gateway_config.hpp"

namespace switchboard {

struct config_overrides {
    std::optional<std::string> address;           // listen.address
    std::optional<std::uint16_t> port;            // listen.port
    std::optional<unsigned> threads;              // threads
    std::optional<std::string> log_level;         // log_level
    std::optional<std::string> log_format;        // log_format
    std::optional<std::string> node;              // node
    std::optional<std::string> dashboard_dir;     // dashboard_dir (relative: to the working folder)
    std::optional<std::string> duplicate_policy;  // duplicate_id_policy
    std::optional<std::string> auth_mode;         // auth.mode
    std::optional<std::string> mqtt_url;          // mqtt.url; also enables the bridge
    std::optional<std::string> mqtt_client_id;    // mqtt.client_id
    std::optional<std::string> mqtt_username;     // mqtt.username
    std::optional<std::string> mqtt_password;     // mqtt.password
    std::optional<std::string> mqtt_version;      // mqtt.version
    std::optional<std::string> mqtt_topic_prefix;  // mqtt.topic_prefix
    bool no_mqtt = false;                          // mqtt.enabled = false, whatever else says
    std::optional<std::string> jwt_secret;         // auth.jwt.secret, from SWITCHBOARD_JWT_SECRET

    // Writes each given flag over `config`. Throws config_error naming the
    // flag ("--mqtt-url: ...") when its value is not valid for its key.
    void apply_to(gateway_config& config) const;
};

// SWITCHBOARD_JWT_SECRET, when set and not empty: the JWT secret kept out of
// the config file. The gateway and the broker plugin (bridge/mosquitto_auth)
// both read it here and apply it as config_overrides::jwt_secret, so both
// take the same secret and refuse a weak one the same way.
std::optional<std::string> jwt_secret_from_environment();

}  // namespace switchboard
