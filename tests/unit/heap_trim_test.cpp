#include "core/heap_trim.hpp"

#include <gtest/gtest.h>

#include <cstdint>

using switchboard::heap_trim;

// A burst of connections is trimmed once, when it is over; a trickle never.
TEST(HeapTrim, TrimsOnceWhenABurstIsOver) {
    heap_trim trim;
    std::uint64_t accepted = 0;
    // Still coming: no trim.
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(trim.check(accepted += 1000)) << i;
    // Over: one trim.
    EXPECT_TRUE(trim.check(accepted += 3));
    // A trickle after it: none.
    for (int i = 0; i < 100; ++i) EXPECT_FALSE(trim.check(accepted += 2)) << i;
}

TEST(HeapTrim, FewConnectionsAreNeverWorthATrim) {
    heap_trim trim;
    EXPECT_FALSE(trim.check(heap_trim::min_burst - 1));
    EXPECT_FALSE(trim.check(heap_trim::min_burst - 1));
    EXPECT_TRUE(trim.check(heap_trim::min_burst));  // reached, and quiet since
}

// A storm that never pauses is still trimmed, every max_checks checks.
TEST(HeapTrim, ALongStormIsTrimmedNowAndThen) {
    heap_trim trim;
    std::uint64_t accepted = 0;
    int trims = 0;
    for (unsigned i = 0; i < 3 * heap_trim::max_checks; ++i) {
        if (trim.check(accepted += 500)) ++trims;
    }
    EXPECT_EQ(trims, 3);
}
