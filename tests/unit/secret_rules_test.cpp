// core/secret_rules: which secrets the config refuses, and why.

#include "core/secret_rules.hpp"

#include <gtest/gtest.h>

using namespace switchboard;

TEST(SecretRules, PlaceholdersAreRefusedWhateverTheirLength) {
    for (const char* s : {"REPLACE-with-at-least-32-random-bytes-of-secret", "please-replace-me",
                          "xxREPLACExx", "Replace"}) {
        auto why = secret_weakness(s, 0);
        ASSERT_TRUE(why) << s;
        EXPECT_NE(why->find("placeholder"), std::string::npos) << *why;
    }
    EXPECT_FALSE(secret_weakness("", 0));
    EXPECT_FALSE(secret_weakness("mqtt-broker-pass", 0));
}

TEST(SecretRules, ShortOrMonotonousSecretsAreRefused) {
    EXPECT_TRUE(secret_weakness("Zq8vN3rT6yW1pL4", min_token_bytes));  // 15 bytes
    EXPECT_FALSE(secret_weakness("Zq8vN3rT6yW1pL4k", min_token_bytes));
    EXPECT_TRUE(secret_weakness(std::string(64, 'a'), min_jwt_secret_bytes));
    EXPECT_TRUE(secret_weakness("abababababababababababababababab", min_jwt_secret_bytes));
    EXPECT_TRUE(secret_weakness("12341234123412341234123412341234", min_jwt_secret_bytes));
    EXPECT_TRUE(secret_weakness("0123456012345601234560123456012345", min_jwt_secret_bytes));
    EXPECT_FALSE(secret_weakness("01234567012345670123456701234567", min_jwt_secret_bytes));
    EXPECT_FALSE(secret_weakness("wqd2J7mK9VbX1pL0nT4sR8yC6fH3gZ5a", min_jwt_secret_bytes));
    auto why = secret_weakness("short", min_token_bytes);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("16 bytes"), std::string::npos) << *why;
}

TEST(SecretRules, SecretFilesLoseTrailingLineEnds) {
    EXPECT_EQ(trim_secret("abc\n"), "abc");
    EXPECT_EQ(trim_secret("abc \r\n\n"), "abc");
    EXPECT_EQ(trim_secret(" abc"), " abc");
    EXPECT_EQ(trim_secret(""), "");
}
