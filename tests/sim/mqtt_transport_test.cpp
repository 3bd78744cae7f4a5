// mqtt_transport against a real mosquitto: topics, retained status, the
// Last Will on a cut, and reconnecting on the same client.

#include <gtest/gtest.h>

#ifdef SWITCHBOARD_CLIENT_WITH_MQTT
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>

#include "client/io_threads.hpp"
#include "client/mqtt_transport.hpp"
#include "client/protocol_client.hpp"
#include "mqtt_probe.hpp"
#include "running_mosquitto.hpp"

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
        push("closed:" + std::to_string(info.code));
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
std::optional<json> wait_for(mqtt_probe& probe, const std::string& topic,
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
    running_mosquitto broker;
    ASSERT_TRUE(broker.ready()) << broker.failure();
    mqtt_probe probe(broker.uri(), "probe");
    probe.subscribe("sb/dev-9/#");

    io_threads io(1);
    auto options = std::make_shared<mqtt_options>();
    options->server_uri = broker.uri();
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
    probe.publish("sb/dev-9/in", R"({"type":"command","from":"c","id":"k1","name":"echo"})");
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
    io.stop();  // the client goes after its thread, so no handler races its destructor
}

TEST(MqttTransport, UnreachableBrokerReportsClosed) {
    io_threads io(1);
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
}
#endif
