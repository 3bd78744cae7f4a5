// core/relay_waits: how a relay this node published ends (docs/scaling.md,
// "The cluster relay"): held by another node, held nowhere (every node it
// waited for said so, or went down), or past its deadline. A fake clock (time
// points given to each call); no sockets, no broker.

#include "core/relay_waits.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/cluster_status.hpp"

namespace switchboard {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using outcome = relay_waits::reply_outcome;

constexpr relay_waits::limits test_limits{.max_waiting = 4, .deadline = 45s};
const relay_waits::clock::time_point t0{};

client_ptr device(const std::string& id) {
    auto c = std::make_shared<client_record>();
    c->id = id;
    c->role = client_role::device;
    return c;
}

// Two other nodes up, one relay open.
struct two_peers {
    two_peers() {
        waits.peer_up("gw-b");
        waits.peer_up("gw-c");
        opened = waits.open(device("pump"), "ops", "c-1", t0);
    }
    relay_waits waits{test_limits, 100};
    relay_waits::opened opened;
};

TEST(RelayWaits, EveryNodeSaysNotHeldOneUnknownCommand) {
    two_peers t;
    ASSERT_EQ(t.opened.status, relay_waits::open_status::opened);
    EXPECT_EQ(t.opened.seq, 100u);
    EXPECT_TRUE(t.opened.first);
    EXPECT_EQ(t.waits.on_reply(t.opened.seq, "gw-b", false).outcome, outcome::waiting);
    auto last = t.waits.on_reply(t.opened.seq, "gw-c", false);
    ASSERT_EQ(last.outcome, outcome::held_nowhere);
    ASSERT_TRUE(last.answer);
    EXPECT_EQ(last.answer->device->id, "pump");
    EXPECT_EQ(last.answer->controller, "ops");
    EXPECT_EQ(last.answer->id, "c-1");
    // Exactly once: a repeated reply, or the deadline, answers nothing more.
    EXPECT_EQ(t.waits.on_reply(t.opened.seq, "gw-c", false).outcome, outcome::no_relay);
    EXPECT_TRUE(t.waits.expire(t0 + 1h).empty());
    EXPECT_EQ(t.waits.waiting(), 0u);
}

TEST(RelayWaits, OneNodeHoldsItNothingToAnswer) {
    for (bool not_held_first : {false, true}) {
        two_peers t;
        if (not_held_first) {
            EXPECT_EQ(t.waits.on_reply(t.opened.seq, "gw-b", false).outcome, outcome::waiting);
        }
        auto held = t.waits.on_reply(t.opened.seq, "gw-c", true);
        EXPECT_EQ(held.outcome, outcome::held);
        EXPECT_FALSE(held.answer);
        // The other node's `not held` after it, and the deadline: nothing.
        EXPECT_EQ(t.waits.on_reply(t.opened.seq, "gw-b", false).outcome, outcome::no_relay);
        EXPECT_TRUE(t.waits.expire(t0 + 1h).empty());
    }
}

TEST(RelayWaits, ANodeSilentUntilTheDeadlineUnknownCommand) {
    two_peers t;
    EXPECT_EQ(t.waits.on_reply(t.opened.seq, "gw-b", false).outcome, outcome::waiting);
    EXPECT_EQ(t.waits.next_deadline(), t0 + 45s);
    EXPECT_TRUE(t.waits.expire(t0 + 45s - 1ms).empty());
    auto ended = t.waits.expire(t0 + 45s);
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].id, "c-1");
    EXPECT_FALSE(t.waits.next_deadline());
    // The silent node held it after all: the device heard both, and it says so.
    EXPECT_EQ(t.waits.on_reply(t.opened.seq, "gw-c", true).outcome, outcome::held_too_late);
    EXPECT_EQ(t.waits.on_reply(t.opened.seq, "gw-c", false).outcome, outcome::no_relay);
}

TEST(RelayWaits, DeadlinesExpireInTheOrderRelaysWereOpened) {
    two_peers t;
    auto second = t.waits.open(device("fan"), "ops", "c-2", t0 + 10s);
    EXPECT_FALSE(second.first);
    EXPECT_EQ(t.waits.expire(t0 + 50s).size(), 1u);
    EXPECT_EQ(t.waits.next_deadline(), t0 + 55s);
    auto ended = t.waits.expire(t0 + 55s);
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].id, "c-2");
}

TEST(RelayWaits, ANodeLostIsNotWaitedFor) {
    two_peers t;
    // gw-c dies before it replies: gw-b's word ends it.
    EXPECT_TRUE(t.waits.peer_down("gw-c").empty());
    EXPECT_EQ(t.waits.peer_count(), 1u);
    EXPECT_EQ(t.waits.on_reply(t.opened.seq, "gw-b", false).outcome, outcome::held_nowhere);

    // Both said nothing; the last one waited for goes down: held nowhere now.
    two_peers u;
    EXPECT_EQ(u.waits.on_reply(u.opened.seq, "gw-b", false).outcome, outcome::waiting);
    auto ended = u.waits.peer_down("gw-c");
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].id, "c-1");
    EXPECT_EQ(u.waits.waiting(), 0u);
}

TEST(RelayWaits, ANodeUpAfterTheRelayIsNotWaitedForButMayHoldIt) {
    two_peers t;
    t.waits.peer_up("gw-d");
    EXPECT_EQ(t.waits.on_reply(t.opened.seq, "gw-d", false).outcome, outcome::waiting);
    EXPECT_EQ(t.waits.on_reply(t.opened.seq, "gw-b", false).outcome, outcome::waiting);
    EXPECT_EQ(t.waits.on_reply(t.opened.seq, "gw-d", true).outcome, outcome::held);
}

