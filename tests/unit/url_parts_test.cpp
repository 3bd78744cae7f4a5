// parse_broker_url: the rules the gateway's bridge URL and the simulator's
// MQTT URL share (the simulator's own cases: tests/sim/client_url_test.cpp).

#include "core/url_parts.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace switchboard {
namespace {

// The reason `url` is refused with `schemes`, or "accepted".
std::string broker_url_refusal(const std::string& url,
                               std::initializer_list<std::string_view> schemes) {
    try {
        parse_broker_url(url, schemes);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "accepted";
}

TEST(UrlParts, ABrokerUrlWithoutAPortMeansItsSchemesStandardOne) {
    EXPECT_EQ(parse_bridge_url("tcp://broker").port, 1883);
    EXPECT_EQ(parse_bridge_url("mqtt://broker").port, 1883);
    EXPECT_EQ(parse_bridge_url("ssl://broker").port, 8883);
    EXPECT_EQ(parse_bridge_url("mqtts://broker").port, 8883);
    EXPECT_EQ(parse_bridge_url("ws://broker/mqtt").port, 80);
    EXPECT_EQ(parse_bridge_url("wss://broker/mqtt").port, 443);
    auto v6 = parse_bridge_url("ssl://[::1]:18883");
    EXPECT_EQ(v6.host, "::1");
    EXPECT_EQ(v6.port, 18883);
}

TEST(UrlParts, OnlyMqttOverWebSocketHasAPath) {
    EXPECT_EQ(parse_bridge_url("ws://broker:9001/mqtt").path, "/mqtt");
    EXPECT_EQ(parse_bridge_url("tcp://broker:1883/").path, "/");
    for (const char* url : {"tcp://b:1883/x", "mqtt://b/x", "ssl://b/x", "mqtts://b:8883/x"}) {
        EXPECT_NE(
            broker_url_refusal(url, {"tcp", "mqtt", "ssl", "mqtts"}).find("has no path ('/x')"),
            std::string::npos)
            << url;
    }
}

TEST(UrlParts, EachCallerChoosesItsSchemes) {
    EXPECT_EQ(broker_url_refusal("tcp://b:1", {"tcp", "mqtt"}), "accepted");
    EXPECT_EQ(broker_url_refusal("ws://b:1/mqtt", {"tcp", "mqtt"}),
              "'ws://b:1/mqtt': unknown scheme 'ws://': expected tcp:// or mqtt://");
    EXPECT_EQ(broker_url_refusal("b:1", {"tcp"}), "'b:1': not a URL: expected tcp://HOST:PORT");
}

}  // namespace
}  // namespace switchboard
