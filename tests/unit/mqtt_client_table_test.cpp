// core/mqtt_client_table: MQTT statuses and `out` payloads, Paho-free, with
// a stub for the bridge's links. What a hostile client can publish is
// bounded before it is parsed, and each ID pays its own rate.

#include "core/mqtt_client_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/router.hpp"
#include "fake_endpoint.hpp"
#include "tight_rate.hpp"

namespace switchboard {
namespace {

using json = nlohmann::json;
using testing::fake_endpoint;
using testing::tight_rate;

class stub_links final : public mqtt_client_links {
public:
    std::shared_ptr<endpoint> make_link(const std::string& id, const std::string&) override {
        auto link = std::make_shared<fake_endpoint>();
        links[id] = link;
        return link;
    }
    void send_to_inbox(const std::string& id, frame_ptr frame) override {
        strangers[id].push_back(*frame);
    }
    std::string status_topic(const std::string& id) const override {
        return "sb/" + id + "/status";
    }

    std::map<std::string, std::shared_ptr<fake_endpoint>> links;
    std::map<std::string, std::vector<std::string>> strangers;
};

class MqttTableTest : public ::testing::Test {
protected:
    counters stats_;
    router routing_{router_options{}, stats_};
    frame_intake intake_{routing_, intake_limits{4096, 64}};
    stub_links links_;
    mqtt_client_table table_{routing_, intake_, tight_rate(), links_};
    steady_time now_ = std::chrono::steady_clock::now();
};

TEST(MqttStatus, ReadsOnlineOfflineAndInvalid) {
    intake_limits limits{4096, 64};
    auto s = read_status(R"({"online":true,"role":"controller","meta":{"a":1}})", limits);
    EXPECT_EQ(s.what, status_payload::kind::online);
    EXPECT_EQ(s.request.role, client_role::controller);
    EXPECT_EQ(s.request.meta_json, R"({"a":1})");
    EXPECT_EQ(read_status("", limits).what, status_payload::kind::offline);
    EXPECT_EQ(read_status(R"({"online":false})", limits).what, status_payload::kind::offline);
    for (const char* bad : {"[]", "{", R"({"online":1})", R"({"online":true,"role":"admin"})",
                            R"({"online":true,"meta":[]})"}) {
        EXPECT_EQ(read_status(bad, limits).what, status_payload::kind::invalid) << bad;
    }
}

TEST(MqttStatus, NestingSizeAndMetaAreBoundedBeforeParsing) {
    intake_limits limits{700000, 1024};
    // The SIGSEGV of issue 10: ~600 KB of `[` once reached a recursive dump().
    std::string nested = R"({"online":true,"meta":{"x":)" + std::string(600000, '[');
    auto s = read_status(nested, limits);
    EXPECT_EQ(s.what, status_payload::kind::invalid);
    EXPECT_NE(s.why.find("nested"), std::string::npos) << s.why;
    limits.max_message_bytes = 4096;
    EXPECT_NE(read_status(nested, limits).why.find("over 4096 bytes"), std::string::npos);
    std::string fat = R"({"online":true,"meta":{"x":")" + std::string(2000, 'm') + "\"}}";
    EXPECT_NE(read_status(fat, limits).why.find("'meta' is over 1024"), std::string::npos);
}

TEST_F(MqttTableTest, StatusRegistersAndInvalidStatusUnregistersAndIsCounted) {
    table_.on_status("pump-1", R"({"online":true,"role":"device"})", now_);
    ASSERT_NE(routing_.clients().find("pump-1"), nullptr);
    auto outcome = table_.on_status("pump-1", std::string(100000, '['), now_);
    EXPECT_EQ(outcome.what, status_payload::kind::invalid);
    EXPECT_EQ(routing_.clients().find("pump-1"), nullptr);
    EXPECT_EQ(table_.counts().statuses_refused, 1u);
}

TEST_F(MqttTableTest, OutFramesAreRoutedAsTheTopicsId) {
    table_.on_status("dash", R"({"online":true,"role":"controller"})", now_);
    table_.on_status("pump", R"({"online":true})", now_);
    table_.on_out("dash", R"({"type":"command","to":"pump","id":"c-1","name":"go","from":"x"})",
                  now_);
    ASSERT_EQ(links_.links["pump"]->frame_count(), 1u);
    EXPECT_EQ(links_.links["pump"]->last()["from"], "dash");
}

TEST_F(MqttTableTest, AFloodFromOneIdIsRefusedCountedAndToldOnce) {
    table_.on_status("pump", R"({"online":true})", now_);
    for (int i = 0; i < 3000; ++i) {
        table_.on_out(
            "pump",
            R"({"type":"response","to":"dash","id":"r-)" + std::to_string(i) + R"(","ok":true})",
            now_);
    }
    auto& link = *links_.links["pump"];
    std::size_t limited = 0;
    for (const auto& f : link.frames()) limited += f.value("code", "") == "rate_limited";
    // 5 refusals answered, then one flood notice within the second.
    EXPECT_EQ(limited, 6u);
    EXPECT_EQ(table_.counts().flood_refused, 3000u - 10u - 5u);
    EXPECT_EQ(table_.counts().frames_in, 3000u);
    EXPECT_LT(link.frame_count(), 30u);
}

TEST_F(MqttTableTest, StrangersShareOneBoundedBucket) {
    for (int i = 0; i < 100; ++i) table_.on_out("ghost-" + std::to_string(i % 7), "{}", now_);
    std::size_t answered = 0;
    for (const auto& [id, frames] : links_.strangers) answered += frames.size();
    EXPECT_EQ(answered, 10u);  // the shared burst
    EXPECT_EQ(table_.counts().unregistered_frames, 100u);
    ASSERT_FALSE(links_.strangers["ghost-0"].empty());
    EXPECT_NE(links_.strangers["ghost-0"][0].find("sb/ghost-0/status"), std::string::npos);
}

TEST_F(MqttTableTest, ANewStatusOfTheSameDeviceKeepsItsCommandsAndALastWillEndsThem) {
    table_.on_status("dash", R"({"online":true,"role":"controller"})", now_);
    table_.on_status("pump", R"({"online":true,"meta":{"battery":80}})", now_);
    table_.on_out("dash", R"({"type":"command","to":"pump","id":"c-1","name":"go"})", now_);
    table_.on_out("dash", R"({"type":"command","to":"pump","id":"c-2","name":"go"})", now_);
    // Same client, same connection, new meta: a new record, its commands kept.
    table_.on_status("pump", R"({"online":true,"meta":{"battery":79}})", now_);
    auto& dash = *links_.links["dash"];
    EXPECT_EQ(dash.frame_count(), 0u);
    table_.on_out("pump", R"({"type":"response","to":"dash","id":"c-1","ok":true})", now_);
    ASSERT_EQ(dash.frame_count(), 1u);
    EXPECT_EQ(dash.last()["ok"], true);
    // Its Last Will (status cleared): the other one ends at once.
    table_.on_status("pump", "", now_);
    ASSERT_EQ(dash.frame_count(), 2u);
    EXPECT_EQ(dash.last()["id"], "c-2");
    EXPECT_EQ(dash.last()["error"]["code"], "device_disconnected");
    EXPECT_EQ(routing_.ledger().size(), 0u);
}

TEST_F(MqttTableTest, ANewStatusOfTheSameControllerKeepsItsCommandsFollowsAndRate) {
    table_.on_status("dash", R"({"online":true,"role":"controller","meta":{"v":1}})", now_);
    table_.on_status("pump", R"({"online":true})", now_);
    table_.on_out("dash", R"({"type":"subscribe","ids":["pump"]})", now_);
    table_.on_out("dash", R"({"type":"command","to":"pump","id":"c-1","name":"go"})", now_);
    // 8 of the burst of 10 spent (subscribe, command, 6 lists).
    for (int i = 0; i < 6; ++i) table_.on_out("dash", R"({"type":"list"})", now_);
    // Same connection, new meta: a new record that goes on where the old one was.
    table_.on_status("dash", R"({"online":true,"role":"controller","meta":{"v":2}})", now_);
    auto& dash = *links_.links["dash"];
    ASSERT_EQ(dash.frame_count(), 0u);
    // The command it sent before is still its own to hear answered...
    table_.on_out("pump", R"({"type":"response","to":"dash","id":"c-1","ok":true})", now_);
    ASSERT_EQ(dash.frame_count(), 1u);
    EXPECT_EQ(dash.last()["type"], "response");
    EXPECT_EQ(dash.last()["ok"], true);
    EXPECT_EQ(routing_.stats().commands_dropped.load(), 0u);
    // ...its follow of pump still holds...
    table_.on_status("pump", R"({"online":false})", now_);
    ASSERT_EQ(dash.frame_count(), 2u);
    EXPECT_EQ(dash.last()["type"], "presence");
    EXPECT_EQ(dash.last()["id"], "pump");
    // ...and a new status does not refill its bucket: 2 left of the burst.
    for (int i = 0; i < 3; ++i) table_.on_out("dash", R"({"type":"list"})", now_);
    EXPECT_EQ(dash.last()["type"], "error");
    EXPECT_EQ(dash.last()["code"], "rate_limited");
}

TEST_F(MqttTableTest, ANewRoleStartsAfreshItsCommandsAndFollowsEnd) {
    table_.on_status("dash", R"({"online":true,"role":"controller"})", now_);
    table_.on_status("pump", R"({"online":true})", now_);
    table_.on_out("dash", R"({"type":"subscribe","ids":["pump"]})", now_);
    table_.on_out("dash", R"({"type":"command","to":"pump","id":"c-1","name":"go"})", now_);
    table_.on_status("dash", R"({"online":true,"role":"device"})", now_);
    EXPECT_EQ(routing_.stats().commands_dropped.load(), 1u);
    table_.on_status("pump", R"({"online":false})", now_);
    EXPECT_EQ(links_.links["dash"]->frame_count(), 0u);
}

TEST_F(MqttTableTest, AReloadedRateHoldsFromEachIdsNextFrame) {
    table_.on_status("dash", R"({"online":true,"role":"controller"})", now_);
    auto& dash = *links_.links["dash"];
    // Lists answered out of `n` sent at once (each answered list is one frame).
    auto answered = [&](int n) {
        std::size_t before = 0;
        for (const auto& f : dash.frames()) before += f.value("type", "") == "list";
        for (int i = 0; i < n; ++i) table_.on_out("dash", R"({"type":"list"})", now_);
        std::size_t after = 0;
        for (const auto& f : dash.frames()) after += f.value("type", "") == "list";
        return after - before;
    };
    EXPECT_EQ(answered(12), 10u);  // tight_rate's burst
    rate_limit_options slower{.frames_per_second = 2, .burst = 3, .close_after = 100};
    table_.set_rate(slower, now_);
    EXPECT_EQ(answered(5), 3u);  // a full bucket of the new burst, at once
    table_.set_rate(slower, now_);
    EXPECT_EQ(answered(1), 0u);  // the same rate again: no fresh burst
    table_.set_rate(rate_limit_options{.frames_per_second = 0}, now_);
    EXPECT_EQ(answered(50), 50u);  // unlimited
    // IDs with no registration follow it too.
    for (int i = 0; i < 100; ++i) table_.on_out("ghost", "{}", now_);
    EXPECT_EQ(links_.strangers["ghost"].size(), 100u);
}

TEST(MqttEvents, PayloadSplicesNameAndData) {
    event_request e{"temp", R"({"c":21.5})"};
    EXPECT_EQ(json::parse(event_payload(e)), json({{"name", "temp"}, {"data", {{"c", 21.5}}}}));
}

}  // namespace
}  // namespace switchboard
