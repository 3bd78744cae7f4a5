#include "core/gateway_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace switchboard {
namespace {

using namespace std::chrono_literals;

// The config_error text parse_config throws for `text`; fails the test when
// it throws nothing.
std::string config_error_of(std::string_view text) {
    try {
        parse_config(text, "test.json");
    } catch (const config_error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no config_error for: " << text;
    return {};
}

void expect_refused(std::string_view text, const std::string& key) {
    SCOPED_TRACE(std::string(text));
    std::string what = config_error_of(text);
    EXPECT_NE(what.find("test.json"), std::string::npos) << what;
    EXPECT_NE(what.find("'" + key + "'"), std::string::npos) << what;
}

TEST(GatewayConfig, EmptyObjectGivesDefaults) {
    gateway_config c = parse_config("{}", "test.json");
    EXPECT_EQ(c.node, "");  // main() names it <host>:<listen.port>
    EXPECT_EQ(c.listen_address, "127.0.0.1");
    EXPECT_EQ(c.listen_port, 8080);
    EXPECT_EQ(c.threads, 0u);
    EXPECT_EQ(c.log_level, log_level::info);
    EXPECT_EQ(c.dashboard_dir, "");
    EXPECT_EQ(c.duplicates, duplicate_policy::takeover);
    EXPECT_EQ(c.session.max_message_bytes, 65536u);
    EXPECT_EQ(c.session.outbound_queue_bytes, 1u << 20);
    EXPECT_EQ(c.session.outbound_queue_frames, 4096u);
    EXPECT_EQ(c.session.handshake_timeout, 10000ms);
    EXPECT_EQ(c.session.register_timeout, 5000ms);
    EXPECT_EQ(c.session.idle_timeout, 60000ms);
    EXPECT_EQ(c.routing.command_timeout_default, 30000ms);
    EXPECT_EQ(c.routing.command_timeout_max, 300000ms);
    EXPECT_EQ(c.routing.max_pending_per_controller, 1024u);
    EXPECT_EQ(c.routing.max_queued_per_device, 100u);
    EXPECT_EQ(c.routing.max_queued_bytes, 16u << 20);
    EXPECT_EQ(c.routing.max_subscriptions, 256u);
    EXPECT_EQ(c.routing.list_limit_default, 100u);
    EXPECT_EQ(c.routing.list_limit_max, 1000u);
}

TEST(GatewayConfig, EveryKeyIsRead) {
    gateway_config c = parse_config(R"({
        "node": "gw-a",
        "threads": 4,
        "log_level": "debug",
        "dashboard_dir": "/srv/dash",
        "duplicate_id_policy": "reject",
        "listen": {"address": "0.0.0.0", "port": 9001},
        "limits": {
            "max_message_bytes": 1024,
            "register_message_bytes": 512,
            "outbound_queue_bytes": 8192,
            "outbound_queue_frames": 16,
            "max_pending_commands": 5,
            "max_queued_per_device": 7,
            "max_queued_bytes": 65536,
            "max_subscriptions": 6,
            "list_limit_default": 7,
            "list_limit_max": 8
        },
        "timeouts": {
            "handshake_ms": 1000,
            "register_ms": 2000,
            "idle_ms": 3000,
            "command_default_ms": 4000,
            "command_max_ms": 5000
        }
    })",
                                    "test.json");
    EXPECT_EQ(c.node, "gw-a");
    EXPECT_EQ(c.threads, 4u);
    EXPECT_EQ(c.log_level, log_level::debug);
    EXPECT_EQ(c.dashboard_dir, "/srv/dash");
    EXPECT_EQ(c.duplicates, duplicate_policy::reject);
    EXPECT_EQ(c.listen_address, "0.0.0.0");
    EXPECT_EQ(c.listen_port, 9001);
    EXPECT_EQ(c.session.max_message_bytes, 1024u);
    EXPECT_EQ(c.session.register_message_bytes, 512u);
    EXPECT_EQ(c.session.outbound_queue_bytes, 8192u);
    EXPECT_EQ(c.session.outbound_queue_frames, 16u);
    EXPECT_EQ(c.routing.max_pending_per_controller, 5u);
    EXPECT_EQ(c.routing.max_queued_per_device, 7u);
    EXPECT_EQ(c.routing.max_queued_bytes, 65536u);
    EXPECT_EQ(c.routing.max_subscriptions, 6u);
    EXPECT_EQ(c.routing.list_limit_default, 7u);
    EXPECT_EQ(c.routing.list_limit_max, 8u);
    EXPECT_EQ(c.session.handshake_timeout, 1000ms);
    EXPECT_EQ(c.session.register_timeout, 2000ms);
    EXPECT_EQ(c.session.idle_timeout, 3000ms);
    EXPECT_EQ(c.routing.command_timeout_default, 4000ms);
    EXPECT_EQ(c.routing.command_timeout_max, 5000ms);
}

