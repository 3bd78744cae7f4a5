// Flags over a config file: each given flag replaces its key, an absent one
// leaves it, and a bad value is refused naming the flag.

#include "core/config_overrides.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace switchboard {
namespace {

gateway_config from_file() {
    return parse_config(R"({
        "node": "gw-file", "listen": {"address": "10.0.0.1", "port": 9000}, "threads": 3,
        "log_level": "warn", "log_format": "json", "dashboard_dir": "/srv/dash",
        "duplicate_id_policy": "reject",
        "mqtt": {"enabled": true, "url": "tcp://broker:1883", "client_id": "gw-file-bridge",
                 "username": "u", "password": "p", "version": 5, "topic_prefix": "plant/sb"},
        "auth": {"mode": "disabled"}
    })",
                        "file.json");
}

std::string flag_error(const config_overrides& o) {
    gateway_config c;
    try {
        o.apply_to(c);
    } catch (const config_error& e) {
        return e.what();
    }
    return {};
}

TEST(ConfigOverrides, NoFlagsLeaveTheFileAsItIs) {
    gateway_config c = from_file();
    config_overrides{}.apply_to(c);
    EXPECT_EQ(c.node, "gw-file");
    EXPECT_EQ(c.listen_address, "10.0.0.1");
    EXPECT_EQ(c.listen_port, 9000);
    EXPECT_EQ(c.threads, 3u);
    EXPECT_EQ(c.log_level, log_level::warn);
    EXPECT_EQ(c.log_format, log_line_format::json);
    EXPECT_EQ(c.dashboard_dir, "/srv/dash");
    EXPECT_EQ(c.duplicates, duplicate_policy::reject);
    EXPECT_TRUE(c.mqtt.enabled);
    EXPECT_EQ(c.mqtt.url, "tcp://broker:1883");
    EXPECT_EQ(c.mqtt.password, "p");
    EXPECT_FALSE(c.auth.required);
}

TEST(ConfigOverrides, EachFlagReplacesItsKey) {
    gateway_config c = from_file();
    config_overrides o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    o.node = "gw-flag";
    o.log_level = "debug";
    o.log_format = "text";
    o.dashboard_dir = "dash";
    o.duplicate_policy = "takeover";
    o.mqtt_url = "ssl://other:8883";
    o.mqtt_client_id = "bridge-2";
    o.mqtt_username = "u2";
    o.mqtt_password = "p2";
    o.mqtt_version = "3.1.1";
    o.mqtt_topic_prefix = "sb2";
    o.auth_mode = "required";
    o.apply_to(c);
    EXPECT_EQ(c.listen_address, "127.0.0.1");
    EXPECT_EQ(c.listen_port, 0);
    EXPECT_EQ(c.threads, 1u);
    EXPECT_EQ(c.node, "gw-flag");
    EXPECT_EQ(c.log_level, log_level::debug);
    EXPECT_EQ(c.log_format, log_line_format::text);
    EXPECT_EQ(c.dashboard_dir, "dash");
    EXPECT_EQ(c.duplicates, duplicate_policy::takeover);
    EXPECT_EQ(c.mqtt.url, "ssl://other:8883");
    EXPECT_EQ(c.mqtt.client_id, "bridge-2");
    EXPECT_EQ(c.mqtt.username, "u2");
    EXPECT_EQ(c.mqtt.password, "p2");
    EXPECT_EQ(c.mqtt.version, mqtt_version::v3_1_1);
    EXPECT_EQ(c.mqtt.topic_prefix, "sb2");
    EXPECT_TRUE(c.auth.required);
}

TEST(ConfigOverrides, MqttUrlEnablesTheBridgeAndNoMqttWinsOverEverything) {
    gateway_config c;
    config_overrides o;
    o.mqtt_url = "tcp://127.0.0.1:1883";
    o.apply_to(c);
    EXPECT_TRUE(c.mqtt.enabled);
    o.no_mqtt = true;
    o.apply_to(c);
    EXPECT_FALSE(c.mqtt.enabled);
    gateway_config file = from_file();
    config_overrides only_no_mqtt;
    only_no_mqtt.no_mqtt = true;
    only_no_mqtt.apply_to(file);
    EXPECT_FALSE(file.mqtt.enabled);
}

TEST(ConfigOverrides, JwtSecretFromTheEnvironmentReplacesTheFilesAndIsChecked) {
    gateway_config c = from_file();
    config_overrides o;
    o.jwt_secret = "env-secret-0123456789-abcdefghijklmnop";
    o.apply_to(c);
    EXPECT_EQ(c.auth.jwt_secret, "env-secret-0123456789-abcdefghijklmnop");
    config_overrides weak;
    weak.jwt_secret = "REPLACE-me-with-a-real-secret-of-32-bytes";
    EXPECT_EQ(flag_error(weak).rfind("SWITCHBOARD_JWT_SECRET ", 0), 0u) << flag_error(weak);
    config_overrides placeholder_password;
    placeholder_password.mqtt_password = "REPLACE_ME";
    EXPECT_EQ(flag_error(placeholder_password).rfind("--mqtt-password ", 0), 0u);
}

