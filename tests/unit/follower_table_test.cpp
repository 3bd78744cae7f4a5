#include "core/follower_table.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard {
namespace {

client_ptr make_client(std::string id, std::string session) {
    auto c = std::make_shared<client_record>();
    c->id = std::move(id);
    c->session = std::move(session);
    c->role = client_role::controller;
    return c;
}

std::vector<std::string> sessions_of(const std::vector<client_ptr>& clients) {
    std::vector<std::string> out;
    for (const auto& c : clients) out.push_back(c->session);
    std::sort(out.begin(), out.end());
    return out;
}

TEST(FollowerTable, ExactPatternFollowsOnlyThatId) {
    follower_table t;
    auto dash = make_client("dash", "s1");
    EXPECT_TRUE(t.add(dash, {"pump-1"}, 10));
    EXPECT_EQ(sessions_of(t.followers_of("pump-1")), std::vector<std::string>{"s1"});
    EXPECT_TRUE(t.followers_of("pump-12").empty());
    EXPECT_TRUE(t.followers_of("pump-").empty());
}

TEST(FollowerTable, HandOverMovesEveryPatternToTheNewSession) {
    follower_table t;
    auto before = make_client("dash", "s1");
    auto after = make_client("dash", "s2");
    auto other = make_client("ops", "s3");
    ASSERT_TRUE(t.add(before, {"pump-1", "valve-*"}, 10));
    ASSERT_TRUE(t.add(other, {"pump-1"}, 10));
    t.hand_over(*before, after);
    EXPECT_EQ(sessions_of(t.followers_of("pump-1")), (std::vector<std::string>{"s2", "s3"}));
    EXPECT_EQ(sessions_of(t.followers_of("valve-7")), std::vector<std::string>{"s2"});
    EXPECT_EQ(t.session_count(), 2u);
    // The old session holds nothing to remove; the new one removes what it took.
    t.remove_all(before);
    EXPECT_EQ(t.followers_of("valve-7").size(), 1u);
    t.remove_all(after);
    EXPECT_EQ(sessions_of(t.followers_of("pump-1")), std::vector<std::string>{"s3"});
    EXPECT_TRUE(t.followers_of("valve-7").empty());
}

TEST(FollowerTable, PrefixPatternFollowsTheFamily) {
    follower_table t;
    auto dash = make_client("dash", "s1");
    EXPECT_TRUE(t.add(dash, {"pump-*"}, 10));
    EXPECT_EQ(t.followers_of("pump-1").size(), 1u);
    EXPECT_EQ(t.followers_of("pump-99").size(), 1u);
    EXPECT_TRUE(t.followers_of("pump").empty());
    EXPECT_TRUE(t.followers_of("valve-1").empty());
}

TEST(FollowerTable, StarFollowsEveryone) {
    follower_table t;
    t.add(make_client("dash", "s1"), {"*"}, 10);
    EXPECT_EQ(t.followers_of("anything").size(), 1u);
    EXPECT_EQ(t.followers_of("a").size(), 1u);
}

TEST(FollowerTable, SessionMatchingSeveralWaysIsListedOnce) {
    follower_table t;
    auto dash = make_client("dash", "s1");
    EXPECT_TRUE(t.add(dash, {"pump-1", "pump-*", "pu*", "*"}, 10));
    auto f = t.followers_of("pump-1");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0], dash);
}

TEST(FollowerTable, SeveralSessionsEachListedOnce) {
    follower_table t;
    auto a = make_client("dash-a", "s1");
    auto b = make_client("dash-b", "s2");
    auto c = make_client("dash-c", "s3");
    t.add(a, {"pump-1", "*"}, 10);
    t.add(b, {"pump-*"}, 10);
    t.add(c, {"valve-*"}, 10);
    EXPECT_EQ(sessions_of(t.followers_of("pump-1")), (std::vector<std::string>{"s1", "s2"}));
    EXPECT_EQ(sessions_of(t.followers_of("valve-3")), (std::vector<std::string>{"s1", "s3"}));
    EXPECT_EQ(t.session_count(), 3u);
}

