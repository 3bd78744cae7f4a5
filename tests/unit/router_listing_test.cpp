// core/router: list, the name grammar and who may watch whom (issue 10, items 6 and 7).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "router_harness.hpp"

namespace switchboard::testing {
namespace {

// --- list ---

TEST(Router, ListFiltersByRoleAndPrefix) {
    harness h;
    auto dash = h.controller("dash");
    h.device("pump-2");
    h.device("pump-1");
    h.device("valve-1");
    h.controller("pump-ctl");
    h.send(dash, {{"type", "list"}, {"role", "device"}, {"prefix", "pump-"}, {"id", "l-1"}});
    json l = dash.last();
    EXPECT_EQ(l["type"], "list");
    EXPECT_EQ(l["id"], "l-1");
    EXPECT_EQ(l["more"], false);
    ASSERT_EQ(l["items"].size(), 2u);
    EXPECT_EQ(l["items"][0]["id"], "pump-1");
    EXPECT_EQ(l["items"][1]["id"], "pump-2");
    EXPECT_EQ(l["items"][0]["role"], "device");
    EXPECT_EQ(l["items"][0]["via"], "ws");

    h.send(dash, {{"type", "list"}, {"role", "controller"}});
    json controllers = dash.last();
    std::vector<std::string> ids;
    for (auto& item : controllers["items"]) ids.push_back(item["id"]);
    EXPECT_EQ(ids, (std::vector<std::string>{"dash", "pump-ctl"}));
}

TEST(Router, ListLimitSetsMoreAndIsCappedAtTheMax) {
    router_options o = harness::test_options();
    o.list_limit_default = 3;
    o.list_limit_max = 5;
    harness h(o);
    auto dash = h.controller("dash");
    for (int i = 0; i < 9; ++i) h.device("d" + std::to_string(i));

    h.send(dash, {{"type", "list"}, {"role", "device"}});
    EXPECT_EQ(dash.last()["items"].size(), 3u);
    EXPECT_EQ(dash.last()["more"], true);

    h.send(dash, {{"type", "list"}, {"role", "device"}, {"limit", 1000}});
    EXPECT_EQ(dash.last()["items"].size(), 5u);
    EXPECT_EQ(dash.last()["more"], true);

    h.send(dash, {{"type", "list"}, {"role", "device"}, {"limit", 5}, {"after", "d4"}});
    json l = dash.last();
    ASSERT_EQ(l["items"].size(), 4u);
    EXPECT_EQ(l["items"][0]["id"], "d5");
    EXPECT_EQ(l["more"], false);
}

// --- names and who may watch (issue 10, items 6 and 7) ---

TEST(Router, NamesOutsideTheGrammarAreBadRequestAndNeverDelivered) {
    for (const char* text :
         {R"({"type":"command","to":"pump","id":"c-1","name":"factory_reset\u0000"})",
          R"({"type":"command","to":"pump","id":"c-1","name":"factory reset\n"})",
          R"({"type":"event","name":"temp\u0000x"})", R"({"type":"event","name":""})"}) {
        parse_result parsed = parse_frame(text);
        auto* error = std::get_if<frame_error>(&parsed);
        ASSERT_NE(error, nullptr) << text;
        EXPECT_EQ(error->code, error_code::bad_request);
        EXPECT_EQ(error->field, "name");
    }
    EXPECT_TRUE(std::holds_alternative<inbound_frame>(
        parse_frame(R"({"type":"command","to":"p","id":"c","name":"plant-1:reset@v2.1"})")));
}

TEST(Router, DevicesMayObserveNoOneByDefaultControllersEveryone) {
    harness h;
    auto dash = h.controller("dash");
    auto pump = h.device("pump-1");
    h.device("pump-2");
    h.send(pump, {{"type", "subscribe"}, {"ids", {"*"}}, {"id", "s-1"}});
    EXPECT_EQ(pump.last()["code"], "forbidden");
    EXPECT_EQ(pump.last()["request_type"], "subscribe");
    h.send(pump, {{"type", "subscribe"}, {"ids", {"pump-2"}}});
    EXPECT_EQ(pump.last()["code"], "forbidden");
    h.send(pump, {{"type", "list"}, {"id", "l-1"}});
    EXPECT_EQ(pump.last()["code"], "forbidden");
    EXPECT_EQ(pump.last()["request_type"], "list");
    EXPECT_EQ(load(h.stats().forbidden), 3u);
    // Refused, so nothing of the fleet reaches it.
    h.leave(h.device("pump-3"));
    EXPECT_EQ(pump.link->of_type("presence").size(), 0u);

    h.send(dash, {{"type", "subscribe"}, {"ids", {"*"}}});
    EXPECT_EQ(dash.last()["type"], "subscribed");
    h.send(dash, {{"type", "list"}});
    EXPECT_EQ(dash.last()["type"], "list");
}

TEST(Router, ObserveRulesUseTheSameFromAndToPatterns) {
    router_options o = harness::test_options();
    o.access.rules = {
        {.allow = true, .action = access_action::observe, .from = "pump-1", .to = "pump-*"},
        {.allow = false, .action = access_action::observe, .from = "dash-2"},
    };
    harness h(o);
    auto pump = h.device("pump-1");
    auto dash2 = h.controller("dash-2");
    h.send(pump, {{"type", "subscribe"}, {"ids", {"pump-*"}}});
    EXPECT_EQ(pump.last()["type"], "subscribed");
    h.send(pump, {{"type", "list"}, {"prefix", "pump-"}});
    EXPECT_EQ(pump.last()["type"], "list");
    h.send(pump, {{"type", "list"}});
    EXPECT_EQ(pump.last()["code"], "forbidden");
    h.send(dash2, {{"type", "subscribe"}, {"ids", {"pump-1"}}});
    EXPECT_EQ(dash2.last()["code"], "forbidden");
}

TEST(Router, ForbiddenComesBeforeOfflineSoPresenceDoesNotLeak) {
    router_options o = harness::test_options();
    o.access.rules = {{.allow = false, .from = "dash", .to = "secret-*"}};
    harness h(o);
    auto dash = h.controller("dash");
    h.command(dash, "secret-1", "c-1");  // not connected
    EXPECT_EQ(dash.last()["code"], "forbidden");
    h.send(dash, {{"type", "message"}, {"to", "secret-2"}, {"payload", 1}});
    EXPECT_EQ(dash.last()["code"], "forbidden");
    h.command(dash, "other", "c-2");
    EXPECT_EQ(dash.last()["code"], "offline");
}

TEST(Router, ListPageIsCappedInBytesAsWellAsCount) {
    router_options o = harness::test_options();
    o.list_max_bytes = 4096;
    harness h(o);
    auto dash = h.controller("dash");
    json meta = {{"note", std::string(900, 'm')}};
    for (int i = 0; i < 20; ++i) h.connect("d" + std::to_string(10 + i), client_role::device, meta);
    h.send(dash, {{"type", "list"}, {"role", "device"}, {"limit", 20}});
    json l = dash.last();
    EXPECT_EQ(l["more"], true);
    EXPECT_GE(l["items"].size(), 1u);
    EXPECT_LT(l["items"].size(), 5u);
    EXPECT_LE(dash.link->raw_frames().back().size(), 4096u + 1024u);
}

}  // namespace
}  // namespace switchboard::testing
