// mqtt_transport (libmosquitto) against a real mosquitto started from the
// shipped config: topics, retained status, the Last Will on a cut,
// reconnecting on the same client, and a broker's refusal named.

#include <gtest/gtest.h>

#ifdef SWITCHBOARD_CLIENT_WITH_MQTT
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>

#include "client/mqtt_transport.hpp"
#include "client/protocol_client.hpp"
#include "gateway_side.hpp"
#include "io_pool.hpp"

using namespace switchboard;
using namespace switchboard::client;
using namespace switchboard::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Records what a protocol_client hears, for the test thread to wait on.
class recorder : public protocol_listener {
public:
    void on_registered(const frame_view&) override { push("registered"); }
    void on_frame(const frame_view& f) override {
        push(std::string(f.type()) + ":" + f.string("id").value_or(""));
    }
    void on_disconnected(const close_info& info, bool) override {
        push("closed:" + std::to_string(info.code) +
             (info.refusal.empty() ? "" : " " + info.refusal));
    }

    std::optional<std::string> next(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        if (!cv_.wait_for(lock, timeout, [&] { return !events_.empty(); })) return std::nullopt;
        auto e = events_.front();
        events_.pop_front();
        return e;
    }

private:
    void push(std::string e) {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(e));
        cv_.notify_all();
    }
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::string> events_;
};

// Waits for a message on `topic` whose JSON payload satisfies `match`.
std::optional<json> wait_for(mqtt_test_client& probe, const std::string& topic,
                             const std::function<bool(const json&)>& match) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto m = probe.receive(std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()));
        if (!m) break;
        auto j = json::parse(m->payload, nullptr, false);
        if (m->topic == topic && !j.is_discarded() && match(j)) return j;
    }
    return std::nullopt;
}

}  // namespace

TEST(MqttTransport, FramesFlowAndCutPublishesTheLastWill) {
    mosquitto_broker broker;
    mqtt_test_client probe(broker.url(), gateway_side("probe", {"sb/dev-9/#"}));
    ASSERT_TRUE(probe.connect()) << broker.log();

    io_pool io(1);
    io.start();
    auto options = std::make_shared<mqtt_options>();
    options->server_uri = broker.url();
    auto link =
        std::make_shared<mqtt_transport>(io.at(0), options, "dev-9", "device", R"({"model":"x"})");
    auto client = std::make_shared<protocol_client>(
        link, identity{"dev-9", "device", R"({"model":"x"})", {}});
    recorder heard;
    boost::asio::post(io.at(0), [&] { client->connect(heard); });
    ASSERT_EQ(heard.next(10s), "registered");

    auto online =
        wait_for(probe, "sb/dev-9/status", [](const json& j) { return j.value("online", false); });
    ASSERT_TRUE(online);
    EXPECT_EQ((*online)["role"], "device");
    EXPECT_EQ((*online)["meta"]["model"], "x");

    // In on sb/dev-9/in, out on sb/dev-9/out.
    probe.publish("sb/dev-9/in",
                  std::string(R"({"type":"command","from":"c","id":"k1","name":"echo"})"));
    ASSERT_EQ(heard.next(10s), "command:k1");
    boost::asio::post(io.at(0), [&] { client->respond_ok("c", "k1", R"({"fine":true})"); });
    auto answer = wait_for(probe, "sb/dev-9/out",
                           [](const json& j) { return j.value("type", "") == "response"; });
    ASSERT_TRUE(answer);
    EXPECT_EQ((*answer)["to"], "c");
    EXPECT_EQ((*answer)["result"]["fine"], true);

    // A cut: the device publishes nothing; the broker's Will says offline.
    boost::asio::post(io.at(0), [&] { client->cut(); });
    ASSERT_EQ(heard.next(10s), "closed:1006");
    auto will = wait_for(probe, "sb/dev-9/status", [](const json& j) {
        return j.contains("online") && !j["online"].get<bool>();
    });
    ASSERT_TRUE(will) << broker.log();

    // The same client connects again and is online again.
    boost::asio::post(io.at(0), [&] { client->connect(heard); });
    ASSERT_EQ(heard.next(10s), "registered");
    EXPECT_TRUE(
        wait_for(probe, "sb/dev-9/status", [](const json& j) { return j.value("online", false); }));
    boost::asio::post(io.at(0), [&] { client->close(); });
    ASSERT_EQ(heard.next(10s), "closed:1000");
    io.stop();
    io.join();  // the client goes after its thread, so no handler races its destructor
}

TEST(MqttTransport, UnreachableBrokerReportsClosed) {
    io_pool io(1);
    io.start();
    auto options = std::make_shared<mqtt_options>();
    options->server_uri = "tcp://127.0.0.1:1";  // nothing listens on port 1
    options->connect_timeout = std::chrono::seconds(2);
    auto link = std::make_shared<mqtt_transport>(io.at(0), options, "dev-x", "device", "{}");
    auto client = std::make_shared<protocol_client>(link, identity{"dev-x", "device", "{}", {}});
    recorder heard;
    boost::asio::post(io.at(0), [&] { client->connect(heard); });
    auto e = heard.next(15s);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->rfind("closed:", 0), 0u) << *e;
    io.stop();
    io.join();
}

TEST(MqttTransport, RefusedLoginIsNamedByItsReasonCode) {
    mosquitto_broker broker;
    io_pool io(1);
    io.start();
    auto options = std::make_shared<mqtt_options>();
    options->server_uri = broker.url();
    auto link = std::make_shared<mqtt_transport>(
        io.at(0), options, "dev-r", "device", "{}",
        mqtt_credentials{mosquitto_broker::gateway_user, "not-the-password"});
    auto client = std::make_shared<protocol_client>(link, identity{"dev-r", "device", "{}", {}});
    recorder heard;
    boost::asio::post(io.at(0), [&] { client->connect(heard); });
    auto e = heard.next(15s);
    ASSERT_TRUE(e);
    // MQTT 5 reason code 135: mosquitto refuses a wrong password as "not authorized".
    EXPECT_EQ(*e, "closed:1006 MQTT CONNACK 135 Not authorized") << broker.log();
    io.stop();
    io.join();
}
#endif