TEST(GatewayConfig, FinalizeCopiesSharedValuesIntoRouting) {
    gateway_config c = parse_config(
        R"({"node":"gw-b","duplicate_id_policy":"reject","limits":{"max_message_bytes":2048}})",
        "test.json");
    c.finalize();
    EXPECT_EQ(c.routing.node, "gw-b");
    EXPECT_EQ(c.routing.duplicates, duplicate_policy::reject);
    EXPECT_EQ(c.routing.max_message_bytes, 2048u);
}

TEST(GatewayConfig, CommentsAreAllowed) {
    gateway_config c = parse_config(R"({
        // the node's name
        "node": "gw-c", /* inline */
        "listen": {"port": 1234}  // trailing
    })",
                                    "test.json");
    EXPECT_EQ(c.node, "gw-c");
    EXPECT_EQ(c.listen_port, 1234);
}

TEST(GatewayConfig, UnknownRootKeyIsNamed) { expect_refused(R"({"nodes":"gw-a"})", "nodes"); }

TEST(GatewayConfig, UnknownNestedKeyIsNamedWithItsSection) {
    expect_refused(R"({"limits":{"max_msg_bytes":1024}})", "limits.max_msg_bytes");
    expect_refused(R"({"listen":{"host":"0.0.0.0"}})", "listen.host");
    expect_refused(R"({"timeouts":{"command_ms":5}})", "timeouts.command_ms");
}

TEST(GatewayConfig, WrongTypesAreNamed) {
    expect_refused(R"({"node":5})", "node");
    expect_refused(R"({"threads":"4"})", "threads");
    expect_refused(R"({"threads":1.5})", "threads");
    expect_refused(R"({"log_level":true})", "log_level");
    expect_refused(R"({"listen":{"port":"8080"}})", "listen.port");
    expect_refused(R"({"listen":[]})", "listen");
    expect_refused(R"({"limits":5})", "limits");
    expect_refused(R"({"limits":{"max_message_bytes":null}})", "limits.max_message_bytes");
    expect_refused(R"({"timeouts":{"idle_ms":"60s"}})", "timeouts.idle_ms");
    expect_refused(R"({"duplicate_id_policy":1})", "duplicate_id_policy");
}

TEST(GatewayConfig, OutOfRangeValuesAreNamed) {
    expect_refused(R"({"listen":{"port":65536}})", "listen.port");
    expect_refused(R"({"listen":{"port":-1}})", "listen.port");
    expect_refused(R"({"threads":257})", "threads");
    expect_refused(R"({"limits":{"max_message_bytes":255}})", "limits.max_message_bytes");
    expect_refused(R"({"limits":{"max_message_bytes":18446744073709551615}})",
                   "limits.max_message_bytes");
    expect_refused(R"({"limits":{"max_pending_commands":0}})", "limits.max_pending_commands");
    expect_refused(R"({"limits":{"max_queued_per_device":0}})", "limits.max_queued_per_device");
    expect_refused(R"({"limits":{"max_queued_bytes":100}})", "limits.max_queued_bytes");
    expect_refused(R"({"timeouts":{"idle_ms":999}})", "timeouts.idle_ms");
    expect_refused(R"({"timeouts":{"command_max_ms":86400001}})", "timeouts.command_max_ms");
    expect_refused(R"({"timeouts":{"command_default_ms":0}})", "timeouts.command_default_ms");
}

