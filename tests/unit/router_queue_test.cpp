// core/router: commands with ttl_ms to offline devices (queued, sent in
// order when the device registers, expired, cancelled), their quotas, and
// the one-outcome rule when expiry, delivery and cancel race on the mock clock.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "router_harness.hpp"

namespace switchboard::testing {
namespace {

void cancel(harness& h, const peer& from, const std::string& id) {
    h.send(from, {{"type", "cancel"}, {"id", id}});
}

TEST(RouterQueue, ATtlCommandToAnOfflineDeviceIsQueuedThenSentInOrderWhenItRegisters) {
    harness h;
    auto dash = h.controller("dash-1");
    auto other = h.controller("dash-2");
    for (int i = 0; i < 3; ++i) {
        h.command(dash, "pump-7", "c-" + std::to_string(i), {{"ttl_ms", 60000}});
        EXPECT_EQ(dash.last(), queued_ack("c-" + std::to_string(i)));
        h.command(other, "pump-7", "o-" + std::to_string(i), {{"ttl_ms", 60000}, {"ack", true}});
        EXPECT_EQ(other.last(), queued_ack("o-" + std::to_string(i)));
    }
    EXPECT_EQ(state_of(h, dash, "c-1"), "queued");
    EXPECT_EQ(h.r().ledger().queued_size(), 6u);
    EXPECT_GT(h.r().ledger().queued_bytes(), 0u);
    h.advance(30s);
    auto pump = h.device("pump-7");
    ASSERT_EQ(pump.count(), 6u);
    std::vector<std::string> order;
    for (const auto& f : pump.link->frames()) {
        EXPECT_EQ(f["type"], "command");
        EXPECT_EQ(f["name"], "do_it");
        order.push_back(f["id"]);
        EXPECT_EQ(f["from"], f["id"].get<std::string>()[0] == 'c' ? "dash-1" : "dash-2");
    }
    EXPECT_EQ(order, (std::vector<std::string>{"c-0", "o-0", "c-1", "o-1", "c-2", "o-2"}));
    EXPECT_EQ(h.r().ledger().queued_size(), 0u);
    EXPECT_EQ(h.r().ledger().queued_bytes(), 0u);
    EXPECT_EQ(state_of(h, dash, "c-1"), "sent");
    // ack: true earns `delivered` when it is handed over.
    EXPECT_EQ(other.link->of_type("ack").back(),
              (json{{"type", "ack"}, {"id", "o-2"}, {"status", "delivered"}}));
    // The answer goes back as for any command; the TTL no longer applies.
    h.respond(pump, "dash-1", "c-1");
    EXPECT_EQ(dash.last()["type"], "response");
    EXPECT_EQ(dash.last()["ok"], true);
    h.advance(40s);
    EXPECT_EQ(state_of(h, dash, "c-1"), "succeeded");
    EXPECT_EQ(state_of(h, dash, "c-0"), "timeout");  // its timeout_ms ran from when it was sent
    EXPECT_EQ(load(h.stats().commands_queued), 6u);
    EXPECT_EQ(load(h.stats().commands_accepted), 6u);
    EXPECT_EQ(load(h.stats().commands_expired), 0u);
}

TEST(RouterQueue, WithoutTtlAnOfflineDeviceIsStillOfflineAndAnOnlineOneGetsItAtOnce) {
    harness h;
    auto dash = h.controller("dash-1");
    h.command(dash, "pump-7", "c-1");
    EXPECT_EQ(dash.last()["code"], "offline");
    auto pump = h.device("pump-7");
    EXPECT_EQ(pump.count(), 0u);
    h.command(dash, "pump-7", "c-2", {{"ttl_ms", 5000}, {"ack", true}});
    EXPECT_EQ(dash.last(), (json{{"type", "ack"}, {"id", "c-2"}, {"status", "delivered"}}));
    EXPECT_EQ(pump.last()["id"], "c-2");
    EXPECT_EQ(state_of(h, dash, "c-2"), "sent");
    EXPECT_EQ(load(h.stats().commands_queued), 0u);
}

TEST(RouterQueue, AQueuedCommandExpiresWhenItsTtlPassesAndIsNeverSent) {
    harness h;
    auto dash = h.controller("dash-1");
    h.command(dash, "pump-7", "c-1",
              {{"ttl_ms", 100},
               {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
    h.advance(99ms);
    EXPECT_EQ(state_of(h, dash, "c-1"), "queued");
    h.advance(1ms);
    json expired = dash.link->of_type("response").at(0);
    EXPECT_EQ(expired["from"], "pump-7");
    EXPECT_EQ(expired["id"], "c-1");
    EXPECT_EQ(expired["ok"], false);
    EXPECT_EQ(expired["error"]["code"], "expired");
    EXPECT_TRUE(expired.contains("traceparent"));
    EXPECT_EQ(state_of(h, dash, "c-1"), "expired");
    auto pump = h.device("pump-7");
    EXPECT_EQ(pump.count(), 0u);
    cancel(h, dash, "c-1");
    EXPECT_EQ(dash.last()["code"], "unknown_command");
    EXPECT_EQ(load(h.stats().commands_expired), 1u);
    EXPECT_EQ(h.r().ledger().queued_size(), 0u);
}

TEST(RouterQueue, ADeviceRegisteringAfterTheTtlButBeforeTheExpiryPassGetsNothing) {
    harness h;
    auto dash = h.controller("dash-1");
    h.command(dash, "pump-7", "c-1", {{"ttl_ms", 100}});
    h.command(dash, "pump-7", "c-2", {{"ttl_ms", 200}});
    h.advance(0ms);
    // The clock is past c-1's TTL; no expiry pass has run yet.
    auto later = h.now() + 150ms;
    auto link = std::make_shared<fake_endpoint>();
    register_request req;
    req.id = "pump-7";
    req.role = client_role::device;
    h.r().register_client(req, transport_kind::ws, link, "s-late", registered_reply::skip,
                          client_trust::unauthenticated, later);
    ASSERT_EQ(link->frame_count(), 1u);
    EXPECT_EQ(link->last()["id"], "c-2");
    h.advance(150ms);
    EXPECT_EQ(dash.link->of_type("response").at(0)["error"]["code"], "expired");
    EXPECT_EQ(dash.link->of_type("response").at(0)["id"], "c-1");
    EXPECT_EQ(state_of(h, dash, "c-2"), "sent");
}

TEST(RouterQueue, CancelEndsAQueuedCommandAndNothingElse) {
    harness h;
    auto dash = h.controller("dash-1");
    auto spy = h.controller("dash-2");
    h.command(dash, "pump-7", "c-1", {{"ttl_ms", 60000}});
    h.command(dash, "pump-7", "c-2", {{"ttl_ms", 60000}});
    // Only its sender may cancel it: another controller's is unknown.
    cancel(h, spy, "c-1");
    EXPECT_EQ(spy.last()["type"], "error");
    EXPECT_EQ(spy.last()["code"], "unknown_command");
    EXPECT_EQ(spy.last()["request_type"], "cancel");
    EXPECT_EQ(spy.last()["id"], "c-1");
    cancel(h, dash, "c-1");
    json answer = dash.last();
    EXPECT_EQ(answer["type"], "response");
    EXPECT_EQ(answer["id"], "c-1");
    EXPECT_EQ(answer["from"], "pump-7");
    EXPECT_EQ(answer["ok"], false);
    EXPECT_EQ(answer["error"]["code"], "cancelled");
    EXPECT_EQ(state_of(h, dash, "c-1"), "cancelled");
    cancel(h, dash, "c-1");  // a second time: nothing queued
    EXPECT_EQ(dash.last()["code"], "unknown_command");
    auto pump = h.device("pump-7");
    ASSERT_EQ(pump.count(), 1u);
    EXPECT_EQ(pump.last()["id"], "c-2");
    cancel(h, dash, "c-2");  // sent: too late
    EXPECT_EQ(dash.last()["code"], "already_sent");
    h.respond(pump, "dash-1", "c-2");
    cancel(h, dash, "c-2");  // answered: still too late
    EXPECT_EQ(dash.last()["code"], "already_sent");
    h.advance(120s);
    EXPECT_EQ(dash.link->of_type("response").size(), 2u);  // cancelled c-1, answered c-2
    EXPECT_EQ(load(h.stats().commands_cancelled), 1u);
    // A device may not cancel.
    cancel(h, pump, "c-2");
    EXPECT_EQ(pump.last()["code"], "forbidden");
}

TEST(RouterQueue, PerDeviceQuotaAndTheGatewaysByteCapRefuseWithOverloaded) {
    router_options o = harness::test_options();
    o.max_queued_per_device = 2;
    o.max_queued_bytes = 4096;
    harness h(o);
    auto dash = h.controller("dash-1");
    h.command(dash, "pump-1", "a", {{"ttl_ms", 60000}});
    h.command(dash, "pump-1", "b", {{"ttl_ms", 60000}});
    h.command(dash, "pump-1", "c", {{"ttl_ms", 60000}});
    EXPECT_EQ(dash.last()["code"], "overloaded");
    EXPECT_EQ(dash.last()["id"], "c");
    EXPECT_NE(dash.last()["message"].get<std::string>().find("max_queued_per_device"),
              std::string::npos);
    EXPECT_EQ(state_of(h, dash, "c"), "unknown");
    // Bytes: large args fill the gateway's cap before any device's quota.
    std::string big(1500, 'x');
    h.command(dash, "pump-2", "d", {{"ttl_ms", 60000}, {"args", big}});
    EXPECT_EQ(dash.last(), queued_ack("d"));
    h.command(dash, "pump-3", "e", {{"ttl_ms", 60000}, {"args", big}});
    EXPECT_EQ(dash.last()["code"], "overloaded");
    EXPECT_NE(dash.last()["message"].get<std::string>().find("max_queued_bytes"),
              std::string::npos);
    EXPECT_LE(h.r().ledger().queued_bytes(), 4096u);
    EXPECT_EQ(h.r().ledger().queued_size(), 3u);
    EXPECT_EQ(load(h.stats().commands_refused_overloaded), 2u);
    // Its ID is taken while queued, as while in flight.
    h.command(dash, "pump-9", "a", {{"ttl_ms", 60000}});
    EXPECT_EQ(dash.last()["code"], "bad_request");
    EXPECT_EQ(dash.last()["field"], "id");
}

TEST(RouterQueue, TheAclDecidesForAQueuedCommandAsForADevice) {
    router_options o = harness::test_options();
    o.access.rules.push_back({.allow = false,
                              .action = access_action::command,
                              .from = "dash-*",
                              .to = "pump-*",
                              .names = {"reboot"}});
    harness h(o);
    auto dash = h.controller("dash-1");
    json f = {
        {"type", "command"}, {"to", "pump-1"}, {"id", "r"}, {"name", "reboot"}, {"ttl_ms", 1000}};
    h.send(dash, f);
    EXPECT_EQ(dash.last()["code"], "forbidden");
    EXPECT_EQ(h.r().ledger().queued_size(), 0u);
}

TEST(RouterQueue, AQueuedCommandsOutcomeGoesToItsControllersCurrentConnection) {
    harness h;
    auto dash = h.controller("dash-1");
    h.command(dash, "pump-7", "c-1", {{"ttl_ms", 60000}});
    h.command(dash, "pump-7", "c-2", {{"ttl_ms", 100}});
    h.leave(dash);
    auto again = h.controller("dash-1");
    h.advance(100ms);
    EXPECT_EQ(again.last()["error"]["code"], "expired");
    auto pump = h.device("pump-7");
    h.respond(pump, "dash-1", "c-1");
    EXPECT_EQ(again.last()["type"], "response");
    EXPECT_EQ(again.last()["ok"], true);
}

TEST(RouterQueue, ADeviceRefusingItsQueuedCommandEndsItWithOverloaded) {
    harness h;
    auto dash = h.controller("dash-1");
    h.command(dash, "pump-7", "c-1", {{"ttl_ms", 60000}});
    auto link = std::make_shared<fake_endpoint>();
    link->refuse();
    register_request req;
    req.id = "pump-7";
    req.role = client_role::device;
    h.r().register_client(req, transport_kind::ws, link, "s-full", registered_reply::send,
                          client_trust::unauthenticated, h.now());
    EXPECT_EQ(dash.last()["code"], "overloaded");
    EXPECT_EQ(state_of(h, dash, "c-1"), "unknown");
    EXPECT_EQ(h.r().ledger().size(), 0u);
}

// Random queueing, registering, leaving, cancelling and time on the mock
// clock: every accepted command (ack queued, or delivered at once) gets
// exactly one outcome frame, and the queue is empty at the end.
TEST(RouterQueue, EveryQueuedCommandHasExactlyOneOutcome) {
    router_options o = harness::test_options();
    o.command_timeout_max = 500ms;
    o.max_queued_per_device = 8;
    harness h(o);
    std::mt19937 rng(20261202);
    auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
    auto pick = [&](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    };
    auto dash = h.controller("dash-1");
    constexpr std::size_t device_count = 5;
    std::vector<std::optional<peer>> devices(device_count);
    auto name = [](std::size_t d) { return "dev-" + std::to_string(d); };
    std::map<std::string, int> outcomes;  // accepted command -> outcome frames
    std::vector<std::string> accepted;
    std::size_t seen = 0;
    auto collect = [&] {
        for (; seen < dash.count(); ++seen) {
            json f = dash.link->frame(seen);
            const std::string type = f.value("type", "");
            const std::string id = f.value("id", "");
            if (type == "ack" && (f["status"] == "queued" || f["status"] == "delivered")) {
                if (!outcomes.contains(id)) {
                    outcomes[id] = 0;
                    accepted.push_back(id);
                }
            } else if (type == "response" ||
                       (type == "error" && f.value("request_type", "") == "command" &&
                        outcomes.contains(id))) {
                ++outcomes[id];
            }
        }
    };
    std::vector<std::vector<std::string>> inbox(device_count);
    for (int n = 0; n < 5000; ++n) {
        const std::size_t d = pick(device_count);
        const std::string id = "c-" + std::to_string(n);
        h.command(dash, name(d), id,
                  {{"ttl_ms", 1 + static_cast<int>(pick(300))},
                   {"timeout_ms", 1 + static_cast<int>(pick(400))},
                   {"ack", true}});
        collect();
        if (chance(0.15) && !accepted.empty()) cancel(h, dash, accepted[pick(accepted.size())]);
        if (chance(0.1)) {
            std::size_t k = pick(device_count);
            if (devices[k]) {
                h.leave(*devices[k]);
                devices[k].reset();
                inbox[k].clear();
            } else {
                devices[k] = h.device(name(k));
            }
        }
        for (std::size_t k = 0; k < device_count; ++k) {
            if (!devices[k]) continue;
            for (; inbox[k].size() < devices[k]->count();) {
                inbox[k].push_back(devices[k]->link->frame(inbox[k].size())["id"]);
            }
            if (chance(0.2) && !inbox[k].empty()) {
                h.respond(*devices[k], "dash-1", inbox[k][pick(inbox[k].size())]);
            }
        }
        if (chance(0.3)) h.advance(std::chrono::milliseconds(pick(50)));
        collect();
    }
    h.advance(1h);
    collect();
    int bad = 0;
    for (const auto& [id, count] : outcomes) {
        if (count != 1 && ++bad <= 10) ADD_FAILURE() << id << " had " << count << " outcomes";
    }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(h.r().ledger().queued_size(), 0u);
    EXPECT_EQ(h.r().ledger().size(), 0u);
    // Every way a queued command ends happened.
    EXPECT_GT(load(h.stats().commands_queued), 0u);
    EXPECT_GT(load(h.stats().commands_expired), 0u);
    EXPECT_GT(load(h.stats().commands_cancelled), 0u);
    EXPECT_GT(load(h.stats().commands_answered), 0u);
    EXPECT_GT(load(h.stats().command_timeouts), 0u);
    EXPECT_GT(load(h.stats().commands_device_disconnected), 0u);
    EXPECT_GT(load(h.stats().commands_refused_overloaded), 0u);
}

}  // namespace
}  // namespace switchboard::testing
