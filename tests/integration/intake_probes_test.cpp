// The hostile review's probes (issue 10) against the frame intake, at a live
// gateway: a flood of bogus responses, names that print like others, and a
// device that tries to watch the fleet.

#include <gtest/gtest.h>

#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {

// The shipped per-connection rate (test_config turns it off for load tests).
void shipped_rate(gateway_config& c) { c.session.rate = rate_limit_options{}; }

}  // namespace

TEST(IntakeProbes, ResponseFloodIsRateLimitedThenClosedWith4008) {
    running_gateway gw(shipped_rate);
    ws_test_client pump(gw.port());
    ASSERT_EQ(pump.register_as("pump-1", "device")["type"], "registered");
    for (int i = 0; i < 3000; ++i) {
        pump.send_text(R"({"type":"response","to":"dash-1","id":"bogus-)" + std::to_string(i) +
                       R"(","ok":true})");
    }
    int limited = 0, unknown = 0;
    while (auto f = pump.receive(3s)) {
        if ((*f)["code"] == "rate_limited") ++limited;
        if ((*f)["code"] == "unknown_command") ++unknown;
    }
    EXPECT_EQ(pump.wait_closed(), 4008);
    EXPECT_LE(unknown, 500);  // the burst (400), not the flood
    EXPECT_GE(limited, 50);
    EXPECT_EQ(gw.stats().rate_limit_closes.load(), 1u);
    // The gateway serves the next client as before.
    ws_test_client dash(gw.port());
    EXPECT_EQ(dash.register_as("dash-1", "controller")["type"], "registered");
}

TEST(IntakeProbes, NamesOutsideTheGrammarAreBadRequestAndNotDelivered) {
    running_gateway gw;
    ws_test_client dash(gw.port()), pump(gw.port());
    dash.register_as("dash-1", "controller");
    pump.register_as("pump-1", "device");
    int n = 0;
    for (const char* name : {R"("factory_reset\u0000")", R"("factory reset\n")"}) {
        std::string id = "c-" + std::to_string(++n);
        dash.send_text(R"({"type":"command","to":"pump-1","id":")" + id + R"(","name":)" + name +
                       "}");
        auto e = dash.receive_type("error");
        ASSERT_TRUE(e);
        EXPECT_EQ((*e)["code"], "bad_request");
        EXPECT_EQ((*e)["field"], "name");
        EXPECT_EQ((*e)["id"], id);
    }
    pump.send_text(R"({"type":"event","name":"temp\u0000"})");
    auto e = pump.receive_type("error");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["field"], "name");
    EXPECT_TRUE(pump.quiet_for(300ms));  // no command reached the device
}

TEST(IntakeProbes, DeviceMayNotWatchTheFleetButAControllerMay) {
    running_gateway gw;
    ws_test_client dash(gw.port()), pump(gw.port());
    dash.register_as("dash-1", "controller");
    pump.register_as("pump-1", "device");
    std::vector<std::unique_ptr<ws_test_client>> fleet;
    for (int i = 0; i < 5; ++i) {
        fleet.push_back(std::make_unique<ws_test_client>(gw.port()));
        fleet.back()->register_as("valve-" + std::to_string(i), "device");
    }
    pump.send({{"type", "subscribe"}, {"ids", {"*"}}, {"id", "s-1"}});
    auto refused = pump.receive_type("error");
    ASSERT_TRUE(refused);
    EXPECT_EQ((*refused)["code"], "forbidden");
    EXPECT_EQ((*refused)["id"], "s-1");
    pump.send({{"type", "list"}, {"limit", 1000}});
    refused = pump.receive_type("error");
    ASSERT_TRUE(refused);
    EXPECT_EQ((*refused)["code"], "forbidden");
    fleet.back()->close();
    EXPECT_TRUE(pump.quiet_for(300ms));  // no presence of the fleet

    dash.send({{"type", "subscribe"}, {"ids", {"*"}}});
    EXPECT_TRUE(dash.receive_type("subscribed"));
    dash.send({{"type", "list"}, {"limit", 1000}});
    auto list = dash.receive_type("list");
    ASSERT_TRUE(list);
    EXPECT_EQ((*list)["items"].size(), 6u);  // dash, pump, four valves
}
