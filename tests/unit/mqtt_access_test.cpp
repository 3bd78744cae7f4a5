// The decisions of the mosquitto plugin (core/mqtt_access): who may log in
// to the broker, which topics each client may touch, and which statuses it
// may publish. No broker here: tests/plugin runs the plugin in a live one.

#include "core/mqtt_access.hpp"

#include <gtest/gtest.h>

#include "core/gateway_config.hpp"
#include "jwt_maker.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {
const std::string secret = "0123456789abcdef0123456789abcdef-test-secret";
constexpr std::int64_t now = 1'800'000'000;
const std::string pump_token = "pump-token-0123456789abcdef";

gateway_config required_config() {
    gateway_config c;
    c.auth.required = true;
    c.auth.jwt_secret = secret;
    c.auth.tokens.push_back({pump_token, "pump-*", client_role::device});
    c.mqtt.topic_prefix = "plant/sb";
    return c;
}

mqtt_access access_of(const gateway_config& c) {
    return mqtt_access(c, "switchboard-gateway", "gateway-secret");
}

std::string jwt(const std::string& sub, const std::string& role, std::int64_t exp = now + 60) {
    return make_jwt(secret, {{"sub", sub}, {"role", role}, {"exp", exp}});
}

mqtt_identity client(const std::string& id, std::optional<client_role> role) {
    return {mqtt_identity::kind::client, id, role};
}
}  // namespace

TEST(MqttAccess, AnonymousIsRefusedWhenAuthIsRequired) {
    auto access = access_of(required_config());
    auto login = access.login(std::nullopt, std::nullopt, "pump-12", now);
    EXPECT_FALSE(login.identity);
    EXPECT_EQ(login.reason, "credentials required");
    EXPECT_FALSE(access.login("pump-12", std::nullopt, "pump-12", now).identity);
}

TEST(MqttAccess, StaticTokenAndJwtGiveTheirIdAndRole) {
    auto access = access_of(required_config());
    auto by_token = access.login("pump-12", pump_token, "pump-12", now);
    ASSERT_TRUE(by_token.identity);
    EXPECT_EQ(by_token.identity->who, mqtt_identity::kind::client);
    EXPECT_EQ(by_token.identity->id, "pump-12");
    EXPECT_EQ(by_token.identity->role, client_role::device);

    auto by_jwt = access.login("ops-1", jwt("ops-1", "controller"), "ops-1", now);
    ASSERT_TRUE(by_jwt.identity);
    EXPECT_EQ(by_jwt.identity->role, client_role::controller);
}

TEST(MqttAccess, CredentialForAnotherIdOrExpiredIsRefused) {
    auto access = access_of(required_config());
    EXPECT_FALSE(access.login("pump-12", jwt("pump-7", "device"), "pump-12", now).identity);
    EXPECT_FALSE(access.login("valve-1", pump_token, "valve-1", now).identity);  // token: pump-*
    EXPECT_FALSE(
        access.login("pump-7", jwt("pump-7", "device", now - 600), "pump-7", now).identity);
    EXPECT_FALSE(access.login("pump-7", "wrong", "pump-7", now).identity);
}

TEST(MqttAccess, ClientIdMustEqualTheUserName) {
    // Otherwise pump-7's credential could push pump-12's MQTT connection off
    // by connecting with client ID pump-12.
    auto access = access_of(required_config());
    auto login = access.login("pump-7", jwt("pump-7", "device"), "pump-12", now);
    EXPECT_FALSE(login.identity);
    EXPECT_EQ(login.reason, "client ID must equal the user name");
    EXPECT_FALSE(access.login("pump/+", pump_token, "pump/+", now).identity);
}

