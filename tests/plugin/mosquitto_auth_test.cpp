// One identity on both transports, live: mosquitto with the
// switchboard_mosquitto_auth plugin and the gateway reading one config (auth
// required, a JWT secret and a device token), WebSocket clients with JWTs on
// one side, MQTT clients logging in with their ID and credential on the
// other. Issue 10's row: a stranger connecting as `pump-12` without a
// password must neither read pump-12's commands nor push its owner off.

#include <gtest/gtest.h>

#include <cstdlib>

#include "bridged_gateway.hpp"
#include "command_frame.hpp"
#include "core/config_overrides.hpp"
#include "core/gateway_config.hpp"
#include "eventually.hpp"
#include "jwt_maker.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_test_client.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {

const std::string jwt_secret = "plugin-test-secret-0123456789abcdef-xyz";
const std::string pump_token = "pump-token-0123456789abcdefghij";

// The production recipe in small: one file for the gateway and the broker.
std::string shared_config() {
    return json{{"node", "gw-plugin"},
                {"auth",
                 {{"mode", "required"},
                  {"tokens", {{{"token", pump_token}, {"id", "pump-*"}, {"role", "device"}}}},
                  {"jwt", {{"secret", jwt_secret}}}}},
                {"mqtt",
                 {{"enabled", true},
                  {"username", mosquitto_broker::gateway_user},
                  {"password", mosquitto_broker::gateway_password},
                  {"broker_authenticates", true}}}}
        .dump();
}

std::string jwt(const std::string& sub, const std::string& role) {
    auto exp = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count() +
               600;
    return make_jwt(jwt_secret, {{"sub", sub}, {"role", role}, {"exp", exp}});
}

std::string topic(const std::string& id, const std::string& kind) {
    return "sb/" + id + "/" + kind;
}

// An MQTT device that logs in as `id` with `password`, reads its inbox,
// publishes its retained status and answers every command.
mqtt_client_options device(const std::string& id, const std::string& password) {
    mqtt_client_options o = registering_client(id, "device");
    o.username = id;
    o.password = password;
    o.answer_topic = topic(id, "out");
    return o;
}

// A bare client: logs in, subscribes and publishes nothing by itself.
mqtt_client_options bare(const std::string& client_id, const std::string& username,
                         const std::string& password) {
    mqtt_client_options o;
    o.client_id = client_id;
    o.username = username;
    o.password = password;
    return o;
}

// The gateway is built from the very text the plugin reads, plus what a test
// run needs (a free port, the broker's URL).
void from_shared_config(gateway_config& c, const mosquitto_broker& broker) {
    c = parse_config(shared_config(), "shared config");
    c.listen_port = 0;
    c.threads = 2;
    c.log_level = log_level::warn;
    bridge_to(c, broker, mqtt_version::v5);
}

struct plugin_setup {
    plugin_setup()
        : broker(auth_plugin_setup{shared_config()}),
          gw(broker, mqtt_version::v5,
             [this](gateway_config& c) { from_shared_config(c, broker); }) {}

    // A WebSocket controller with a JWT, following `id`.
    std::unique_ptr<ws_test_client> controller(const std::string& name, const std::string& id) {
        auto c = std::make_unique<ws_test_client>(gw.port());
        auto reg = c->register_as(name, "controller", {{"token", jwt(name, "controller")}});
        EXPECT_EQ(reg["type"], "registered") << reg.dump();
        c->send({{"type", "subscribe"}, {"ids", std::vector<std::string>{id}}});
        EXPECT_TRUE(c->receive_type("subscribed"));
        return c;
    }

    bool wait_online(ws_test_client& c, const std::string& id, const std::string& via) {
        for (int i = 0; i < 20; ++i) {
            auto f = c.receive_type("presence", 10s);
            if (!f) return false;
            if ((*f)["id"] == id && (*f)["online"] == true && (*f)["via"] == via) return true;
        }
        return false;
    }

    mosquitto_broker broker;
    bridged_gateway gw;
};

}  // namespace

TEST(MosquittoAuth, AnonymousAndWrongPasswordAreRefused) {
    plugin_setup s;
    mqtt_test_client anonymous(s.broker.url(), bare("pump-12", "", ""));
    EXPECT_FALSE(anonymous.connect());
    mqtt_test_client wrong(s.broker.url(), bare("pump-12", "pump-12", "guess"));
    EXPECT_FALSE(wrong.connect());
    // pump-7's own credential does not let it borrow pump-12's client ID
    // (which would push the real pump-12's MQTT connection off).
    mqtt_test_client borrowed(s.broker.url(), bare("pump-12", "pump-7", jwt("pump-7", "device")));
    EXPECT_FALSE(borrowed.connect());
    // The broker says why, naming no credential.
    EXPECT_TRUE(eventually([&] {
        auto log = s.broker.log();
        return log.find("refused client 'pump-12': credentials required") != std::string::npos &&
               log.find("refused client 'pump-12': client ID must equal the user name") !=
                   std::string::npos;
    })) << s.broker.log();
    EXPECT_EQ(s.broker.log().find(pump_token), std::string::npos);
}

