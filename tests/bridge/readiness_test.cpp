// /readyz and /metrics follow the MQTT bridge: 503 while mosquitto is down,
// 200 again once the bridge has reconnected, with the bridge's families
// in /metrics.

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>
#include <thread>

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

// A faulty "broker": it accepts the bridge's connection and reads its
// CONNECT, then either accepts it (an MQTT 3.1.1 CONNACK) and never answers
// anything again, its subscriptions included, or closes the connection
// without a CONNACK, as RabbitMQ 3.10 does with an MQTT 5 CONNECT it cannot
// parse (docs/scaling.md), and accepts the next attempt.
class faulty_broker {
public:
    enum class fault { silent_after_connack, close_after_connect };

    explicit faulty_broker(fault f)
        : fault_(f), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~faulty_broker() {
        io_.stop();
        thread_.join();
    }
    std::string url() const {
        return "tcp://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
    }

private:
    void accept() {
        acceptor_.async_accept(socket_, [this](boost::system::error_code ec) {
            if (!ec) read();
        });
    }
    void read() {
        socket_.async_read_some(
            boost::asio::buffer(buffer_), [this](boost::system::error_code ec, std::size_t) {
                if (ec) return;
                // The first read holds CONNECT.
                if (fault_ == fault::close_after_connect) {
                    socket_.close();
                    accept();
                    return;
                }
                if (!connacked_) {
                    connacked_ = true;
                    boost::asio::write(socket_, boost::asio::buffer("\x20\x02\x00\x00", 4));
                }
                read();
            });
    }
    fault fault_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::ip::tcp::socket socket_{io_};
    std::array<char, 4096> buffer_{};
    bool connacked_ = false;
    std::thread thread_;
};

// Connected is not enough: until the broker acknowledges the bridge's
// subscriptions, MQTT clients' statuses and frames may not reach it, so
// /readyz waits for them (here forever: the broker never answers).
TEST(BridgeReadiness, ReadyzWaitsForTheBrokerToAcknowledgeTheSubscriptions) {
    faulty_broker silent(faulty_broker::fault::silent_after_connack);
    mosquitto_broker broker;  // for bridged_gateway's credentials; not connected to
    bridged_gateway gw(broker, mqtt_version::v3_1_1,
                       [&](gateway_config& c) { c.mqtt.url = silent.url(); });
    ASSERT_TRUE(eventually([&] { return gw.bridge().state() == bridge_state::connected; }, 10s));
    // Long enough for any broker on loopback to have answered.
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(json::parse(gw.bridge().health_json())["subscribed"], false);
    EXPECT_EQ(readyz_status(gw.port()), 503);
    auto body = json::parse(http_get(gw.port(), "/readyz").body());
    EXPECT_EQ(body["mqtt"], "subscribing") << body;
    EXPECT_EQ(body["reasons"][0], "mqtt bridge subscribing") << body;
    EXPECT_EQ(scrape(gw.port())["switchboard_ready"], 0);

    // A broker that answers: ready, and subscribed.
    bridged_gateway fine(broker);
    ASSERT_TRUE(eventually([&] { return readyz_status(fine.port()) == 200; }, 10s)) << broker.log();
    EXPECT_EQ(json::parse(fine.bridge().health_json())["subscribed"], true);
    EXPECT_EQ(json::parse(http_get(fine.port(), "/readyz").body())["mqtt"], "connected");
}

// A broker that closes the connection on an MQTT 5 CONNECT (RabbitMQ before
// 3.13) and a port nobody listens on were both "connect ... failed: Failure"
// in the log: the bridge now says which, and what to change for the first.
TEST(BridgeReadiness, ABrokerThatDropsTheMqtt5ConnectIsToldFromAClosedPort) {
    auto last_error = [](bridged_gateway& gw) {
        return json::parse(gw.bridge().health_json()).value("last_error", std::string());
    };
    mosquitto_broker broker;  // for bridged_gateway's credentials; not connected to
    faulty_broker dropping(faulty_broker::fault::close_after_connect);
    bridged_gateway v5(broker, mqtt_version::v5,
                       [&](gateway_config& c) { c.mqtt.url = dropping.url(); });
    ASSERT_TRUE(eventually([&] { return !last_error(v5).empty(); }, 10s));
    std::string error = last_error(v5);
    EXPECT_NE(error.find("without answering the MQTT 5 CONNECT"), std::string::npos) << error;
    EXPECT_NE(error.find("try mqtt.version \"3.1.1\""), std::string::npos) << error;
    EXPECT_EQ(readyz_status(v5.port()), 503);

    // A port nobody listens on: the connection was refused, nothing to hint.
    std::string closed_url;
    {
        faulty_broker gone(faulty_broker::fault::close_after_connect);
        closed_url = gone.url();
    }
    bridged_gateway refused(broker, mqtt_version::v5,
                            [&](gateway_config& c) { c.mqtt.url = closed_url; });
    ASSERT_TRUE(eventually([&] { return !last_error(refused).empty(); }, 10s));
    error = last_error(refused);
    EXPECT_NE(error.find("failed: "), std::string::npos) << error;
    EXPECT_EQ(error.find("mqtt.version"), std::string::npos) << error;
}
