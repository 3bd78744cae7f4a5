// counter_table: every counter of `counters` has a row, and the rows make
// well-formed /stats keys and /metrics families.

#include "core/counter_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

using namespace switchboard;

namespace {
std::size_t offset_of(counters::counter counters::*member) {
    static const counters probe;
    return static_cast<std::size_t>(reinterpret_cast<const char*>(&(probe.*member)) -
                                    reinterpret_cast<const char*>(&probe));
}
}  // namespace

// A counter added to `counters` without a row here fails: the scalar
// counters' bytes are what is left of the struct after its arrays.
TEST(CounterTable, EveryCounterHasARow) {
    std::set<std::size_t> members;
    for (const counter_row& row : counter_table) members.insert(offset_of(row.member));
    const counters c;
    const std::size_t arrays =
        sizeof(c.frames_routed) + sizeof(c.frames_sent) + sizeof(c.command_latency);
    EXPECT_EQ(members.size() * sizeof(counters::counter), sizeof(counters) - arrays);
}

TEST(CounterTable, KeysAreUniqueAndFamiliesAreWellFormed) {
    std::set<std::string> keys;
    std::set<std::string> finished_families;
    std::map<std::string, std::set<std::string>> labels;
    std::string current;
    for (const counter_row& row : counter_table) {
        EXPECT_FALSE(row.stats_key.empty() && row.family.empty()) << "a row served nowhere";
        if (!row.stats_key.empty()) {
            EXPECT_TRUE(keys.insert(std::string(row.stats_key)).second) << row.stats_key;
        }
        if (row.family.empty()) continue;
        std::string family(row.family);
        EXPECT_TRUE(family.starts_with("switchboard_") && family.ends_with("_total")) << family;
        if (family != current) {
            // A family's rows are adjacent, and its first row says what it counts.
            EXPECT_FALSE(finished_families.count(family)) << family << " is split";
            if (!current.empty()) finished_families.insert(current);
            EXPECT_FALSE(row.help.empty()) << family << " has no help";
            current = family;
        }
        std::string label = std::string(row.label_name) + "=" + std::string(row.label_value);
        EXPECT_TRUE(labels[family].insert(label).second) << family << " " << label;
    }
}