TEST(MosquittoAuth, DeviceWithItsTokenIsCommandedByAJwtController) {
    plugin_setup s;
    auto ctl = s.controller("ops-1", "pump-12");
    mqtt_test_client pump(s.broker.url(), device("pump-12", pump_token));
    ASSERT_TRUE(pump.connect()) << s.broker.log();
    ASSERT_TRUE(s.wait_online(*ctl, "pump-12", "mqtt"));
    ctl->send(command("pump-12", "c-1"));
    auto res = ctl->receive_type("response");
    ASSERT_TRUE(res) << s.broker.log();
    EXPECT_EQ((*res)["from"], "pump-12");
    EXPECT_EQ((*res)["ok"], true);
    EXPECT_EQ(pump.commands_answered(), 1);
}

TEST(MosquittoAuth, OtherIdsCredentialCannotReadItsInbox) {
    plugin_setup s;
    auto ctl = s.controller("ops-1", "pump-12");
    mqtt_test_client pump(s.broker.url(), device("pump-12", pump_token));
    ASSERT_TRUE(pump.connect());
    ASSERT_TRUE(s.wait_online(*ctl, "pump-12", "mqtt"));

    mqtt_test_client spy(s.broker.url(), bare("pump-7", "pump-7", jwt("pump-7", "device")));
    ASSERT_TRUE(spy.connect()) << s.broker.log();
    // mosquitto 2.0.11 answers a denied subscription with SUBACK 0x87 (MQTT 5).
    EXPECT_FALSE(spy.subscribe(topic("pump-12", "in")));
    EXPECT_FALSE(spy.subscribe("sb/+/in"));
    EXPECT_FALSE(spy.subscribe("#"));
    EXPECT_TRUE(spy.subscribe(topic("pump-7", "in")));

    ctl->send(command("pump-12", "c-1"));
    auto res = ctl->receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["ok"], true);
    // The command reached pump-12 and nobody else.
    EXPECT_EQ(pump.commands_answered(), 1);
    EXPECT_TRUE(spy.quiet_for(300ms));
}

TEST(MosquittoAuth, OtherIdsCredentialCannotClaimItsStatus) {
    plugin_setup s;
    auto ctl = s.controller("ops-1", "pump-12");
    ws_test_client owner(s.gw.port());
    auto reg = owner.register_as("pump-12", "device", {{"token", jwt("pump-12", "device")}});
    ASSERT_EQ(reg["type"], "registered") << reg.dump();
    ASSERT_TRUE(s.wait_online(*ctl, "pump-12", "ws"));

    mqtt_test_client intruder(s.broker.url(), bare("pump-7", "pump-7", jwt("pump-7", "device")));
    ASSERT_TRUE(intruder.connect());
    EXPECT_FALSE(intruder.publish(topic("pump-12", "status"), online_status("device"), 1, true));
    EXPECT_FALSE(intruder.publish(topic("pump-12", "out"), json{{"type", "event"}}.dump()));

    // The WebSocket owner stays, and still gets its commands.
    EXPECT_FALSE(owner.wait_closed(300ms));
    ctl->send(command("pump-12", "c-2"));
    auto cmd = owner.receive_type("command");
    ASSERT_TRUE(cmd);
    EXPECT_EQ((*cmd)["id"], "c-2");
    EXPECT_EQ(s.gw.get().stats().takeovers.load(), 0u);
}

TEST(MosquittoAuth, DeviceStatusClaimingTheControllerRoleIsRefused) {
    plugin_setup s;
    auto ctl = s.controller("ops-1", "pump-7");
    mqtt_test_client pump(s.broker.url(), bare("pump-7", "pump-7", pump_token));
    ASSERT_TRUE(pump.connect());
    EXPECT_FALSE(pump.publish(topic("pump-7", "status"), online_status("controller"), 1, true));
    EXPECT_EQ(s.gw.get().routing().clients().find("pump-7"), nullptr);
    EXPECT_TRUE(pump.publish(topic("pump-7", "status"), online_status("device"), 1, true));
    ASSERT_TRUE(s.wait_online(*ctl, "pump-7", "mqtt"));
    auto record = s.gw.get().routing().clients().find("pump-7");
    ASSERT_NE(record, nullptr);
    EXPECT_EQ(record->role, client_role::device);
    EXPECT_EQ(record->trust, client_trust::authenticated);
}

