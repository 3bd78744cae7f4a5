// topic_map and reconnect_backoff: pure, no sockets.

#include "topic_map.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/id_rules.hpp"
#include "reconnect_backoff.hpp"

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

TEST(TopicMap, TheWatchdogsProbeFilterIsNoClientsTopic) {
    topic_map t("sb");
    EXPECT_EQ(t.probe_filter(), "sb/$watchdog");
    EXPECT_FALSE(is_valid_id("$watchdog"));
    EXPECT_NE(t.parse(t.probe_filter()).status, match_status::ok);
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

// ID injection (CVE-2017-7650; docs/mqtt.md, "Identity"): 100,000 generated IDs drawn
// from the characters that break topics, plus over-long and non-ASCII ones.
// No ID the rules accept may yield a topic outside `sb/<id>/<kind>`, and no
// topic with a bad ID level may parse as ours.
TEST(TopicMap, HundredThousandGeneratedIdsNeverEscapeTheirTopic) {
    topic_map t("sb");
    const std::string alphabet[] = {"+",        "#",  "/",  std::string(1, '\0'),
                                    "$SYS",     "$",  " ",  "\xff",
                                    "\xc3\xa9", "a",  "Z",  "7",
                                    "-",        "_",  ".",  ":",
                                    "@",        "\n", "%c", "..",
                                    "*"};
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    auto next = [&state] {  // xorshift64: repeatable, no <random> distribution differences
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    int accepted = 0;
    for (int i = 0; i < 100000; ++i) {
        std::string id;
        std::size_t parts = next() % 12;
        if (i % 1000 == 999) parts = 200;  // well over the length limit
        for (std::size_t p = 0; p < parts; ++p) id += alphabet[next() % std::size(alphabet)];
        for (auto kind :
             {topic_kind::in, topic_kind::out, topic_kind::status, topic_kind::events}) {
            std::string topic = "sb/" + id + "/" + std::string(to_string(kind));
            auto m = t.parse(topic);
            if (!is_valid_id(id)) {
                ASSERT_NE(m.status, match_status::ok) << "a refused ID parsed as ours: " << topic;
                continue;
            }
            ASSERT_EQ(t.topic(id, kind), topic);
            ASSERT_EQ(m.status, match_status::ok) << topic;
            ASSERT_EQ(m.id, id);
            ASSERT_EQ(m.kind, kind);
            ASSERT_EQ(id.find_first_of(std::string("+#/\0$", 5)), std::string::npos) << id;
        }
        accepted += is_valid_id(id) ? 1 : 0;
    }
    // The generator must exercise both sides, or the test proves nothing.
    EXPECT_GT(accepted, 1000);
    EXPECT_LT(accepted, 90000);
}