TEST(ConfigOverrides, BadValuesAreRefusedNamingTheFlag) {
    struct case_t {
        void (*set)(config_overrides&);
        const char* flag;
    };
    const case_t cases[] = {
        {[](config_overrides& o) { o.log_level = "loud"; }, "--log-level"},
        {[](config_overrides& o) { o.log_format = "xml"; }, "--log-format"},
        {[](config_overrides& o) { o.node = "gw a"; }, "--node"},
        {[](config_overrides& o) { o.duplicate_policy = "maybe"; }, "--duplicate-id-policy"},
        {[](config_overrides& o) { o.mqtt_url = "http://x"; }, "--mqtt-url"},
        {[](config_overrides& o) { o.mqtt_client_id = "a/b"; }, "--mqtt-client-id"},
        {[](config_overrides& o) { o.mqtt_version = "4.5"; }, "--mqtt-version"},
        {[](config_overrides& o) { o.mqtt_topic_prefix = "sb/#"; }, "--mqtt-topic-prefix"},
        {[](config_overrides& o) { o.auth_mode = "off"; }, "--auth"},
    };
    for (const auto& c : cases) {
        config_overrides o;
        c.set(o);
        std::string what = flag_error(o);
        EXPECT_EQ(what.rfind(c.flag, 0), 0u) << c.flag << ": " << what;
    }
}

// --mqtt-url is checked as mqtt.url is, and says why it is refused.
TEST(ConfigOverrides, MqttUrlIsRefusedWithItsReason) {
    config_overrides o;
    o.mqtt_url = "tcp://127.0.0.1:";
    EXPECT_EQ(flag_error(o), "--mqtt-url 'tcp://127.0.0.1:': the port is empty");
    o.mqtt_url = "wss://broker/mqtt";
    gateway_config c;
    o.apply_to(c);
    EXPECT_EQ(c.mqtt.url, "wss://broker/mqtt");
}

// The gateway and the broker plugin read SWITCHBOARD_JWT_SECRET here and
// apply it as an override (tests/plugin checks the plugin end to end).
TEST(ConfigOverrides, JwtSecretComesFromTheEnvironmentWhenSetAndNotEmpty) {
    ::unsetenv("SWITCHBOARD_JWT_SECRET");
    EXPECT_EQ(jwt_secret_from_environment(), std::nullopt);
    ::setenv("SWITCHBOARD_JWT_SECRET", "", 1);
    EXPECT_EQ(jwt_secret_from_environment(), std::nullopt);
    ::setenv("SWITCHBOARD_JWT_SECRET", "from-the-environment-0123456789abcdefgh", 1);
    EXPECT_EQ(jwt_secret_from_environment(), "from-the-environment-0123456789abcdefgh");
    ::unsetenv("SWITCHBOARD_JWT_SECRET");
}

// The file and the flag refuse a word with the same list of the words the
// setting takes, since both read one table.
TEST(ConfigOverrides, FileAndFlagListTheSameWords) {
    struct case_t {
        const char* file;
        void (*set)(config_overrides&);
        const char* words;
    };
    const case_t cases[] = {
        {R"({"log_format":"xml"})", [](config_overrides& o) { o.log_format = "xml"; },
         R"(must be "text" or "json")"},
        {R"({"duplicate_id_policy":"kick"})",
         [](config_overrides& o) { o.duplicate_policy = "kick"; },
         R"(must be "takeover" or "reject")"},
        {R"({"auth":{"mode":"off"}})", [](config_overrides& o) { o.auth_mode = "off"; },
         R"(must be "required" or "disabled")"},
        {R"({"mqtt":{"version":"4.5"}})", [](config_overrides& o) { o.mqtt_version = "4.5"; },
         R"(must be one of "3.1.1", "5", "3", "4")"},
        {R"({"log_level":"loud"})", [](config_overrides& o) { o.log_level = "loud"; },
         R"(must be one of "trace", "debug", "info", "warn", "error", "critical", "off")"},
    };
    for (const auto& c : cases) {
        std::string file_error;
        try {
            parse_config(c.file, "test.json");
        } catch (const config_error& e) {
            file_error = e.what();
        }
        config_overrides o;
        c.set(o);
        EXPECT_NE(file_error.find(c.words), std::string::npos) << file_error;
        EXPECT_NE(flag_error(o).find(c.words), std::string::npos) << flag_error(o);
    }
}

}  // namespace
}  // namespace switchboard
