// core/frame_intake: the one intake of both transports, driven with a fake
// sender (reply, rate bucket, registration) and fake endpoints behind the
// router. No sockets.

#include "core/frame_intake.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/router.hpp"
#include "fake_endpoint.hpp"
#include "tight_rate.hpp"

namespace switchboard {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using testing::fake_endpoint;
using testing::tight_rate;

// A sender as the session or the bridge would be: its replies land on a
// fake endpoint, its registration is a router record.
class fake_sender final : public intake_sender {
public:
    fake_sender(rate_limit_options rate, steady_time now) : limiter_(rate, now) {}

    client_ptr registered() override { return record_; }
    rate_limiter& rate() override { return limiter_; }
    void reply(frame_ptr frame) override { link->deliver(std::move(frame)); }
    void on_register(const register_request& request) override { registers.push_back(request); }
    void on_flood() override { ++floods; }

    void set_record(client_ptr record) { record_ = std::move(record); }

    std::shared_ptr<fake_endpoint> link = std::make_shared<fake_endpoint>();
    std::vector<register_request> registers;
    int floods = 0;

private:
    rate_limiter limiter_;
    client_ptr record_;
};

class IntakeTest : public ::testing::Test {
protected:
    // A registered client of `role` whose frames go through the intake.
    fake_sender& connect(const std::string& id, client_role role) {
        auto& s = *senders_.emplace_back(std::make_unique<fake_sender>(tight_rate(), now_));
        register_request req;
        req.id = id;
        req.role = role;
        s.set_record(routing_.register_client(req, transport_kind::ws, s.link, "s-" + id));
        s.link->clear();
        return s;
    }

    void take(fake_sender& s, const json& frame) { intake_.take(s, frame.dump(), true, now_); }

    counters stats_;
    router routing_{router_options{}, stats_};
    frame_intake intake_{routing_, intake_limits{4096, 64}};
    steady_time now_ = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<fake_sender>> senders_;
};

TEST_F(IntakeTest, CountsParsesAndRoutesAFrame) {
    auto& dash = connect("dash", client_role::controller);
    auto& pump = connect("pump", client_role::device);
    take(dash, {{"type", "command"}, {"to", "pump"}, {"id", "c-1"}, {"name", "go"}});
    ASSERT_EQ(pump.link->frame_count(), 1u);
    EXPECT_EQ(pump.link->last()["type"], "command");
    EXPECT_EQ(stats_.frames_received.load(), 1u);
}

TEST_F(IntakeTest, BadFrameIsChargedAndAnswered) {
    auto& dash = connect("dash", client_role::controller);
    intake_.take(dash, "{not json", true, now_);
    EXPECT_EQ(dash.link->last()["code"], "bad_request");
    EXPECT_EQ(stats_.bad_frames.load(), 1u);
    intake_.take(dash, "{}", false, now_);
    EXPECT_EQ(dash.link->last()["code"], "bad_request");
    EXPECT_EQ(stats_.bad_frames.load(), 2u);
}

TEST_F(IntakeTest, OversizedPayloadIsTooLarge) {
    auto& dash = connect("dash", client_role::controller);
    std::string big = R"({"type":"list","pad":")" + std::string(5000, 'x') + "\"}";
    intake_.take(dash, big, true, now_);
    EXPECT_EQ(dash.link->last()["code"], "too_large");
    EXPECT_EQ(stats_.oversized_frames.load(), 1u);
}

// A reload lowers the cap: the next frame of a connection already open is
// measured against the new one.
TEST_F(IntakeTest, NewLimitsHoldForTheNextFrame) {
    auto& dash = connect("dash", client_role::controller);
    std::string mid = R"({"type":"list","pad":")" + std::string(1000, 'x') + "\"}";
    intake_.take(dash, mid, true, now_);
    EXPECT_EQ(dash.link->last()["type"], "list");
    intake_.set_limits({512, 64});
    EXPECT_EQ(intake_.limits().max_message_bytes, 512u);
    intake_.take(dash, mid, true, now_);
    EXPECT_EQ(dash.link->last()["code"], "too_large");
}

TEST_F(IntakeTest, UnregisteredSenderMustRegisterFirst) {
    fake_sender stranger(tight_rate(), now_);
    take(stranger, {{"type", "list"}});
    EXPECT_EQ(stranger.link->last()["code"], "not_registered");
    take(stranger, {{"type", "register"}, {"id", "pump-1"}, {"role", "device"}});
    ASSERT_EQ(stranger.registers.size(), 1u);
    EXPECT_EQ(stranger.registers[0].id, "pump-1");
}