TEST(MqttAccess, GatewayUserNeedsItsOwnPassword) {
    auto access = access_of(required_config());
    auto gw = access.login("switchboard-gateway", "gateway-secret", "switchboard-gw-1", now);
    ASSERT_TRUE(gw.identity);
    EXPECT_EQ(gw.identity->who, mqtt_identity::kind::gateway);
    EXPECT_FALSE(access.login("switchboard-gateway", "gateway-secre", "x", now).identity);
    EXPECT_FALSE(access.login("switchboard-gateway", std::nullopt, "x", now).identity);
    // A device credential does not open the gateway's name either.
    EXPECT_FALSE(
        access.login("switchboard-gateway", pump_token, "switchboard-gateway", now).identity);
    // No password configured: nobody logs in as the gateway.
    mqtt_access no_password(required_config(), "switchboard-gateway", "");
    EXPECT_FALSE(no_password.login("switchboard-gateway", "", "gw", now).identity);
}

TEST(MqttAccess, AuthOffTakesTheClientIdAsTheClaim) {
    gateway_config c;  // defaults: auth.required is true; switch it off explicitly
    c.auth.required = false;
    auto access = access_of(c);
    auto anonymous = access.login(std::nullopt, std::nullopt, "pump-12", now);
    ASSERT_TRUE(anonymous.identity);
    EXPECT_EQ(anonymous.identity->id, "pump-12");
    EXPECT_FALSE(anonymous.identity->role);
    EXPECT_FALSE(access.login(std::nullopt, std::nullopt, "pump/#", now).identity);
    // A gateway password is still checked.
    EXPECT_FALSE(access.login("switchboard-gateway", "nope", "gw", now).identity);
}

TEST(MqttAccess, ClientReadsOnlyItsInboxAndWritesOnlyItsOwnTopics) {
    auto access = access_of(required_config());
    auto pump7 = client("pump-7", client_role::device);
    EXPECT_TRUE(access.may_subscribe(pump7, "plant/sb/pump-7/in"));
    EXPECT_TRUE(access.may_read(pump7, "plant/sb/pump-7/in"));
    for (const char* filter :
         {"plant/sb/pump-12/in", "plant/sb/+/in", "plant/sb/#", "#", "plant/sb/pump-7/#",
          "plant/sb/pump-7/out", "sb/pump-7/in", "$share/g/plant/sb/+/out", "$SYS/#"}) {
        EXPECT_FALSE(access.may_subscribe(pump7, filter)) << filter;
    }
    EXPECT_FALSE(access.may_read(pump7, "plant/sb/pump-12/in"));
    EXPECT_FALSE(access.may_read(pump7, "plant/sb/pump-7/out"));

    EXPECT_TRUE(access.may_write(pump7, "plant/sb/pump-7/out", "{}"));
    EXPECT_TRUE(access.may_write(pump7, "plant/sb/pump-7/events", "{}"));
    EXPECT_TRUE(access.may_write(pump7, "plant/sb/pump-7/status", R"({"online":true})"));
    for (const char* topic :
         {"plant/sb/pump-12/status", "plant/sb/pump-12/out", "plant/sb/pump-7/in",
          "plant/sb/pump-12/in", "plant/other", "sb/pump-7/out"}) {
        EXPECT_FALSE(access.may_write(pump7, topic, R"({"online":false})")) << topic;
    }
}

// Scale-out's node topics: a client that could write the relay topic could
// settle any controller's command with an answer of its own.
TEST(MqttAccess, OnlyTheGatewayTouchesTheRelayAndNodeTopics) {
    auto access = access_of(required_config());
    auto pump7 = client("pump-7", client_role::device);
    const std::string relay =
        R"({"type":"response","to":"ops","from":"pump-12","id":"c-1","ok":true,"result":{}})";
    for (const char* topic : {"plant/sb/$relay", "plant/sb/$relay/gw-a", "plant/sb/$nodes/gw-a"}) {
        EXPECT_FALSE(access.may_write(pump7, topic, relay)) << topic;
        EXPECT_FALSE(access.may_subscribe(pump7, topic)) << topic;
        EXPECT_FALSE(access.may_read(pump7, topic)) << topic;
    }
    mqtt_identity gw{mqtt_identity::kind::gateway, {}, std::nullopt};
    EXPECT_TRUE(access.may_write(gw, "plant/sb/$relay", relay));
    EXPECT_TRUE(access.may_subscribe(gw, "plant/sb/$relay"));
    EXPECT_TRUE(access.may_read(gw, "plant/sb/$relay"));
}

