// /readyz and /metrics follow the MQTT bridge: 503 while mosquitto is down,
// 200 again once the bridge has reconnected, with the bridge's families
// in /metrics.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bridged_gateway.hpp"
#include "eventually.hpp"
#include "http_get.hpp"
#include "mosquitto_broker.hpp"
#include "prometheus_text.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {
int readyz_status(unsigned short port) { return http_get(port, "/readyz").result_int(); }

prometheus_text scrape(unsigned short port) {
    return prometheus_text::parse(http_get(port, "/metrics").body());
}
}  // namespace

TEST(BridgeReadiness, ReadyzFollowsTheBrokerGoingAndComingBack) {
    mosquitto_broker broker;
    bridged_gateway gw(broker);
    ASSERT_TRUE(eventually([&] { return readyz_status(gw.port()) == 200; }, 10s)) << broker.log();
    auto up = scrape(gw.port());
    EXPECT_EQ(up["switchboard_mqtt_bridge_state{state=\"connected\"}"], 1);
    EXPECT_EQ(up["switchboard_ready"], 1);
    EXPECT_EQ(up.families["switchboard_mqtt_unacked_publishes"], "gauge");
    EXPECT_EQ(up.families["switchboard_mqtt_resent_publishes_total"], "counter");

    broker.kill();
    ASSERT_TRUE(eventually([&] { return readyz_status(gw.port()) == 503; }, 10s));
    auto body = json::parse(http_get(gw.port(), "/readyz").body());
    EXPECT_EQ(body["ready"], false);
    EXPECT_NE(body["mqtt"], "connected");
    ASSERT_EQ(body["reasons"].size(), 1u);
    EXPECT_TRUE(body["reasons"][0].get<std::string>().starts_with("mqtt bridge ")) << body;
    EXPECT_EQ(http_get(gw.port(), "/healthz").result_int(), 200);  // alive all the same
    auto down = scrape(gw.port());
    EXPECT_EQ(down["switchboard_ready"], 0);
    EXPECT_EQ(down["switchboard_mqtt_bridge_state{state=\"connected\"}"], 0);

    broker.restart();
    ASSERT_TRUE(eventually([&] { return readyz_status(gw.port()) == 200; }, 15s)) << broker.log();
    EXPECT_GE(scrape(gw.port())["switchboard_mqtt_reconnects_total"], 1);
}