TEST_F(IntakeTest, MetaOverTheCapIsBadRequestAndNotRegistered) {
    fake_sender stranger(tight_rate(), now_);
    json meta = {{"note", std::string(100, 'm')}};
    take(stranger, {{"type", "register"}, {"id", "pump-1"}, {"role", "device"}, {"meta", meta}});
    EXPECT_TRUE(stranger.registers.empty());
    EXPECT_EQ(stranger.link->last()["code"], "bad_request");
    EXPECT_EQ(stranger.link->last()["field"], "meta");
}

TEST_F(IntakeTest, EveryFrameIsChargedAndAFloodEndsInOnFlood) {
    auto& pump = connect("pump", client_role::device);
    // Bogus responses: none answers a pending command, so each one pays.
    for (int i = 0; i < 30; ++i) {
        take(
            pump,
            {{"type", "response"}, {"to", "dash"}, {"id", "x-" + std::to_string(i)}, {"ok", true}});
    }
    auto limited = 0;
    for (const auto& f : pump.link->frames()) limited += f.value("code", "") == "rate_limited";
    EXPECT_EQ(limited, 5);  // the burst of 10 passes, 5 refusals, then the flood
    EXPECT_EQ(pump.floods, 15);
    EXPECT_EQ(stats_.rate_limited.load(), 20u);
}

TEST_F(IntakeTest, ResponsesToPendingCommandsAreFreeEvenPastTheRate) {
    auto& pump = connect("pump", client_role::device);
    // Many controllers (each paying for its own commands) keep one device busy.
    std::vector<fake_sender*> dashes;
    for (int d = 0; d < 5; ++d) {
        auto& dash = connect("dash-" + std::to_string(d), client_role::controller);
        dashes.push_back(&dash);
        for (int i = 0; i < 8; ++i) {
            take(dash, {{"type", "command"},
                        {"to", "pump"},
                        {"id", "c-" + std::to_string(i)},
                        {"name", "go"}});
        }
    }
    for (int d = 0; d < 5; ++d) {
        for (int i = 0; i < 8; ++i) {
            take(pump, {{"type", "response"},
                        {"to", "dash-" + std::to_string(d)},
                        {"id", "c-" + std::to_string(i)},
                        {"ok", true}});
        }
    }
    for (auto* dash : dashes) EXPECT_EQ(dash->link->of_type("response").size(), 8u);
    EXPECT_TRUE(pump.link->of_type("error").empty());
    EXPECT_EQ(pump.floods, 0);
    // The bucket is still full: the answers took nothing from it.
    for (int i = 0; i < 10; ++i) take(pump, {{"type", "event"}, {"name", "tick"}});
    EXPECT_TRUE(pump.link->of_type("error").empty());
}

const std::string carried = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST_F(IntakeTest, ATraceparentCarriedBesideThePayloadTravelsWithTheCommand) {
    auto& dash = connect("dash", client_role::controller);
    auto& pump = connect("pump", client_role::device);
    json command = {{"type", "command"}, {"to", "pump"}, {"id", "c-1"}, {"name", "go"}};
    intake_.take(dash, command.dump(), true, now_, carried);
    ASSERT_EQ(pump.link->frame_count(), 1u);
    EXPECT_EQ(pump.link->last()["traceparent"].get<std::string>().substr(0, 36),
              carried.substr(0, 36));
}

TEST_F(IntakeTest, ABadCarriedTraceparentIsAnsweredAndNotRouted) {
    auto& dash = connect("dash", client_role::controller);
    auto& pump = connect("pump", client_role::device);
    json command = {{"type", "command"}, {"to", "pump"}, {"id", "c-1"}, {"name", "go"}};
    intake_.take(dash, command.dump(), true, now_, "00-not-a-trace");
    EXPECT_EQ(pump.link->frame_count(), 0u);
    ASSERT_EQ(dash.link->frame_count(), 1u);
    EXPECT_EQ(dash.link->last()["code"], "bad_request");
    EXPECT_EQ(dash.link->last()["field"], "traceparent");
    EXPECT_EQ(dash.link->last()["id"], "c-1");
    EXPECT_EQ(stats_.bad_frames.load(), 1u);
}

}  // namespace
}  // namespace switchboard
