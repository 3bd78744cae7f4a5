#include "core/id_rules.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard {
namespace {

using namespace std::string_literals;

TEST(IdRules, AcceptsEveryAllowedCharacterClass) {
    EXPECT_TRUE(is_valid_id("a"));
    EXPECT_TRUE(is_valid_id("pump-12"));
    EXPECT_TRUE(is_valid_id("plant-3:pump-12"));
    EXPECT_TRUE(is_valid_id("userA@example.com"));
    EXPECT_TRUE(is_valid_id("ABC_xyz.0-9:@"));
}

TEST(IdRules, RefusesEmptyId) { EXPECT_FALSE(is_valid_id("")); }

TEST(IdRules, LengthLimitIs128Bytes) {
    EXPECT_TRUE(is_valid_id(std::string(127, 'a')));
    EXPECT_TRUE(is_valid_id(std::string(128, 'a')));
    EXPECT_FALSE(is_valid_id(std::string(129, 'a')));
    EXPECT_FALSE(is_valid_id(std::string(100000, 'a')));
}

TEST(IdRules, RefusesMqttWildcardsAndSeparators) {
    EXPECT_FALSE(is_valid_id("a/b"));
    EXPECT_FALSE(is_valid_id("/"));
    EXPECT_FALSE(is_valid_id("a+b"));
    EXPECT_FALSE(is_valid_id("+"));
    EXPECT_FALSE(is_valid_id("a#"));
    EXPECT_FALSE(is_valid_id("#"));
    EXPECT_FALSE(is_valid_id("$SYS"));
    EXPECT_FALSE(is_valid_id("pump*"));
}

TEST(IdRules, RefusesNulSpaceAndControlBytes) {
    EXPECT_FALSE(is_valid_id("a\0b"s));
    EXPECT_FALSE(is_valid_id("\0"s));
    EXPECT_FALSE(is_valid_id("pump 1"));
    EXPECT_FALSE(is_valid_id(" "));
    EXPECT_FALSE(is_valid_id("pump\t1"));
    EXPECT_FALSE(is_valid_id("pump\n"));
    EXPECT_FALSE(is_valid_id("pump\x7f"));
}

TEST(IdRules, RefusesNonAsciiUnicode) {
    EXPECT_FALSE(is_valid_id("pömpe"));
    EXPECT_FALSE(is_valid_id("泵-1"));
    EXPECT_FALSE(is_valid_id("\xff\xfe"));
}

TEST(IdRules, PatternIsAnIdOrPrefixWithOneTrailingStar) {
    EXPECT_TRUE(is_valid_id_pattern("pump-12"));
    EXPECT_TRUE(is_valid_id_pattern("pump-*"));
    EXPECT_TRUE(is_valid_id_pattern("*"));
    EXPECT_TRUE(is_valid_id_pattern("plant-3:*"));
}

TEST(IdRules, PatternRefusesStarAnywhereButTheEnd) {
    EXPECT_FALSE(is_valid_id_pattern("a*b"));
    EXPECT_FALSE(is_valid_id_pattern("*a"));
    EXPECT_FALSE(is_valid_id_pattern("**"));
    EXPECT_FALSE(is_valid_id_pattern("pump-**"));
}

TEST(IdRules, PatternRefusesInvalidPrefixCharacters) {
    EXPECT_FALSE(is_valid_id_pattern(""));
    EXPECT_FALSE(is_valid_id_pattern("a/*"));
    EXPECT_FALSE(is_valid_id_pattern("+*"));
    EXPECT_FALSE(is_valid_id_pattern("#"));
    EXPECT_FALSE(is_valid_id_pattern("a b*"));
    EXPECT_FALSE(is_valid_id_pattern("\0*"s));
}

TEST(IdRules, PatternLengthLimit) {
    EXPECT_TRUE(is_valid_id_pattern(std::string(127, 'a') + "*"));
    EXPECT_FALSE(is_valid_id_pattern(std::string(129, 'a')));
    EXPECT_FALSE(is_valid_id_pattern(std::string(200, 'a') + "*"));
}

TEST(IdRules, ExactPatternMatchesOnlyThatId) {
    EXPECT_TRUE(pattern_matches("pump-1", "pump-1"));
    EXPECT_FALSE(pattern_matches("pump-1", "pump-12"));
    EXPECT_FALSE(pattern_matches("pump-12", "pump-1"));
    EXPECT_FALSE(pattern_matches("pump-1", "PUMP-1"));
}

TEST(IdRules, PrefixPatternMatchesIdsStartingWithThePrefix) {
    EXPECT_TRUE(pattern_matches("pump-*", "pump-1"));
    EXPECT_TRUE(pattern_matches("pump-*", "pump-12"));
    EXPECT_TRUE(pattern_matches("pump-*", "pump-"));
    EXPECT_FALSE(pattern_matches("pump-*", "pump"));
    EXPECT_FALSE(pattern_matches("pump-*", "valve-1"));
    EXPECT_FALSE(pattern_matches("pump-*", "xpump-1"));
}

TEST(IdRules, StarMatchesEveryId) {
    EXPECT_TRUE(pattern_matches("*", "a"));
    EXPECT_TRUE(pattern_matches("*", "userA@example.com"));
    EXPECT_TRUE(pattern_matches("*", std::string(128, 'z')));
}

TEST(IdRules, DefaultNodeNameIsHostAndPortAndAlwaysAValidId) {
    EXPECT_EQ(default_node_name("gw-host", 8080), "gw-host:8080");
    EXPECT_EQ(default_node_name("gw1.example.com", 443), "gw1.example.com:443");
    EXPECT_EQ(default_node_name("odd host/name", 9000), "odd-host-name:9000");
    EXPECT_EQ(default_node_name("", 8080), "switchboard:8080");
    const std::string long_host(300, 'h');
    const std::string name = default_node_name(long_host, 65535);
    EXPECT_TRUE(is_valid_id(name)) << name;
    EXPECT_TRUE(name.ends_with(":65535"));
    // Two nodes on one host differ by their ports.
    EXPECT_NE(default_node_name("gw", 8080), default_node_name("gw", 8081));
}

}  // namespace
}  // namespace switchboard
