// parse_url and parse_mqtt_url: the simulator's URLs are refused at start-up
// with the reason, whatever is wrong with them.

#include "client/client_url.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

using namespace switchboard::client;

namespace {

// The reason a URL is refused ("'URL': why"), or "accepted".
template <class Parse>
std::string refusal(Parse&& parse) {
    try {
        parse();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "accepted";
}

std::string ws_refusal(const std::string& url) {
    return refusal([&] { parse_url(url, {"ws", "wss"}); });
}

}  // namespace

TEST(ClientUrl, SplitsSchemeHostPortAndPath) {
    auto p = parse_url("wss://gw.example:8443/ws/x", {"ws", "wss"});
    EXPECT_EQ(p.scheme, "wss");
    EXPECT_EQ(p.host, "gw.example");
    EXPECT_EQ(p.port, 8443);
    EXPECT_EQ(p.authority, "gw.example:8443");
    EXPECT_EQ(p.path, "/ws/x");
    EXPECT_EQ(parse_url("ws://127.0.0.1:9", {"ws"}).path, "");
    // IPv6: the host without its brackets, the Host header with them.
    auto v6 = parse_url("ws://[::1]:8080/ws", {"ws"});
    EXPECT_EQ(v6.host, "::1");
    EXPECT_EQ(v6.port, 8080);
    EXPECT_EQ(v6.authority, "[::1]:8080");
    EXPECT_EQ(parse_url("tcp://broker", {"tcp"}, 1883).port, 1883);
}

TEST(ClientUrl, EveryMistakeIsRefusedWithItsReason) {
    const std::pair<const char*, const char*> cases[] = {
        {"wss://127.0.0.1:/ws", "'wss://127.0.0.1:/ws': the port is empty"},
        {"ws://127.0.0.1:80x/ws", "the port '80x' is not a number"},
        {"ws://127.0.0.1:-1/ws", "the port '-1' is not a number"},
        {"ws://127.0.0.1: 80/ws", "the port ' 80' is not a number"},
        {"ws://127.0.0.1:0/ws", "port 0 is out of range (1-65535)"},
        {"ws://127.0.0.1:65536/ws", "port 65536 is out of range"},
        {"ws://127.0.0.1:99999999999999999999/ws", "is out of range"},
        {"ws://127.0.0.1/ws", "no port"},
        {"ws://:8080/ws", "no host"},
        {"ws:///ws", "no host"},
        {"ws://", "no host"},
        {"ws://[::1/ws", "'[' is not closed"},
        {"ws://[::1]x:80/ws", "'x:80' after the host"},
        {"http://127.0.0.1:80/ws", "unknown scheme 'http://': expected ws:// or wss://"},
        {"127.0.0.1:8080", "not a URL: expected ws:// or wss://HOST:PORT"},
        {"", "not a URL"},
    };
    for (const auto& [url, why] : cases) {
        EXPECT_NE(ws_refusal(url).find(why), std::string::npos) << url << ": " << ws_refusal(url);
    }
}

TEST(ClientUrl, MqttUrlsTakeTcpOrMqttAHostAndAnOptionalPort) {
    auto a = parse_mqtt_url("tcp://127.0.0.1:18830");
    EXPECT_EQ(a.host, "127.0.0.1");
    EXPECT_EQ(a.port, 18830);
    EXPECT_EQ(parse_mqtt_url("mqtt://broker").port, 1883);
    EXPECT_EQ(parse_mqtt_url("mqtt://broker/").port, 1883);
    const std::pair<const char*, const char*> cases[] = {
        {"tcp://127.0.0.1:", "the port is empty"},
        {"tcp://127.0.0.1:18830x", "the port '18830x' is not a number"},
        {"tcp://:18830", "no host"},
        {"ssl://127.0.0.1:8883", "unknown scheme 'ssl://': expected tcp:// or mqtt://"},
        {"tcp://127.0.0.1:1883/topic", "an MQTT broker URL has no path ('/topic')"},
    };
    for (const auto& [url, why] : cases) {
        std::string got = refusal([&] { parse_mqtt_url(url); });
        EXPECT_NE(got.find(why), std::string::npos) << url << ": " << got;
    }
}
