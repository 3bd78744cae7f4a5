// core/splitmix64: the reference sequence, and the [0, 1) doubles the
// simulator draws from it.

#include "core/splitmix64.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace switchboard {
namespace {

TEST(Splitmix64, MatchesTheReferenceSequence) {
    // Vigna's splitmix64.c from seed 1234567.
    splitmix64 rng{1234567};
    std::vector<std::uint64_t> out;
    for (int i = 0; i < 5; ++i) out.push_back(rng());
    EXPECT_EQ(out, (std::vector<std::uint64_t>{6457827717110365317ULL, 3203168211198807973ULL,
                                               9817491932198370423ULL, 4593380528125082431ULL,
                                               16408922859458223821ULL}));
}

TEST(Splitmix64, UniformStaysInTheHalfOpenUnitInterval) {
    splitmix64 rng{0};
    double sum = 0;
    for (int i = 0; i < 10000; ++i) {
        double u = rng.uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        sum += u;
    }
    EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

}  // namespace
}  // namespace switchboard