// Without the plugin (the ACL-file broker, which takes a client ID on
// trust), the gateway does not let an MQTT status push an authenticated
// WebSocket owner off: mqtt.broker_authenticates is false.
TEST(MosquittoAuth, UnauthenticatingBrokerCannotPushAnAuthenticatedOwnerOff) {
    mosquitto_broker broker;
    bridged_gateway gw(broker, mqtt_version::v5, [&](gateway_config& c) {
        c.auth.required = true;
        c.auth.jwt_secret = jwt_secret;
        c.mqtt.broker_authenticates = false;
    });
    ws_test_client owner(gw.port());
    auto reg = owner.register_as("pump-12", "device", {{"token", jwt("pump-12", "device")}});
    ASSERT_EQ(reg["type"], "registered") << reg.dump();

    mqtt_client_options o = bare("pump-12", "", "");
    o.subscriptions = {topic("pump-12", "in")};
    mqtt_test_client stranger(broker.url(), o);
    ASSERT_TRUE(stranger.connect());
    ASSERT_TRUE(stranger.publish(topic("pump-12", "status"), online_status("device"), 1, true));
    // The gateway answers the claim with id_taken on the stranger's inbox ...
    auto refused = stranger.receive_type("error", 5s);
    ASSERT_TRUE(refused);
    EXPECT_EQ((*refused)["code"], "id_taken");
    // ... and the owner stays.
    EXPECT_FALSE(owner.wait_closed(300ms));
    auto record = gw.get().routing().clients().find("pump-12");
    ASSERT_NE(record, nullptr);
    EXPECT_EQ(record->via, transport_kind::ws);
    EXPECT_EQ(gw.get().stats().takeovers.load(), 0u);
}

namespace {

// SWITCHBOARD_JWT_SECRET set for the broker this test starts (a child
// inherits the environment), unset again afterwards.
struct jwt_secret_in_environment {
    explicit jwt_secret_in_environment(const std::string& secret) {
        ::setenv("SWITCHBOARD_JWT_SECRET", secret.c_str(), 1);
    }
    ~jwt_secret_in_environment() { ::unsetenv("SWITCHBOARD_JWT_SECRET"); }
};

// The shared config with the JWT secret left out of the file.
std::string config_without_jwt_secret() {
    json c = json::parse(shared_config());
    c["auth"].erase("jwt");
    return c.dump();
}

}  // namespace

// The JWT secret can stay out of the shared file: the plugin reads
// SWITCHBOARD_JWT_SECRET through the same core code as the gateway
// (jwt_secret_from_environment, applied as a config override), so a
// device's JWT is good on both transports.
TEST(MosquittoAuth, PluginReadsTheJwtSecretFromTheEnvironmentLikeTheGateway) {
    jwt_secret_in_environment env(jwt_secret);
    mosquitto_broker broker(auth_plugin_setup{config_without_jwt_secret()});
    bridged_gateway gw(broker, mqtt_version::v5, [&](gateway_config& c) {
        c = parse_config(config_without_jwt_secret(), "shared config");
        config_overrides environment;
        environment.jwt_secret = jwt_secret_from_environment();
        environment.apply_to(c);
        c.listen_port = 0;
        c.threads = 2;
        c.log_level = log_level::warn;
        bridge_to(c, broker, mqtt_version::v5);
    });
    mqtt_test_client pump(broker.url(), device("pump-12", jwt("pump-12", "device")));
    ASSERT_TRUE(pump.connect()) << broker.log();
    ws_test_client ctl(gw.port());
    auto reg = ctl.register_as("ops-1", "controller", {{"token", jwt("ops-1", "controller")}});
    EXPECT_EQ(reg["type"], "registered") << reg.dump();
    // A JWT signed with another secret is still refused.
    auto forged = make_jwt("another-secret-0123456789abcdef-xyz",
                           {{"sub", "pump-13"}, {"role", "device"}, {"exp", 4102444800}});
    mqtt_test_client impostor(broker.url(), bare("pump-13", "pump-13", forged));
    EXPECT_FALSE(impostor.connect());
}

// Without the variable, the plugin knows no JWT secret: the same JWT is refused.
TEST(MosquittoAuth, WithoutTheEnvironmentTheJwtIsRefused) {
    mosquitto_broker broker(auth_plugin_setup{config_without_jwt_secret()});
    mqtt_test_client pump(broker.url(), device("pump-12", jwt("pump-12", "device")));
    EXPECT_FALSE(pump.connect());
}