TEST(GatewayConfig, RangeBoundsAreInclusive) {
    gateway_config c =
        parse_config(R"({"listen":{"port":65535},"threads":256,"limits":{"max_message_bytes":256},)"
                     R"("timeouts":{"command_max_ms":86400000,"idle_ms":1000}})",
                     "test.json");
    EXPECT_EQ(c.listen_port, 65535);
    EXPECT_EQ(c.threads, 256u);
    EXPECT_EQ(c.session.max_message_bytes, 256u);
    EXPECT_EQ(c.routing.command_timeout_max, 86400000ms);
    EXPECT_EQ(c.session.idle_timeout, 1000ms);
}

TEST(GatewayConfig, DefaultTimeoutOverMaxIsRefused) {
    expect_refused(R"({"timeouts":{"command_default_ms":5001,"command_max_ms":5000}})",
                   "timeouts.command_default_ms");
    // Against the default max too.
    expect_refused(R"({"timeouts":{"command_default_ms":300001}})", "timeouts.command_default_ms");
    gateway_config c = parse_config(
        R"({"timeouts":{"command_default_ms":5000,"command_max_ms":5000}})", "test.json");
    EXPECT_EQ(c.routing.command_timeout_default, c.routing.command_timeout_max);
}

TEST(GatewayConfig, ListDefaultOverMaxIsRefused) {
    expect_refused(R"({"limits":{"list_limit_default":11,"list_limit_max":10}})",
                   "limits.list_limit_default");
}

TEST(GatewayConfig, BadEnumsAndIdsAreNamed) {
    expect_refused(R"({"log_level":"verbose"})", "log_level");
    expect_refused(R"({"duplicate_id_policy":"kick"})", "duplicate_id_policy");
    expect_refused(R"({"node":"gw/a"})", "node");
    expect_refused(R"({"node":"gw a"})", "node");
}

// mqtt.url takes every scheme the bridge speaks, and is refused with its
// reason when Paho could not connect with it (core/url_parts.hpp).
TEST(GatewayConfig, MqttUrlIsCheckedWithItsReason) {
    auto with_url = [](const std::string& url) { return R"({"mqtt": {"url": ")" + url + R"("}})"; };
    for (const char* url :
         {"tcp://127.0.0.1:1883", "mqtt://broker", "ssl://broker:8883", "mqtts://broker/",
          "ws://broker:9001/mqtt", "wss://[::1]/mqtt", "tcp://[::1]:1883"}) {
        EXPECT_EQ(parse_config(with_url(url), "t").mqtt.url, url);
    }
    const std::pair<const char*, const char*> cases[] = {
        {"tcp://127.0.0.1:", "'mqtt.url' is 'tcp://127.0.0.1:': the port is empty"},
        {"tcp://:1883", "no host"},
        {"mqtt://broker:18x", "the port '18x' is not a number"},
        {"ssl://broker:0", "port 0 is out of range (1-65535)"},
        {"tcp://[::1:1883", "the host's '[' is not closed"},
        {"tcp://broker:1883/sb", "an MQTT broker URL has no path ('/sb')"},
        {"http://broker",
         "unknown scheme 'http://': expected tcp://, mqtt://, ssl://, mqtts://, ws:// or wss://"},
        {"broker:1883", "not a URL"},
    };
    for (const auto& [url, why] : cases) {
        std::string what = config_error_of(with_url(url));
        EXPECT_NE(what.find(why), std::string::npos) << url << ": " << what;
    }
}

