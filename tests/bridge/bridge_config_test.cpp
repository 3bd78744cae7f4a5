// The `mqtt` section of the config, bridge_options, and the router's
// registration without a `registered` reply (used for MQTT clients).

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "bridge_options.hpp"
#include "core/gateway_config.hpp"
#include "core/node_name.hpp"
#include "core/router.hpp"

using namespace switchboard;

namespace {

std::string config_error_of(const std::string& text) {
    try {
        parse_config(text, "test.json");
    } catch (const config_error& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST(MqttConfig, DefaultsAreOffWithSaneValues) {
    gateway_config c = parse_config("{}", "test.json");
    EXPECT_FALSE(c.mqtt.enabled);
    EXPECT_EQ(c.mqtt.topic_prefix, "sb");
    EXPECT_EQ(c.mqtt.version, mqtt_version::v5);
    EXPECT_EQ(c.mqtt.shared_group, "switchboard");
    EXPECT_LE(c.mqtt.reconnect_min, c.mqtt.reconnect_max);
}

TEST(MqttConfig, ReadsEveryKey) {
    gateway_config c = parse_config(R"({"node": "gw-a", "mqtt": {
        "enabled": true, "url": "mqtts://broker.example:8883", "client_id": "gw-a-bridge",
        "username": "u", "password": "p", "topic_prefix": "plant-3/sb", "version": "3.1.1",
        "keepalive_s": 20, "connect_timeout_ms": 3000, "reconnect_min_ms": 50,
        "reconnect_max_ms": 5000, "shared_group": "", "resend_window_ms": 10000,
        "max_unacked": 500,
        "tls": {"ca_file": "/etc/ca.pem", "cert_file": "/etc/c.pem", "key_file": "/etc/k.pem",
                "key_password": "kp", "verify": false}}})",
                                    "test.json");
    const auto& m = c.mqtt;
    EXPECT_TRUE(m.enabled);
    EXPECT_EQ(m.url, "mqtts://broker.example:8883");
    EXPECT_EQ(m.client_id, "gw-a-bridge");
    EXPECT_EQ(m.username, "u");
    EXPECT_EQ(m.password, "p");
    EXPECT_EQ(m.topic_prefix, "plant-3/sb");
    EXPECT_EQ(m.version, mqtt_version::v3_1_1);
    EXPECT_EQ(m.keepalive, std::chrono::seconds(20));
    EXPECT_EQ(m.connect_timeout, std::chrono::milliseconds(3000));
    EXPECT_EQ(m.reconnect_min, std::chrono::milliseconds(50));
    EXPECT_EQ(m.reconnect_max, std::chrono::milliseconds(5000));
    EXPECT_EQ(m.shared_group, "");
    EXPECT_EQ(m.resend_window, std::chrono::milliseconds(10000));
    EXPECT_EQ(m.max_unacked, 500u);
    EXPECT_EQ(m.tls.ca_file, "/etc/ca.pem");
    EXPECT_EQ(m.tls.cert_file, "/etc/c.pem");
    EXPECT_EQ(m.tls.key_file, "/etc/k.pem");
    EXPECT_EQ(m.tls.key_password, "kp");
    EXPECT_FALSE(m.tls.verify);

    c.finalize();
    auto o = bridge_options::from_config(c);
    EXPECT_EQ(o.server_uri, "ssl://broker.example:8883");
    EXPECT_TRUE(o.tls);
    EXPECT_EQ(o.client_id, "gw-a-bridge");
}

TEST(MqttConfig, VersionSpellings) {
    for (auto [text, want] :
         {std::pair{R"(3)", mqtt_version::v3_1_1}, std::pair{R"("3.1.1")", mqtt_version::v3_1_1},
          std::pair{R"(5)", mqtt_version::v5}, std::pair{R"("5")", mqtt_version::v5}}) {
        auto c = parse_config(std::string(R"({"mqtt": {"version": )") + text + "}}", "t");
        EXPECT_EQ(c.mqtt.version, want) << text;
    }
}

