// Scenario files: the shipped ones load; mistakes are refused with the key named.

#include "scenario.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_paths.hpp"

using namespace switchboard::sim;

namespace {
std::string error_of(const std::string& text) {
    try {
        parse_scenario(text, "test.json");
    } catch (const scenario_error& e) {
        return e.what();
    }
    return "no error";
}
}  // namespace

TEST(Scenario, ShippedScenariosLoad) {
    int seen = 0;
    for (const auto& entry : std::filesystem::directory_iterator(
             switchboard::test::test_paths::source_dir() + "/config/scenarios")) {
        if (entry.path().extension() != ".json") continue;
        ++seen;
        EXPECT_NO_THROW(load_scenario(entry.path())) << entry.path();
    }
    EXPECT_GE(seen, 3);
}

TEST(Scenario, ReadsEveryField) {
    auto s = parse_scenario(R"({
        "name": "t", "gateway_url": "ws://127.0.0.1:1/ws", "mqtt_url": "tcp://127.0.0.1:2",
        "mqtt_prefix": "x", "duration_s": 1.5, "reconnect": {"initial_ms": 5, "max_ms": 50},
        "groups": [{"id_prefix": "a-", "count": 3, "first_index": 10, "transport": "mixed",
                    "meta": {"model": "m"}, "answer_delay_ms": {"uniform": [1, 2]},
                    "failure_rate": 0.25, "events_per_s": 2, "reboot_ms": 7, "slow_ms": 8,
                    "churn": {"per_min": 1, "offline_ms": {"exponential": 100, "max": 300}}}],
        "duplicate_storm": {"every_ms": 1000, "devices": 2, "hold_ms": 30}})",
                            "t.json");
    EXPECT_EQ(s.name, "t");
    EXPECT_EQ(s.mqtt_prefix, "x");
    EXPECT_EQ(s.duration.count(), 1500);
    EXPECT_EQ(s.reconnect_max.count(), 50);
    ASSERT_EQ(s.groups.size(), 1u);
    const auto& g = s.groups[0];
    EXPECT_EQ(g.count, 3u);
    EXPECT_EQ(g.first_index, 10u);
    EXPECT_EQ(g.transport, transport_choice::mixed);
    EXPECT_EQ(g.meta_json, R"({"model":"m"})");
    EXPECT_EQ(g.answer_delay.kind, delay_distribution::shape::uniform);
    EXPECT_DOUBLE_EQ(g.failure_rate, 0.25);
    EXPECT_EQ(g.churn_offline.kind, delay_distribution::shape::exponential);
    EXPECT_DOUBLE_EQ(g.churn_offline.max_ms, 300);
    EXPECT_EQ(s.storm.devices, 2u);
    EXPECT_EQ(s.device_count(), 3u);
}

TEST(Scenario, MistakesNameTheKey) {
    EXPECT_NE(error_of("{").find("not valid JSON"), std::string::npos);
    EXPECT_NE(error_of("{}").find("'groups' is required"), std::string::npos);
    EXPECT_NE(error_of(R"({"groups": [{"count": 1}], "duratoin_s": 1})")
                  .find("'duratoin_s' is not a known setting"),
              std::string::npos);
    EXPECT_NE(
        error_of(R"({"groups": [{"count": "many"}]})").find("'groups[0].count' must be an integer"),
        std::string::npos);
    EXPECT_NE(error_of(R"({"groups": [{"count": 1}, {"count": 1, "transport": "tcp"}]})")
                  .find("'groups[1].transport'"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"groups": [{"count": 1, "failure_rate": 2}]})")
                  .find("'groups[0].failure_rate' must be between 0 and 1"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"groups": [{"count": 1, "answer_delay_ms": {"uniform": [5, 1]}}]})")
                  .find("'groups[0].answer_delay_ms.uniform'"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"groups": [{"count": 1, "answer_delay_ms": {}}]})")
                  .find("'groups[0].answer_delay_ms' needs exactly one"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"groups": [{"count": 1, "churn": {"per_min": 1, "offline": 5}}]})")
                  .find("'groups[0].churn.offline' is not a known setting"),
              std::string::npos);
    EXPECT_NE(
        error_of(R"({"groups": [{"count": 1, "id_prefix": "a/b"}]})").find("'groups[0].id_prefix'"),
        std::string::npos);
    EXPECT_NE(error_of(R"({"groups": [{"count": 5}, {"count": 5, "first_index": 3}]})")
                  .find("'groups[1].id_prefix' overlaps"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"groups": [{"count": 1}], "duplicate_storm": {"every_ms": 5}})")
                  .find("'duplicate_storm.every_ms'"),
              std::string::npos);
    EXPECT_NE(
        error_of(R"({"groups": [{"count": 1}], "reconnect": {"initial_ms": 50, "max_ms": 10}})")
            .find("'reconnect.max_ms'"),
        std::string::npos);
    // URLs are checked as the file is read, not when a device first connects.
    EXPECT_NE(error_of(R"({"groups": [{"count": 1}], "gateway_url": "wss://127.0.0.1:/ws"})")
                  .find("'gateway_url' is not usable: 'wss://127.0.0.1:/ws': the port is empty"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"groups": [{"count": 1}], "mqtt_url": "ssl://127.0.0.1:8883"})")
                  .find("'mqtt_url' is not usable: 'ssl://127.0.0.1:8883': unknown scheme"),
              std::string::npos);
}

TEST(Scenario, FileErrorsNameTheFile) {
    try {
        load_scenario("/nonexistent/x.json");
        FAIL();
    } catch (const scenario_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/x.json"), std::string::npos);
    }
}

TEST(Scenario, Durations) {
    std::chrono::milliseconds d{0};
    EXPECT_TRUE(parse_duration("10s", d));
    EXPECT_EQ(d.count(), 10000);
    EXPECT_TRUE(parse_duration("250ms", d));
    EXPECT_EQ(d.count(), 250);
    EXPECT_TRUE(parse_duration("2m", d));
    EXPECT_EQ(d.count(), 120000);
    EXPECT_TRUE(parse_duration("1.5", d));
    EXPECT_EQ(d.count(), 1500);
    EXPECT_FALSE(parse_duration("ten", d));
    EXPECT_FALSE(parse_duration("5 parsecs", d));
}
