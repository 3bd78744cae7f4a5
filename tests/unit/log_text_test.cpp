// core/log_text: client-chosen text is escaped before the log sees it, and
// one reason cannot write more than its share of lines.

#include "core/log_text.hpp"

#include <gtest/gtest.h>

using namespace switchboard;
using namespace std::chrono_literals;

TEST(LogSafe, ControlCharactersBackslashAndBadUtf8BecomeHexEscapes) {
    EXPECT_EQ(log_safe("pump-12"), "pump-12");
    EXPECT_EQ(log_safe("a\nb"), "a\\x0ab");
    EXPECT_EQ(log_safe("fake\r\n2026-01-01 info admin logged in"),
              "fake\\x0d\\x0a2026-01-01 info admin logged in");
    EXPECT_EQ(log_safe(std::string_view("nul\0x", 5)), "nul\\x00x");
    EXPECT_EQ(log_safe("\x1b[31mred"), "\\x1b[31mred");
    EXPECT_EQ(log_safe("del\x7f"), "del\\x7f");
    EXPECT_EQ(log_safe("back\\x0a"), "back\\\\x0a");    // an escape cannot be forged
    EXPECT_EQ(log_safe("caf\xc3\xa9"), "caf\xc3\xa9");  // well-formed UTF-8 stays
    EXPECT_EQ(log_safe("bad\xff\xc3"), "bad\\xff\\xc3");
    EXPECT_EQ(log_safe("\xc0\xaf"), "\\xc0\\xaf");  // overlong '/'
}

TEST(LogSafe, LongTextIsCut) {
    std::string long_text(1000, 'a');
    EXPECT_EQ(log_safe(long_text, 10), "aaaaaaaaaa...(+990 bytes)");
    EXPECT_EQ(log_safe("short", 10), "short");
}

TEST(LogLimiter, EachReasonGetsItsBurstThenItsRateAndTheCountOfWhatWasDropped) {
    log_limiter l(2, 3);
    auto t = std::chrono::steady_clock::time_point{} + 1h;
    std::uint64_t suppressed = 99;
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(l.admit("refused", suppressed, t));
        EXPECT_EQ(suppressed, 0u);
    }
    for (int i = 0; i < 100; ++i) EXPECT_FALSE(l.admit("refused", suppressed, t));
    // Another reason has a bucket of its own.
    EXPECT_TRUE(l.admit("other", suppressed, t));
    EXPECT_FALSE(l.admit("refused", suppressed, t + 100ms));
    EXPECT_TRUE(l.admit("refused", suppressed, t + 600ms));
    EXPECT_EQ(suppressed, 101u);
    EXPECT_EQ(suppressed_note(suppressed), " (101 similar lines suppressed)");
    EXPECT_EQ(suppressed_note(0), "");
}