TEST(GatewayConfig, PlaceholderShortAndMonotonousSecretsAreNamed) {
    expect_refused(R"({"auth":{"tokens":[{"token":"REPLACE-with-32-random-bytes-base64",
                     "id":"ops-*","role":"controller"}]}})",
                   "auth.tokens[0].token");
    expect_refused(
        R"({"auth":{"jwt":{"secret":"REPLACE-with-at-least-32-random-bytes-of-secret"}}})",
        "auth.jwt.secret");
    expect_refused(R"({"auth":{"jwt":{"secret":"short"}}})", "auth.jwt.secret");
    expect_refused(R"({"auth":{"jwt":{"secret":"abababababababababababababababababab"}}})",
                   "auth.jwt.secret");
    expect_refused(
        R"({"auth":{"tokens":[{"token":"aaaaaaaaaaaaaaaaaaaa","id":"x","role":"device"}]}})",
        "auth.tokens[0].token");
    expect_refused(R"({"mqtt":{"password":"please-replace-me"}})", "mqtt.password");
    expect_refused(R"({"mqtt":{"tls":{"key_password":"REPLACE"}}})", "mqtt.tls.key_password");
    std::string what =
        config_error_of(R"({"auth":{"jwt":{"secret":"REPLACE-me-0123456789abcdefghijklmnop"}}})");
    EXPECT_NE(what.find("placeholder"), std::string::npos) << what;
}

TEST(GatewayConfig, SecretsComeFromTheirOwnFiles) {
    auto dir =
        std::filesystem::temp_directory_path() / ("sb-secret-files-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::string secret_file = (dir / "jwt.secret").string();
    std::string tokens_file = (dir / "tokens.json").string();
    std::ofstream(secret_file) << "Zq8vN3rT6yW1pL4kH9mB2xC7dF5gJ0sA\n";
    std::ofstream(tokens_file)
        << R"([{"token": "tok-9f8e7d6c5b4a3210", "id": "ops-*", "role": "controller"}])";
    gateway_config c = parse_config(R"({"auth": {"tokens_file": ")" + tokens_file +
                                        R"(", "jwt": {"secret_file": ")" + secret_file + R"("}}})",
                                    "test.json");
    EXPECT_EQ(c.auth.jwt_secret, "Zq8vN3rT6yW1pL4kH9mB2xC7dF5gJ0sA");
    ASSERT_EQ(c.auth.tokens.size(), 1u);
    EXPECT_EQ(c.auth.tokens[0].token, "tok-9f8e7d6c5b4a3210");
    EXPECT_EQ(c.auth.tokens[0].id, "ops-*");

    expect_refused(R"({"auth": {"tokens_file": "/nonexistent/tokens.json"}})", "auth.tokens_file");
    expect_refused(R"({"auth": {"jwt": {"secret_file": "/nonexistent/jwt.secret"}}})",
                   "auth.jwt.secret_file");
    expect_refused(R"({"auth": {"jwt": {"secret": "Zq8vN3rT6yW1pL4kH9mB2xC7dF5gJ0sA",
                   "secret_file": ")" +
                       secret_file + R"("}}})",
                   "auth.jwt.secret_file");
    std::ofstream(secret_file) << "REPLACE-with-at-least-32-random-bytes-of-secret\n";
    expect_refused(R"({"auth": {"jwt": {"secret_file": ")" + secret_file + R"("}}})",
                   "auth.jwt.secret_file");
    std::ofstream(tokens_file) << R"([{"token": "short", "id": "ops-*", "role": "controller"}])";
    std::string what = config_error_of(R"({"auth": {"tokens_file": ")" + tokens_file + R"("}})");
    EXPECT_NE(what.find(tokens_file + ": 'tokens[0].token'"), std::string::npos) << what;
    std::ofstream(tokens_file) << R"({"token": "x"})";
    expect_refused(R"({"auth": {"tokens_file": ")" + tokens_file + R"("}})", "auth.tokens_file");
    std::filesystem::remove_all(dir);
}