TEST(MqttConfig, ErrorsNameTheKey) {
    EXPECT_NE(config_error_of(R"({"mqtt": {"enabled": "yes"}})").find("'mqtt.enabled'"),
              std::string::npos);
    EXPECT_NE(config_error_of(R"({"mqtt": {"bogus": 1}})").find("'mqtt.bogus'"), std::string::npos);
    EXPECT_NE(config_error_of(R"({"mqtt": {"url": "http://x"}})").find("'mqtt.url'"),
              std::string::npos);
    EXPECT_NE(config_error_of(R"({"mqtt": {"version": 4.5}})").find("'mqtt.version'"),
              std::string::npos);
    EXPECT_NE(config_error_of(R"({"mqtt": {"version": "6"}})").find("'mqtt.version'"),
              std::string::npos);
    EXPECT_NE(config_error_of(R"({"mqtt": {"topic_prefix": "sb/+"}})").find("'mqtt.topic_prefix'"),
              std::string::npos);
    EXPECT_NE(config_error_of(R"({"mqtt": {"client_id": "a/b"}})").find("'mqtt.client_id'"),
              std::string::npos);
    EXPECT_NE(config_error_of(R"({"mqtt": {"shared_group": "g/x"}})").find("'mqtt.shared_group'"),
              std::string::npos);
    EXPECT_NE(config_error_of(R"({"mqtt": {"reconnect_min_ms": 500, "reconnect_max_ms": 100}})")
                  .find("'mqtt.reconnect_min_ms'"),
              std::string::npos);
    EXPECT_NE(config_error_of(R"({"mqtt": {"keepalive_s": 0}})").find("'mqtt.keepalive_s'"),
              std::string::npos);
    EXPECT_NE(config_error_of(R"({"mqtt": {"tls": {"verify": 1}}})").find("'mqtt.tls.verify'"),
              std::string::npos);
    EXPECT_NE(config_error_of(R"({"mqtt": {"tls": {"cafile": "x"}}})").find("'mqtt.tls.cafile'"),
              std::string::npos);
    EXPECT_NE(config_error_of(R"({"mqtt": []})").find("'mqtt'"), std::string::npos);
}

TEST(BridgeOptions, ClientIdDefaultsFromNodeAndSchemesAreTranslated) {
    gateway_config c =
        parse_config(R"({"node": "gw-b", "mqtt": {"url": "mqtt://127.0.0.1:1883"}})", "t");
    c.finalize();
    auto o = bridge_options::from_config(c);
    EXPECT_EQ(o.client_id, "switchboard-gw-b");
    EXPECT_EQ(o.server_uri, "tcp://127.0.0.1:1883");
    EXPECT_FALSE(o.tls);
    EXPECT_EQ(o.limits.max_message_bytes, c.session.max_message_bytes);
    EXPECT_EQ(o.limits.max_meta_bytes, c.session.max_meta_bytes);
}

// A config with no node name (an in-process gateway: main() names a running
// one after its host and port): the gateway and the bridge take one name,
// node_of's.
TEST(BridgeOptions, AnUnnamedNodeTakesTheOneDefaultName) {
    gateway_config c = parse_config(R"({"mqtt": {"url": "tcp://127.0.0.1:1883"}})", "t");
    EXPECT_EQ(node_of(c), "switchboard");
    auto o = bridge_options::from_config(c);
    EXPECT_EQ(o.node, node_of(c));
    EXPECT_EQ(o.client_id, "switchboard-" + node_of(c));
    c.node = "gw-c";
    EXPECT_EQ(node_of(c), "gw-c");
}

namespace {
class recording_endpoint final : public endpoint {
public:
    bool deliver(frame_ptr frame) override {
        std::lock_guard lock(mutex_);
        frames_.push_back(*frame);
        return true;
    }
    void close(unsigned short, std::string_view) override {}
    std::vector<std::string> frames() {
        std::lock_guard lock(mutex_);
        return frames_;
    }

private:
    std::mutex mutex_;
    std::vector<std::string> frames_;
};
}  // namespace

TEST(RouterRegistration, SkippingTheRegisteredReplyStillRegistersAndAnnounces) {
    counters stats;
    router r(router_options{}, stats);
    auto watcher_link = std::make_shared<recording_endpoint>();
    register_request watcher{"dash", client_role::controller, std::nullopt, "{}"};
    auto dash = r.register_client(watcher, transport_kind::ws, watcher_link, "s1");
    ASSERT_TRUE(dash);
    ASSERT_EQ(watcher_link->frames().size(), 1u);  // `registered`
    r.route(dash, subscribe_request{true, {"pump-*"}, std::nullopt}, steady_time{});

    auto device_link = std::make_shared<recording_endpoint>();
    register_request device{"pump-1", client_role::device, std::nullopt, R"({"model":"x"})"};
    auto pump = r.register_client(device, transport_kind::mqtt, device_link, "mqtt-1",
                                  registered_reply::skip);
    ASSERT_TRUE(pump);
    EXPECT_TRUE(device_link->frames().empty());
    EXPECT_EQ(r.clients().find("pump-1")->via, transport_kind::mqtt);
    auto seen = watcher_link->frames();
    ASSERT_EQ(seen.size(), 3u);  // registered, subscribed, presence
    EXPECT_NE(seen[2].find(R"("type":"presence")"), std::string::npos);
    EXPECT_NE(seen[2].find(R"("via":"mqtt")"), std::string::npos);

    // Refusals are still told, even without the `registered` reply.
    router strict(router_options{.duplicates = duplicate_policy::reject}, stats);
    auto first = std::make_shared<recording_endpoint>();
    auto second = std::make_shared<recording_endpoint>();
    ASSERT_TRUE(strict.register_client(device, transport_kind::ws, first, "s2"));
    EXPECT_FALSE(strict.register_client(device, transport_kind::mqtt, second, "mqtt-2",
                                        registered_reply::skip));
    ASSERT_EQ(second->frames().size(), 1u);
    EXPECT_NE(second->frames()[0].find("id_taken"), std::string::npos);
}
