// How the simulator names and counts the ways a connection ended.

#include "ending_tally.hpp"

#include <gtest/gtest.h>

using namespace switchboard::sim;
using switchboard::client::close_info;

TEST(EndingKind, NamesEachWayAConnectionEnds) {
    close_info refused{1006, "upgrade refused: HTTP/1.1 403 Forbidden", false};
    refused.refusal = "HTTP 403 Forbidden";
    EXPECT_EQ(ending_kind(refused), "HTTP 403 Forbidden");
    EXPECT_EQ(ending_kind({4008, "rate limit exceeded repeatedly", false}),
              "close 4008 rate limit exceeded repeatedly");
    EXPECT_EQ(ending_kind({1001, "", false}), "close 1001");
    EXPECT_EQ(ending_kind({1006, "connect: Connection refused", false}),
              "connect: Connection refused");
    EXPECT_EQ(ending_kind({1006, "", false}), "connection dropped");
    // What the simulator closed itself is not counted.
    EXPECT_EQ(ending_kind({1000, "", true}), "");
    EXPECT_EQ(ending_kind({1006, "cut", true}), "");
}

TEST(EndingTally, CountsByKindMostFrequentFirst) {
    ending_tally t;
    t.add("close 4003 taken over");
    t.add("HTTP 403 Forbidden");
    t.add("HTTP 403 Forbidden");
    t.add("");  // not counted
    EXPECT_EQ(t.total(), 3u);
    auto kinds = t.by_count();
    ASSERT_EQ(kinds.size(), 2u);
    EXPECT_EQ(kinds[0], (std::pair<std::string, std::uint64_t>{"HTTP 403 Forbidden", 2}));
    EXPECT_EQ(kinds[1], (std::pair<std::string, std::uint64_t>{"close 4003 taken over", 1}));
}

TEST(EndingTally, KeepsAtMostMaxKindsApartAndCountsTheRestAsOther) {
    ending_tally t;
    for (int i = 0; i < 100; ++i) t.add("close 4000 reason " + std::to_string(i));
    auto kinds = t.by_count();
    EXPECT_EQ(kinds.size(), ending_tally::max_kinds);
    EXPECT_EQ(t.total(), 100u);
    std::uint64_t sum = 0;
    for (const auto& [kind, n] : kinds) sum += n;
    EXPECT_EQ(sum, 100u);
    EXPECT_EQ(kinds.front().first, "other");
    EXPECT_EQ(kinds.front().second, 100u - (ending_tally::max_kinds - 1));
}
