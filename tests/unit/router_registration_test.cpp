// core/router: registering, takeover and who may claim an ID.

#include <gtest/gtest.h>

#include "router_harness.hpp"

namespace switchboard::testing {
namespace {

// --- registration ---

TEST(Router, RegisterAnswersRegisteredWithSessionNodeAndLimits) {
    router_options o = harness::test_options();
    o.max_message_bytes = 4096;
    o.max_subscriptions = 7;
    o.command_timeout_max = 60000ms;
    harness h(o);
    auto link = std::make_shared<fake_endpoint>();
    register_request req;
    req.id = "dash-1";
    req.role = client_role::controller;
    client_ptr self = h.r().register_client(req, transport_kind::ws, link, "5f1c");
    ASSERT_NE(self, nullptr);
    EXPECT_EQ(self->id, "dash-1");
    EXPECT_EQ(self->session, "5f1c");
    ASSERT_EQ(link->frame_count(), 1u);
    json j = link->frame(0);
    EXPECT_EQ(j["type"], "registered");
    EXPECT_EQ(j["id"], "dash-1");
    EXPECT_EQ(j["role"], "controller");
    EXPECT_EQ(j["session"], "5f1c");
    EXPECT_EQ(j["node"], "gw-test");
    EXPECT_EQ(j["limits"]["max_message_bytes"], 4096);
    EXPECT_EQ(j["limits"]["max_subscriptions"], 7);
    EXPECT_EQ(j["limits"]["command_timeout_max_ms"], 60000);
    EXPECT_EQ(h.r().clients().find("dash-1"), self);
    EXPECT_EQ(load(h.stats().sessions_registered), 1u);
}

TEST(Router, DuplicateIdTakesOverAndClosesTheOldWith4003) {
    harness h;
    auto dash = h.controller("dash");
    auto old_pump = h.device("pump-1");
    auto new_pump = h.device("pump-1");
    ASSERT_EQ(old_pump.link->closes().size(), 1u);
    EXPECT_EQ(old_pump.link->closes()[0].code, close_code::replaced);
    EXPECT_EQ(old_pump.link->closes()[0].code, 4003);
    EXPECT_TRUE(new_pump.link->closes().empty());
    EXPECT_EQ(h.r().clients().find("pump-1"), new_pump.self);
    EXPECT_EQ(load(h.stats().takeovers), 1u);

    h.command(dash, "pump-1", "c-1");
    EXPECT_EQ(old_pump.count(), 0u);
    ASSERT_EQ(new_pump.count(), 1u);
    EXPECT_EQ(new_pump.last()["type"], "command");
    EXPECT_EQ(new_pump.last()["id"], "c-1");
}

TEST(Router, DuplicateIdUnderRejectPolicyGetsIdTaken) {
    router_options o = harness::test_options();
    o.duplicates = duplicate_policy::reject;
    harness h(o);
    auto first = h.device("pump-1");
    auto link = std::make_shared<fake_endpoint>();
    register_request req;
    req.id = "pump-1";
    req.role = client_role::device;
    EXPECT_EQ(h.r().register_client(req, transport_kind::ws, link, "second"), nullptr);
    ASSERT_EQ(link->frame_count(), 1u);
    EXPECT_EQ(link->last()["type"], "error");
    EXPECT_EQ(link->last()["code"], "id_taken");
    EXPECT_EQ(link->last()["request_type"], "register");
    EXPECT_TRUE(first.link->closes().empty());
    EXPECT_EQ(h.r().clients().find("pump-1"), first.self);
    EXPECT_EQ(load(h.stats().registrations_rejected), 1u);
}

TEST(Router, UnauthenticatedClaimDoesNotPushAnAuthenticatedOwnerOff) {
    harness h;
    auto owner_link = std::make_shared<fake_endpoint>();
    register_request req;
    req.id = "pump-12";
    client_ptr owner = h.r().register_client(req, transport_kind::ws, owner_link, "ws-1",
                                             registered_reply::send, client_trust::authenticated);
    ASSERT_NE(owner, nullptr);
    EXPECT_EQ(owner->trust, client_trust::authenticated);
    // An MQTT status through a broker that does not authenticate.
    auto claim_link = std::make_shared<fake_endpoint>();
    EXPECT_EQ(h.r().register_client(req, transport_kind::mqtt, claim_link, "mqtt-1",
                                    registered_reply::skip, client_trust::unauthenticated),
              nullptr);
    EXPECT_TRUE(owner_link->closes().empty());
    EXPECT_EQ(h.r().clients().find("pump-12"), owner);
    ASSERT_EQ(claim_link->frame_count(), 1u);
    EXPECT_EQ(claim_link->last()["code"], "id_taken");
    EXPECT_EQ(claim_link->last()["message"], "pump-12 is held by an authenticated connection");
    EXPECT_EQ(load(h.stats().takeovers), 0u);
    EXPECT_EQ(load(h.stats().registrations_rejected), 1u);
    // Through an authenticating broker the claim is as good as the owner's.
    auto trusted_link = std::make_shared<fake_endpoint>();
    EXPECT_NE(h.r().register_client(req, transport_kind::mqtt, trusted_link, "mqtt-2",
                                    registered_reply::skip, client_trust::authenticated),
              nullptr);
    ASSERT_EQ(owner_link->closes().size(), 1u);
    EXPECT_EQ(owner_link->closes()[0].code, close_code::replaced);
}

TEST(Router, SecondRegisterOnOneSessionIsBadRequest) {
    harness h;
    auto dash = h.controller("dash");
    h.send(dash, {{"type", "register"}, {"id", "other"}, {"role", "device"}});
    EXPECT_EQ(dash.last()["code"], "bad_request");
    EXPECT_EQ(dash.last()["request_type"], "register");
    EXPECT_EQ(h.r().clients().find("other"), nullptr);
}

// --- what /metrics reads: clients by role and transport ---

TEST(Router, RegistryTallyCountsByRoleAndTransport) {
    harness h;
    h.controller("dash-1");
    h.device("pump-1");
    h.device("pump-2");
    auto tally = h.r().clients().tally();
    EXPECT_EQ(tally[static_cast<std::size_t>(client_role::device)]
                   [static_cast<std::size_t>(transport_kind::ws)],
              2u);
    EXPECT_EQ(tally[static_cast<std::size_t>(client_role::controller)]
                   [static_cast<std::size_t>(transport_kind::ws)],
              1u);
    EXPECT_EQ(tally[static_cast<std::size_t>(client_role::device)]
                   [static_cast<std::size_t>(transport_kind::mqtt)],
              0u);
}

}  // namespace
}  // namespace switchboard::testing