TEST(MqttAccess, GatewayMayTouchEveryTopic) {
    auto access = access_of(required_config());
    mqtt_identity gw{mqtt_identity::kind::gateway, {}, std::nullopt};
    EXPECT_TRUE(access.may_subscribe(gw, "$share/switchboard/plant/sb/+/out"));
    EXPECT_TRUE(access.may_subscribe(gw, "plant/sb/+/status"));
    EXPECT_TRUE(access.may_read(gw, "plant/sb/pump-12/out"));
    EXPECT_TRUE(access.may_write(gw, "plant/sb/pump-12/in", "{}"));
    EXPECT_TRUE(access.may_write(gw, "plant/sb/pump-12/events", "{}"));
}

TEST(MqttAccess, StatusRoleMustBeTheCredentialsRole) {
    auto access = access_of(required_config());
    auto pump7 = client("pump-7", client_role::device);
    const std::string status = "plant/sb/pump-7/status";
    EXPECT_TRUE(access.may_write(pump7, status, R"({"online":true,"role":"device"})"));
    EXPECT_TRUE(access.may_write(pump7, status, R"({"online":true})"));  // device by default
    EXPECT_FALSE(access.may_write(pump7, status, R"({"online":true,"role":"controller"})"));
    // Offline statuses and clearing the retained one need no role.
    EXPECT_TRUE(access.may_write(pump7, status, R"({"online":false})"));
    EXPECT_TRUE(access.may_write(pump7, status, ""));

    auto ops = client("ops-1", client_role::controller);
    EXPECT_TRUE(
        access.may_write(ops, "plant/sb/ops-1/status", R"({"online":true,"role":"controller"})"));
    EXPECT_FALSE(access.may_write(ops, "plant/sb/ops-1/status", R"({"online":true})"));

    // Auth off: any role may be claimed, as on WebSocket.
    EXPECT_TRUE(access.status_allowed(std::nullopt, R"({"online":true,"role":"controller"})"));
    // A node's status (scale-out) is the gateway's to publish, never a client's.
    EXPECT_FALSE(access.may_write(pump7, status,
                                  R"({"online":true,"role":"device","node":"gw-2","since":1})"));
    EXPECT_FALSE(access.status_allowed(std::nullopt, R"({"online":true,"node":"gw-2","since":1})"));
}

TEST(MqttAccess, MalformedOrOversizedStatusIsRefused) {
    auto config = required_config();
    config.session.register_message_bytes = 256;
    auto access = access_of(config);
    for (const char* payload :
         {"not json", "[]", "{}", R"({"online":"yes"})", R"({"online":true,"role":7})",
          R"({"online":true,"role":"admin"})", R"({"online":true)"}) {
        EXPECT_FALSE(access.status_allowed(client_role::device, payload)) << payload;
    }
    std::string nested =
        R"({"online":true,"meta":)" + std::string(40, '[') + std::string(40, ']') + "}";
    EXPECT_FALSE(access.status_allowed(client_role::device, nested));
    std::string big = R"({"online":true,"meta":{"pad":")" + std::string(300, 'x') + "\"}}";
    EXPECT_FALSE(access.status_allowed(client_role::device, big));
    EXPECT_EQ(access.max_status_bytes(), 256u);
    // A repeated key counts as the last one, as the bridge reads it.
    EXPECT_FALSE(access.status_allowed(client_role::device,
                                       R"({"online":true,"role":"device","role":"controller"})"));
}