TEST(GatewayConfig, JwtClaimsAndServerNamesAreRead) {
    gateway_config c = parse_config(R"({
        "server_names": ["gw.example.com", "10.0.0.5"],
        "auth": {"jwt": {"audience": "switchboard", "issuer": "https://idp.example.com",
                         "close_on_expiry": false}}
    })",
                                    "test.json");
    EXPECT_EQ(c.origins.server_names, (std::vector<std::string>{"gw.example.com", "10.0.0.5"}));
    EXPECT_EQ(c.auth.jwt_audience, "switchboard");
    EXPECT_EQ(c.auth.jwt_issuer, "https://idp.example.com");
    EXPECT_FALSE(c.auth.close_on_expiry);
    EXPECT_TRUE(parse_config("{}", "test.json").auth.close_on_expiry);
    EXPECT_TRUE(parse_config("{}", "test.json").origins.server_names.empty());
    expect_refused(R"({"server_names": ["gw.example.com:443"]})", "server_names");
    expect_refused(R"({"server_names": ["*.example.com"]})", "server_names");
    c.listen_address = "10.9.9.9";
    c.finalize();
    EXPECT_EQ(c.origins.listen_address, "10.9.9.9");
}

TEST(GatewayConfig, NotJsonOrNotAnObjectNamesTheFile) {
    for (const char* text : {"", "{", "{\"node\":}", "[]", "42", "\"x\""}) {
        SCOPED_TRACE(text);
        std::string what = config_error_of(text);
        EXPECT_EQ(what.rfind("test.json:", 0), 0u) << what;
    }
}

TEST(GatewayConfig, SyntaxErrorGivesLineAndColumn) {
    std::string what = config_error_of("{\n  \"node\": \"gw-1\",\n  \"threads\": 4,\n}\n");
    EXPECT_NE(what.find("test.json: line 4, column 1"), std::string::npos) << what;
    what = config_error_of("{\"listen\": {\"port\": 80 80}}");
    // Where the parser stopped: the end of the unexpected token.
    EXPECT_NE(what.find("line 1, column 25"), std::string::npos) << what;
}

TEST(GatewayConfig, NumberTooLargeForADoubleIsAConfigError) {
    // nlohmann throws out_of_range (not parse_error) for 2E66666; it escaped
    // the loader and aborted --check-config (found by the config fuzzer).
    std::string what = config_error_of("{\"threads\": 2E66666}");
    EXPECT_EQ(what.rfind("test.json: not valid JSON", 0), 0u) << what;
    EXPECT_NE(what.find("2E66666"), std::string::npos) << what;
    what = config_error_of("[2E66666=6\xff\xff");
    EXPECT_EQ(what.rfind("test.json:", 0), 0u) << what;
}

TEST(GatewayConfig, KeyGivenTwiceIsNamed) {
    // The shipped file's own "tls" block after one an operator added above it
    // used to win silently, leaving the gateway on plain ws://.
    expect_refused(R"({"tls": {"enabled": true}, "node": "a", "tls": {"enabled": false}})", "tls");
    expect_refused(R"({"listen": {"port": 1, "address": "::1", "port": 2}})", "listen.port");
    expect_refused(
        R"({"auth": {"tokens": [{"id": "a"}, {"id": "b", "role": "device", "id": "c"}]}})",
        "auth.tokens[1].id");
    expect_refused(R"({"acl": {"rules": [[], {"x": [1, {}], "y": 1, "y": 2}]}})", "acl.rules[1].y");
    // The same key in two different objects is not a repeat.
    gateway_config c = parse_config(
        R"({"tls": {"enabled": false}, "mqtt": {"enabled": false, "tls": {"verify": true}}})",
        "test.json");
    EXPECT_FALSE(c.tls.enabled);
}