TEST(FollowerTable, TwoSessionsOfOneIdAreDistinctFollowers) {
    follower_table t;
    t.add(make_client("dash", "old"), {"pump-1"}, 10);
    t.add(make_client("dash", "new"), {"pump-1"}, 10);
    EXPECT_EQ(sessions_of(t.followers_of("pump-1")), (std::vector<std::string>{"new", "old"}));
}

TEST(FollowerTable, RemoveDropsOnlyTheNamedPatterns) {
    follower_table t;
    auto dash = make_client("dash", "s1");
    t.add(dash, {"pump-1", "valve-*"}, 10);
    t.remove(dash, {"pump-1"});
    EXPECT_TRUE(t.followers_of("pump-1").empty());
    EXPECT_EQ(t.followers_of("valve-2").size(), 1u);
    EXPECT_EQ(t.session_count(), 1u);
    t.remove(dash, {"valve-*", "never-added"});
    EXPECT_TRUE(t.followers_of("valve-2").empty());
    EXPECT_EQ(t.session_count(), 0u);
}

TEST(FollowerTable, RemoveOfOnePatternKeepsOthersMatching) {
    follower_table t;
    auto dash = make_client("dash", "s1");
    t.add(dash, {"pump-1", "pump-*"}, 10);
    t.remove(dash, {"pump-*"});
    EXPECT_EQ(t.followers_of("pump-1").size(), 1u);
    EXPECT_TRUE(t.followers_of("pump-2").empty());
}

TEST(FollowerTable, RemoveLeavesOtherSessionsAlone) {
    follower_table t;
    auto a = make_client("dash-a", "s1");
    auto b = make_client("dash-b", "s2");
    t.add(a, {"pump-*"}, 10);
    t.add(b, {"pump-*"}, 10);
    t.remove(a, {"pump-*"});
    EXPECT_EQ(sessions_of(t.followers_of("pump-1")), std::vector<std::string>{"s2"});
}

TEST(FollowerTable, RemoveAllForgetsTheSession) {
    follower_table t;
    auto a = make_client("dash-a", "s1");
    auto b = make_client("dash-b", "s2");
    t.add(a, {"pump-1", "valve-*", "*"}, 10);
    t.add(b, {"pump-1"}, 10);
    t.remove_all(a);
    EXPECT_EQ(sessions_of(t.followers_of("pump-1")), std::vector<std::string>{"s2"});
    EXPECT_TRUE(t.followers_of("valve-1").empty());
    EXPECT_TRUE(t.followers_of("x").empty());
    EXPECT_EQ(t.session_count(), 1u);
    t.remove_all(a);  // twice is harmless
    t.remove_all(b);
    EXPECT_EQ(t.session_count(), 0u);
}

TEST(FollowerTable, MaxPerSessionRefusesTheWholeRequest) {
    follower_table t;
    auto dash = make_client("dash", "s1");
    EXPECT_TRUE(t.add(dash, {"a", "b"}, 3));
    EXPECT_FALSE(t.add(dash, {"c", "d"}, 3));
    // Nothing of the refused request was added.
    EXPECT_TRUE(t.followers_of("c").empty());
    EXPECT_TRUE(t.followers_of("d").empty());
    EXPECT_TRUE(t.add(dash, {"c"}, 3));
    EXPECT_EQ(t.followers_of("c").size(), 1u);
    EXPECT_FALSE(t.add(dash, {"d"}, 3));
}

TEST(FollowerTable, PatternsAlreadyHeldDoNotCountAgainstTheLimit) {
    follower_table t;
    auto dash = make_client("dash", "s1");
    EXPECT_TRUE(t.add(dash, {"a", "b"}, 2));
    EXPECT_TRUE(t.add(dash, {"a", "b"}, 2));
}

TEST(FollowerTable, RepeatedPatternInOneRequestCountsOnce) {
    follower_table t;
    auto dash = make_client("dash", "s1");
    EXPECT_TRUE(t.add(dash, {"a", "a"}, 1));
    EXPECT_EQ(t.followers_of("a").size(), 1u);
}

TEST(FollowerTable, RefusedFirstRequestLeavesNoSession) {
    follower_table t;
    EXPECT_FALSE(t.add(make_client("dash", "s1"), {"a", "b", "c"}, 2));
    EXPECT_EQ(t.session_count(), 0u);
}

}  // namespace
}  // namespace switchboard