TEST(RelayWaits, NoOtherNodeUpIsNoPeersAndALostLinkForgetsThemButKeepsWaiting) {
    relay_waits waits(test_limits, 1);
    EXPECT_EQ(waits.open(device("pump"), "ops", "c-1", t0).status,
              relay_waits::open_status::no_peers);
    waits.peer_up("gw-b");
    auto opened = waits.open(device("pump"), "ops", "c-1", t0);
    ASSERT_EQ(opened.status, relay_waits::open_status::opened);
    waits.forget_peers();
    EXPECT_EQ(waits.peer_count(), 0u);
    EXPECT_EQ(waits.open(device("pump"), "ops", "c-2", t0).status,
              relay_waits::open_status::no_peers);
    // The relay still waits: for gw-b's reply (it may hold it), or its deadline.
    EXPECT_EQ(waits.waiting(), 1u);
    EXPECT_EQ(waits.on_reply(opened.seq, "gw-b", true).outcome, outcome::held);
}

TEST(RelayWaits, AtTheCapARelayIsRefusedAndACancelledOneFreesItsPlace) {
    relay_waits waits(test_limits, 1);
    waits.peer_up("gw-b");
    std::vector<std::uint64_t> seqs;
    for (int i = 0; i < 4; ++i) {
        auto o = waits.open(device("pump"), "ops", "c-" + std::to_string(i), t0);
        ASSERT_EQ(o.status, relay_waits::open_status::opened);
        seqs.push_back(o.seq);
    }
    EXPECT_EQ(waits.open(device("pump"), "ops", "c-9", t0).status, relay_waits::open_status::full);
    // Its publish refused: it waits for nothing, and answers nothing.
    waits.cancel(seqs[0]);
    EXPECT_EQ(waits.on_reply(seqs[0], "gw-b", false).outcome, outcome::no_relay);
    EXPECT_EQ(waits.open(device("pump"), "ops", "c-9", t0).status,
              relay_waits::open_status::opened);
    EXPECT_EQ(waits.expire(t0 + 45s).size(), 4u);
}

// The property: over random replies, node losses and deadlines, every relay
// ends exactly once, and never held nowhere when a node held it in time.
TEST(RelayWaits, EveryRelayEndsExactlyOnce) {
    std::uint64_t state = 7;
    auto next = [&](std::uint64_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % n;
    };
    const std::vector<std::string> nodes = {"gw-b", "gw-c", "gw-d"};
    for (int round = 0; round < 200; ++round) {
        relay_waits waits({.max_waiting = 64, .deadline = 10s}, 1);
        for (const auto& n : nodes) waits.peer_up(n);
        struct relay {
            std::uint64_t seq;
            std::size_t holder;  // nodes.size(): none
            int ends = 0;
        };
        std::vector<relay> relays;
        auto now = t0;
        for (int i = 0; i < 20; ++i) {
            auto o = waits.open(device("pump"), "ops", std::to_string(i), now);
            if (o.status != relay_waits::open_status::opened) break;
            relays.push_back({o.seq, next(nodes.size() + 1)});
        }
        // Each relay's command id is its index.
        auto ended = [&](const std::vector<relay_waits::held_nowhere>& list) {
            for (const auto& h : list) ++relays.at(std::stoul(h.id)).ends;
        };
        for (int step = 0; step < 100; ++step) {
            auto& r = relays[next(relays.size())];
            std::size_t node = next(nodes.size());
            switch (next(10)) {
                case 0:
                    ended(waits.peer_down(nodes[node]));
                    break;
                case 1:
                    now += 3s;
                    ended(waits.expire(now));
                    break;
                default: {
                    auto res = waits.on_reply(r.seq, nodes[node], node == r.holder);
                    if (res.outcome == outcome::held) ++r.ends;
                    if (res.outcome == outcome::held_nowhere) {
                        ++r.ends;
                        EXPECT_NE(r.holder, node);
                    }
                }
            }
        }
        ended(waits.expire(now + 1h));
        for (const auto& r : relays) EXPECT_EQ(r.ends, 1) << "round " << round;
    }
}

TEST(RelayWaits, RelayKeyAndReplyReadBack) {
    response_request r;
    r.to = "ops";
    r.id = "c-1";
    r.ok = true;
    r.result_json = R"({"rpm":5})";
    auto keyed = make_relayed_response("pump", r, relay_key{"gw-a", 1733190000123456});
    ASSERT_TRUE(json::accept(*keyed)) << *keyed;
    auto reading = read_cluster_relay(*keyed, 4096);
    ASSERT_EQ(reading.what, inbox_frame_reading::kind::relayed_response);
    EXPECT_EQ(reading.from, "pump");
    EXPECT_EQ(reading.response.result_json, R"({"rpm":5})");
    EXPECT_EQ(reading.relayed_by, "gw-a");
    EXPECT_EQ(reading.relay_seq, 1733190000123456u);
    // An older node's relay: no key, nobody waits for a reply.
    EXPECT_TRUE(read_cluster_relay(*make_relayed_response("pump", r), 4096).relayed_by.empty());

    auto reply = read_relay_reply(make_relay_reply({42, "gw-b", true}));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->seq, 42u);
    EXPECT_EQ(reply->node, "gw-b");
    EXPECT_TRUE(reply->held);
    for (const char* bad : {R"({"relay_seq":-1,"node":"gw-b","held":true})",
                            R"({"relay_seq":1,"node":"bad node","held":true})",
                            R"({"relay_seq":1,"node":"gw-b","held":"yes"})",
                            R"({"relay_seq":1,"held":false})", "[]", "not json"}) {
        EXPECT_FALSE(read_relay_reply(bad)) << bad;
    }
}

}  // namespace
}  // namespace switchboard