TEST(GatewayConfig, LoadConfigNamesAnUnreadableFile) {
    try {
        load_config("/nonexistent/switchboard/unit-test.json");
        FAIL() << "no config_error";
    } catch (const config_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/switchboard/unit-test.json"),
                  std::string::npos);
    }
}

TEST(GatewayConfig, PolicyAndLogLevelWords) {
    EXPECT_EQ(value_named(duplicate_policy_names, "reject"), duplicate_policy::reject);
    EXPECT_EQ(value_named(duplicate_policy_names, "takeover"), duplicate_policy::takeover);
    EXPECT_EQ(value_named(duplicate_policy_names, "Takeover"), std::nullopt);
    for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
        auto value = value_named(log_level_names, level);
        ASSERT_TRUE(value) << level;
        EXPECT_EQ(to_string(*value), level);
    }
    EXPECT_EQ(value_named(log_level_names, "warning"), std::nullopt);
    EXPECT_EQ(value_named(log_level_names, ""), std::nullopt);
}

TEST(GatewayConfig, AclRuleWordsAndRoles) {
    auto rule_of = [](const char* rule) {
        return parse_config(std::string(R"({"acl":{"rules":[)") + rule + "]}}", "test.json")
            .routing.access.rules.at(0);
    };
    auto deny = rule_of(R"({"effect":"deny","action":"observe","from_role":"device"})");
    EXPECT_FALSE(deny.allow);
    EXPECT_EQ(deny.action, access_action::observe);
    EXPECT_EQ(deny.from_role, client_role::device);
    auto any = rule_of(R"({"effect":"allow","action":"any"})");
    EXPECT_TRUE(any.allow);
    EXPECT_EQ(any.action, std::nullopt);
    EXPECT_EQ(any.from_role, std::nullopt);
    expect_refused(R"({"acl":{"rules":[{"action":"command"}]}})", "acl.rules[0].effect");
    expect_refused(R"({"acl":{"rules":[{"effect":"Allow"}]}})", "acl.rules[0].effect");
    expect_refused(R"({"acl":{"rules":[{"effect":"deny","action":"write"}]}})",
                   "acl.rules[0].action");
    expect_refused(R"({"acl":{"rules":[{"effect":"deny","to_role":"admin"}]}})",
                   "acl.rules[0].to_role");
}

TEST(GatewayConfig, MetricsAndDrainKeysHaveDefaultsAndChecks) {
    gateway_config d = parse_config("{}", "test.json");
    EXPECT_FALSE(d.metrics.loopback_only);
    EXPECT_TRUE(d.metrics.bearer_token.empty());
    EXPECT_EQ(d.drain, 0ms);

    gateway_config c = parse_config(
        R"({"metrics": {"allow": "loopback", "bearer_token": "0123456789abcdef0123"},
            "timeouts": {"drain_ms": 1500}})",
        "test.json");
    EXPECT_TRUE(c.metrics.loopback_only);
    EXPECT_EQ(c.metrics.bearer_token, "0123456789abcdef0123");
    EXPECT_EQ(c.drain, 1500ms);

    EXPECT_NE(config_error_of(R"({"metrics": {"allow": "lan"}})").find("'metrics.allow'"),
              std::string::npos);
    EXPECT_NE(
        config_error_of(R"({"metrics": {"bearer_token": "short"}})").find("'metrics.bearer_token'"),
        std::string::npos);
    EXPECT_NE(config_error_of(R"({"metrics": {"token_file": "/nonexistent/sb-token"}})")
                  .find("'metrics.token_file'"),
              std::string::npos);
    EXPECT_NE(config_error_of(R"({"metrics": {"colour": 1}})").find("metrics.colour"),
              std::string::npos);
}

