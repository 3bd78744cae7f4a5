// core/router: the property that every accepted command has exactly one outcome, over random runs.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "router_harness.hpp"

namespace switchboard::testing {
namespace {

// --- exactly one outcome per command ---

// With `window` 0 a leaving controller's commands are dropped at once; with
// recovery on, its outcomes reach its next connection (marked recovered) or
// are discarded with its window, and the commands still in flight then are
// dropped: each command's outcome is delivered at most once, and those
// never delivered are exactly the ones counted as dropped or discarded.
void every_accepted_command_has_exactly_one_outcome(std::chrono::milliseconds window) {
    router_options o = harness::test_options();
    o.command_timeout_max = 800ms;
    o.max_pending_per_controller = 64;
    o.recovery.window = window;
    const bool recovery = window.count() > 0;
    harness h(o);
    std::mt19937 rng(20261125);
    auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
    auto pick = [&](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    };

    std::vector<peer> devices;
    for (int i = 0; i < 6; ++i) devices.push_back(h.device("dev-" + std::to_string(i)));

    struct ctl_slot {
        std::string id;
        peer p;
        bool online = false;
        std::vector<std::string> sent;  // correlation IDs sent by the current session
    };
    std::vector<ctl_slot> ctls;
    for (int i = 0; i < 4; ++i) ctls.push_back({"ctl-" + std::to_string(i), {}, false, {}});

    std::map<std::string, int> outcomes;  // correlation ID -> outcomes seen
    std::map<std::string, int> dropped;
    std::vector<std::shared_ptr<fake_endpoint>> controller_links;

    // Commands each device received and has not answered: {controller, id}.
    // Devices get nothing but commands here (errors to them come after
    // their answers), so a new frame is the command just sent; its fields
    // are checked by the tests above, and parsing them all would only
    // slow this one down.
    std::vector<std::vector<std::pair<std::string, std::string>>> inbox(devices.size());
    std::vector<std::pair<std::string, std::string>> answered;
    // Counts outcome frames (response, or error naming the command) that
    // reached controllers since the last call; acks are not outcomes.
    std::vector<std::size_t> seen_upto;
    std::size_t acks = 0;
    auto collect = [&] {
        seen_upto.resize(controller_links.size(), 0);
        for (std::size_t i = 0; i < controller_links.size(); ++i) {
            auto& link = *controller_links[i];
            for (; seen_upto[i] < link.frame_count(); ++seen_upto[i]) {
                json f = link.frame(seen_upto[i]);
                if (f["type"] == "ack") {
                    ++acks;
                    continue;
                }
                if (f["type"] != "response" && f["type"] != "error") continue;
                ASSERT_TRUE(f.contains("id")) << f.dump();
                ++outcomes[f["id"].get<std::string>()];
            }
        }
    };
    auto leave = [&](ctl_slot& c) {
        // Whatever had no outcome yet is dropped: that is its one outcome.
        // Frames reaching the old link later are still collected, and count.
        collect();
        h.leave(c.p);
        if (recovery) {
            c.sent.clear();
            c.online = false;
            return;
        }
        for (const auto& id : c.sent) {
            if (outcomes[id] == 0) {
                ++outcomes[id];
                ++dropped[id];
            }
        }
        c.sent.clear();
        c.online = false;
    };
    const int total = 10000;
    int accepted_or_refused = 0;
    for (int n = 0; n < total; ++n) {
        ctl_slot& c = ctls[pick(ctls.size())];
        if (!c.online) {
            c.p = h.controller(c.id);
            c.online = true;
            controller_links.push_back(c.p.link);
        }
        std::string id = "c-" + std::to_string(n);
        std::size_t to_device = pick(devices.size());
        bool ghost = chance(0.03);
        std::string target = ghost ? "ghost" : devices[to_device].id();
        std::size_t before = devices[to_device].count();
        std::size_t refusing = devices.size();
        if (chance(0.03)) {
            refusing = pick(devices.size());
            devices[refusing].link->refuse(true);
        }
        command_request cmd;
        cmd.to = target;
        cmd.id = id;
        cmd.name = "do_it";
        cmd.ack = chance(0.5);
        if (chance(0.9)) cmd.timeout_ms = static_cast<std::int64_t>(1 + pick(1000));
        h.route(c.p, cmd);
        if (refusing < devices.size()) devices[refusing].link->refuse(false);
        c.sent.push_back(id);
        outcomes.emplace(id, 0);
        ++accepted_or_refused;

        if (!ghost && devices[to_device].count() > before) {
            EXPECT_EQ(devices[to_device].count(), before + 1);
            inbox[to_device].emplace_back(c.id, id);
        }
        if (chance(0.5)) {
            std::size_t d = pick(devices.size());
            if (!inbox[d].empty()) {
                std::size_t k = pick(inbox[d].size());
                auto [to, cid] = inbox[d][k];
                inbox[d].erase(inbox[d].begin() + static_cast<std::ptrdiff_t>(k));
                response_request r;
                r.to = to;
                r.id = cid;
                r.ok = true;
                h.route(devices[d], r);
                answered.emplace_back(to, cid);
            }
        }
        if (chance(0.05) && !answered.empty()) {
            auto [to, cid] = answered[pick(answered.size())];
            h.respond(devices[pick(devices.size())], to, cid);  // repeat or wrong device
        }
        if (chance(0.3)) h.advance(std::chrono::milliseconds(pick(120)));
        if (chance(0.004)) {
            // A device leaves, or is taken over and then its old session's
            // cleanup runs, and is back at once. Its inbox is kept: the new
            // session's answers to those commands must find nothing.
            std::size_t d = pick(devices.size());
            peer old = devices[d];
            if (chance(0.5)) {
                devices[d] = h.device(old.id());
                h.leave(old);
            } else {
                h.leave(old);
                devices[d] = h.device(old.id());
            }
        }
        if (chance(0.01)) leave(ctls[pick(ctls.size())]);
        if (chance(0.005)) {
            // Takeover: a new session claims the ID, then the old one's cleanup runs.
            ctl_slot& t = ctls[pick(ctls.size())];
            if (t.online) {
                peer fresh = h.controller(t.id);
                controller_links.push_back(fresh.link);
                leave(t);
                t.p = fresh;
                t.online = true;
            }
        }
    }
    h.advance(1h);
    for (std::size_t d = 0; d < devices.size(); ++d) {
        for (auto& [to, cid] : inbox[d]) {  // all too late
            response_request r;
            r.to = to;
            r.id = cid;
            h.route(devices[d], r);
        }
    }

    collect();
    EXPECT_EQ(accepted_or_refused, total);
    ASSERT_EQ(outcomes.size(), static_cast<std::size_t>(total));
    int bad = 0;
    if (recovery) {
        // Never delivered: dropped when a window ended, or kept and discarded.
        std::uint64_t undelivered = 0;
        for (auto& [id, count] : outcomes) {
            if (count == 0) {
                ++undelivered;
                count = 1;
            }
        }
        EXPECT_EQ(undelivered, load(h.stats().commands_dropped) + load(h.stats().recovery_expired));
        EXPECT_GT(load(h.stats().recovery_delivered), 0u);
        EXPECT_GT(load(h.stats().recovery_expired), 0u);
        EXPECT_EQ(load(h.stats().recovery_overflow), 0u);
        EXPECT_EQ(load(h.stats().recovery_kept),
                  load(h.stats().recovery_delivered) + load(h.stats().recovery_expired));
    }
    for (const auto& [id, count] : outcomes) {
        if (count != 1 && ++bad <= 10) {
            ADD_FAILURE() << id << " had " << count << " outcomes"
                          << (dropped.count(id) ? " (one of them: dropped)" : "");
        }
    }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(h.r().ledger().size(), 0u);
    EXPECT_GT(acks, 0u);
    // Every kind of outcome happened.
    EXPECT_GT(load(h.stats().commands_answered), 0u);
    EXPECT_GT(load(h.stats().command_timeouts), 0u);
    EXPECT_GT(load(h.stats().commands_dropped), 0u);
    EXPECT_GT(load(h.stats().overloaded_errors), 0u);
    EXPECT_GT(load(h.stats().offline_errors), 0u);
    EXPECT_GT(load(h.stats().late_responses), 0u);
    EXPECT_GT(load(h.stats().commands_device_disconnected), 0u);
    EXPECT_EQ(load(h.stats().commands_answered) + load(h.stats().command_timeouts) +
                  load(h.stats().commands_dropped) + load(h.stats().commands_device_disconnected),
              load(h.stats().commands_accepted));
}

TEST(Router, EveryAcceptedCommandHasExactlyOneOutcome) {
    every_accepted_command_has_exactly_one_outcome(0ms);
}

TEST(Router, EveryAcceptedCommandHasExactlyOneOutcomeWithControllerRecovery) {
    every_accepted_command_has_exactly_one_outcome(50ms);
}

}  // namespace
}  // namespace switchboard::testing
