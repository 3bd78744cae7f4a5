// topic_map and reconnect_backoff: pure, no sockets.

#include <gtest/gtest.h>

#include <string>

#include "core/id_rules.hpp"
#include "reconnect_backoff.hpp"
#include "topic_map.hpp"

using namespace switchboard;
using match_status = topic_map::match_status;

TEST(TopicMap, BuildsTopicsAndFilters) {
    topic_map t("sb");
    EXPECT_EQ(t.topic("pump-12", topic_kind::in), "sb/pump-12/in");
    EXPECT_EQ(t.topic("pump-12", topic_kind::out), "sb/pump-12/out");
    EXPECT_EQ(t.topic("plant-3:pump-12", topic_kind::status), "sb/plant-3:pump-12/status");
    EXPECT_EQ(t.topic("userA@example.com", topic_kind::events), "sb/userA@example.com/events");
    EXPECT_EQ(t.filter(topic_kind::status), "sb/+/status");
    EXPECT_EQ(t.shared_filter(topic_kind::out, "switchboard"), "$share/switchboard/sb/+/out");
    EXPECT_EQ(t.shared_filter(topic_kind::out, ""), "sb/+/out");
}

TEST(TopicMap, ParsesOwnTopicsBack) {
    topic_map t("plant-3/sb");
    auto m = t.parse("plant-3/sb/pump-12/out");
    EXPECT_EQ(m.status, match_status::ok);
    EXPECT_EQ(m.id, "pump-12");
    EXPECT_EQ(m.kind, topic_kind::out);
    for (auto kind : {topic_kind::in, topic_kind::out, topic_kind::status, topic_kind::events}) {
        auto topic = t.topic("a.b_c:d@e-f", kind);
        auto back = t.parse(topic);
        EXPECT_EQ(back.status, match_status::ok) << topic;
        EXPECT_EQ(back.id, "a.b_c:d@e-f");
        EXPECT_EQ(back.kind, kind);
    }
}

TEST(TopicMap, ForeignTopicsAreNotOurs) {
    topic_map t("sb");
    for (const char* topic : {"", "sb", "sb/", "sbx/pump/out", "other/pump/out", "sb/pump",
                              "sb/pump/inbox", "sb/pump/out/", "$SYS/broker/uptime"}) {
        EXPECT_EQ(t.parse(topic).status, match_status::foreign) << topic;
    }
}

TEST(TopicMap, TopicBreakingIdsAreRefused) {
    topic_map t("sb");
    std::string nul_id = std::string("sb/pu") + '\0' + "mp/out";
    std::string long_id = "sb/" + std::string(max_id_bytes + 1, 'a') + "/out";
    std::string longest_ok = "sb/" + std::string(max_id_bytes, 'a') + "/out";
    for (const std::string& topic :
         {std::string("sb//out"), std::string("sb/+/out"), std::string("sb/#/out"),
          std::string("sb/a/b/out"), std::string("sb/bad id/status"), nul_id, long_id,
          std::string("sb/caf\xc3\xa9/out")}) {
        EXPECT_EQ(t.parse(topic).status, match_status::bad_id) << topic;
    }
    EXPECT_EQ(t.parse(longest_ok).status, match_status::ok);
}

TEST(TopicPrefix, ValidAndInvalid) {
    for (const char* ok : {"sb", "plant-3/sb", "a/b/c", "x_y.z"}) {
        EXPECT_TRUE(is_valid_topic_prefix(ok)) << ok;
    }
    for (const char* bad : {"", "/sb", "sb/", "a//b", "s+b", "sb/#", "$share", "$SYS/x"}) {
        EXPECT_FALSE(is_valid_topic_prefix(bad)) << bad;
    }
    EXPECT_FALSE(is_valid_topic_prefix(std::string(65, 'a')));
    EXPECT_FALSE(is_valid_topic_prefix(std::string("s\0b", 3)));
}

TEST(ReconnectBackoff, DoublesWithinUpperHalfUpToTheCapAndResets) {
    using std::chrono::milliseconds;
    reconnect_backoff b(milliseconds(100), milliseconds(1000), 42);
    std::int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000, 1000};
    for (auto ceiling : ceilings) {
        auto d = b.next().count();
        EXPECT_GE(d, ceiling / 2);
        EXPECT_LE(d, ceiling);
    }
    b.reset();
    auto d = b.next().count();
    EXPECT_GE(d, 50);
    EXPECT_LE(d, 100);
}