TEST(GatewayConfig, MetricsTokenFileGivesTheTokenWithoutItsNewline) {
    auto file =
        std::filesystem::temp_directory_path() / ("sb-metrics-token-" + std::to_string(::getpid()));
    std::ofstream(file) << "file-secret-0123456789\n";
    gateway_config c =
        parse_config(R"({"metrics": {"token_file": ")" + file.string() + R"("}})", "test.json");
    EXPECT_EQ(c.metrics.bearer_token, "file-secret-0123456789");
    EXPECT_NE(config_error_of(R"({"metrics": {"bearer_token": "0123456789abcdef0123",
                                              "token_file": ")" +
                              file.string() + R"("}})")
                  .find("exclude each other"),
              std::string::npos);
    std::filesystem::remove(file);
}

TEST(GatewayConfig, AdminSocketIsAnAbsolutePathThatFitsASocketAddress) {
    EXPECT_EQ(parse_config("{}", "test.json").admin_socket, "");
    EXPECT_EQ(parse_config(R"({"admin": {"socket": "/run/switchboard/admin.sock"}})", "test.json")
                  .admin_socket,
              "/run/switchboard/admin.sock");
    for (std::string bad : {std::string("admin.sock"), "/" + std::string(107, 'a')}) {
        EXPECT_NE(
            config_error_of(R"({"admin": {"socket": ")" + bad + R"("}})").find("'admin.socket'"),
            std::string::npos)
            << bad;
    }
    gateway_config missing_folder;
    missing_folder.admin_socket = "/nonexistent-sb-folder/admin.sock";
    try {
        check_files(missing_folder);
        ADD_FAILURE() << "a socket in a missing folder passed check_files";
    } catch (const config_error& e) {
        EXPECT_NE(std::string(e.what()).find("'admin.socket'"), std::string::npos) << e.what();
    }
}

// `switchboard reload` reads only admin.socket: a file the gateway would
// refuse for another key still names its socket, so the gateway can say why.
TEST(GatewayConfig, AdminSocketOfReadsOnlyThatKey) {
    auto file =
        std::filesystem::temp_directory_path() / ("sb-admin-config-" + std::to_string(::getpid()));
    std::ofstream(file) << R"({"admin": {"socket": "/run/sb.sock"}, "limits": {"nonsense": 1}})";
    EXPECT_EQ(admin_socket_of(file.string()), "/run/sb.sock");
    std::ofstream(file) << R"({"node": "gw-1"})";
    EXPECT_THROW(admin_socket_of(file.string()), config_error);
    std::ofstream(file) << R"({"admin": {"socket": 7}})";
    EXPECT_THROW(admin_socket_of(file.string()), config_error);
    std::ofstream(file) << R"({"admin": )";
    EXPECT_THROW(admin_socket_of(file.string()), config_error);
    std::filesystem::remove(file);
    EXPECT_THROW(admin_socket_of(file.string()), config_error);
}

TEST(GatewayConfig, StoreKeysHaveDefaultsAndChecks) {
    gateway_config defaults = parse_config("{}", "test.json");
    EXPECT_EQ(defaults.store.path, "");  // in memory only
    EXPECT_EQ(defaults.store.sync, store_sync::normal);
    gateway_config c = parse_config(
        R"({"store": {"path": "/var/lib/switchboard/commands.db", "sync": "full"}})", "test.json");
    EXPECT_EQ(c.store.path, "/var/lib/switchboard/commands.db");
    EXPECT_EQ(c.store.sync, store_sync::full);
    expect_refused(R"({"store": {"sync": "sometimes"}})", "store.sync");
    expect_refused(R"({"store": {"file": "x.db"}})", "store.file");
    expect_refused(R"({"store": {"path": 7}})", "store.path");

    // Relative to the config file's folder, like dashboard_dir.
    auto folder =
        std::filesystem::temp_directory_path() / ("sb-store-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    std::ofstream(folder / "switchboard.json") << R"({"store": {"path": "state/commands.db"}})";
    EXPECT_EQ(load_config(folder / "switchboard.json").store.path,
              (folder / "state/commands.db").string());
    std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace switchboard
