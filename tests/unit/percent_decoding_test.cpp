#include "core/percent_decoding.hpp"

#include <gtest/gtest.h>

using switchboard::percent_decode;
using switchboard::plus_sign;

TEST(PercentDecoding, DecodesEachEscapeOnceInEitherCase) {
    EXPECT_EQ(percent_decode("a%2Fb%2fc", plus_sign::literal), "a/b/c");
    // %25 is '%': the result is not decoded again.
    EXPECT_EQ(percent_decode("%252E", plus_sign::literal), "%2E");
    EXPECT_EQ(percent_decode("%00", plus_sign::literal), std::string(1, '\0'));
    EXPECT_EQ(percent_decode("", plus_sign::literal), "");
}

TEST(PercentDecoding, PlusIsASpaceOnlyInAQuery) {
    EXPECT_EQ(percent_decode("a+b%2B", plus_sign::space), "a b+");
    EXPECT_EQ(percent_decode("a+b", plus_sign::literal), "a+b");
}

TEST(PercentDecoding, AMalformedEscapeIsRefusedNotPassedThrough) {
    for (const char* bad : {"%", "%4", "a%", "%G0", "%0g", "x%zz", "%%41"}) {
        EXPECT_FALSE(percent_decode(bad, plus_sign::literal)) << bad;
        EXPECT_FALSE(percent_decode(bad, plus_sign::space)) << bad;
    }
    EXPECT_EQ(percent_decode("%41", plus_sign::literal), "A");  // an escape at the very end
}
