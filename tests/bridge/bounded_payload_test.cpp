// What a hostile MQTT client can publish, against a live mosquitto and a
// bridged gateway (issue 10): a status nested 300,000 levels deep (once a
// SIGSEGV, and retained, one on every restart), and a flood of bogus
// responses on its outbox. The gateway lives, refuses and counts.

#include <gtest/gtest.h>

#include "bridged_gateway.hpp"
#include "eventually.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_test_client.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {

mqtt_client_options plain_client(const std::string& id) {
    mqtt_client_options o;
    o.client_id = id;
    o.will = false;
    return o;
}

// The gateway still registers and answers a WebSocket client.
void expect_serving(bridged_gateway& gw) {
    ws_test_client dash(gw.port());
    ASSERT_EQ(dash.register_as("dash-1", "controller")["type"], "registered");
    dash.send({{"type", "list"}});
    EXPECT_TRUE(dash.receive_type("list"));
}

// Sends `n` lists from `x` at once and reads its `n` answers: how many were
// lists and how many rate_limited errors.
struct answers {
    int lists = 0;
    int rate_limited = 0;
};
answers send_lists(mqtt_test_client& x, int n) {
    for (int i = 0; i < n; ++i) EXPECT_TRUE(x.publish("sb/x/out", R"({"type":"list"})", 1));
    answers a;
    for (int i = 0; i < n; ++i) {
        auto m = x.receive();
        if (!m) break;
        auto f = json::parse(m->payload, nullptr, false);
        if (f.value("type", "") == "list") ++a.lists;
        if (f.value("type", "") == "error" && f["code"] == "rate_limited") ++a.rate_limited;
    }
    return a;
}

}  // namespace

TEST(MqttBounds, DeeplyNestedRetainedStatusIsRefusedCountedAndSurvivesARestart) {
    mosquitto_broker broker;
    const std::string nested = R"({"online":true,"role":"device","meta":{"a":)" +
                               std::string(300000, '[') + std::string(300000, ']') + "}}";
    {
        bridged_gateway gw(broker, mqtt_version::v5, [](gateway_config& c) {
            c.session.max_message_bytes = 1 << 20;  // so the nesting cap is what refuses it
        });
        mqtt_test_client x(broker.url(), plain_client("x"));
        ASSERT_TRUE(x.connect());
        ASSERT_TRUE(x.publish("sb/x/status", nested, 1, /*retained=*/true));
        EXPECT_TRUE(eventually([&] { return health(gw, "statuses_refused") >= 1; }));
        expect_serving(gw);
        EXPECT_EQ(gw.get().routing().clients().find("x"), nullptr);
    }
    // A new gateway reads the retained status again on subscribing.
    bridged_gateway again(broker);
    EXPECT_TRUE(eventually([&] { return health(again, "statuses_refused") >= 1; }));
    expect_serving(again);
    EXPECT_EQ(again.get().routing().clients().find("x"), nullptr);
}

TEST(MqttBounds, OversizedStatusAndFatMetaAreRefused) {
    mosquitto_broker broker;
    bridged_gateway gw(broker);
    mqtt_test_client x(broker.url(), plain_client("x"));
    mqtt_test_client y(broker.url(), plain_client("y"));
    ASSERT_TRUE(x.connect());
    ASSERT_TRUE(y.connect());
    // Retained, and one ID each: the bridge may not have subscribed yet (its
    // SUBACK is not waited for), and a retained status reaches it either way,
    // live or replayed when it subscribes. Two on one ID would keep only the
    // last (and the broker's ACL lets a client write only its own status).
    // Not retained, this failed once in three debug runs under load.
    ASSERT_TRUE(x.publish("sb/x/status", std::string(600000, '['), 1, /*retained=*/true));
    json fat = {{"online", true}, {"meta", {{"note", std::string(2000, 'm')}}}};
    ASSERT_TRUE(y.publish("sb/y/status", fat.dump(), 1, /*retained=*/true));
    EXPECT_TRUE(eventually([&] { return health(gw, "statuses_refused") >= 2; }));
    EXPECT_EQ(gw.get().routing().clients().find("x"), nullptr);
    EXPECT_EQ(gw.get().routing().clients().find("y"), nullptr);
    expect_serving(gw);
}

TEST(MqttBounds, ResponseFloodFromOneIdIsRefusedAndCounted) {
    mosquitto_broker broker;
    bridged_gateway gw(broker, mqtt_version::v5,
                       [](gateway_config& c) { c.session.rate = rate_limit_options{}; });
    mqtt_test_client x(broker.url(), registering_client("x", "device"));
    ASSERT_TRUE(x.connect());
    ASSERT_TRUE(eventually([&] { return gw.get().routing().clients().find("x") != nullptr; }));
    for (int i = 0; i < 3000; ++i) {
        ASSERT_TRUE(x.publish("sb/x/out",
                              R"({"type":"response","to":"dash-1","id":"bogus-)" +
                                  std::to_string(i) + R"(","ok":true})",
                              0));
    }
    EXPECT_TRUE(eventually([&] { return health(gw, "frames_in") >= 3000; }, 20s));
    EXPECT_GT(health(gw, "flood_refused"), 0);
    EXPECT_GT(gw.get().stats().rate_limited.load(), 0u);
    auto limited = x.receive_type("error", 5s);
    bool saw_rate_limited = false;
    while (limited && !saw_rate_limited) {
        saw_rate_limited = (*limited)["code"] == "rate_limited";
        if (!saw_rate_limited) limited = x.receive_type("error", 2s);
    }
    EXPECT_TRUE(saw_rate_limited);
    expect_serving(gw);
}

// limits.frames_per_second, frame_burst and rate_limit_close_after reloaded
// (what main does on SIGHUP or `switchboard reload`: the gateway, then the
// bridge) hold from an MQTT ID's next frame, over the same broker
// connection and the same registration.
TEST(MqttBounds, AReloadedRateHoldsForMqttFramesWithoutReconnecting) {
    mosquitto_broker broker;
    // Hardly any refill: what passes is the burst.
    const rate_limit_options started{.frames_per_second = 0.01, .burst = 4, .close_after = 1000};
    bridged_gateway gw(broker, mqtt_version::v5,
                       [&](gateway_config& c) { c.session.rate = started; });
    mqtt_test_client x(broker.url(), registering_client("x", "controller"));
    ASSERT_TRUE(x.connect());
    ASSERT_TRUE(eventually([&] { return gw.get().routing().clients().find("x") != nullptr; }));
    client_ptr registered = gw.get().routing().clients().find("x");
    auto before = send_lists(x, 8);
    EXPECT_EQ(before.lists, 4);
    EXPECT_EQ(before.rate_limited, 4);

    gateway_config next = gw.get().running_config();
    next.session.rate = {.frames_per_second = 0.01, .burst = 12, .close_after = 1000};
    reload_plan plan = gw.get().reload(next);
    ASSERT_FALSE(plan.refused()) << plan.refusal();
    gw.bridge().reload(gw.get().running_config());
    auto after = send_lists(x, 16);
    EXPECT_EQ(after.lists, 12);
    EXPECT_EQ(after.rate_limited, 4);

    EXPECT_EQ(gw.bridge().reconnects(), 0u);
    EXPECT_EQ(gw.get().routing().clients().find("x"), registered);  // the same registration
}
