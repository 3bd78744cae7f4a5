// device-sim/recent_commands: a device's dedupe memory by (from, id), bounded.

#include "recent_commands.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::sim {
namespace {

TEST(RecentCommands, ARepeatIsFoundByFromAndIdAndTheOldestIsForgottenPastCapacity) {
    recent_commands<std::string> recent(3);
    EXPECT_EQ(recent.find("dash-1", "c-1"), nullptr);
    recent.remember("dash-1", "c-1", "first");
    recent.remember("dash-2", "c-1", "other controller");
    ASSERT_NE(recent.find("dash-1", "c-1"), nullptr);
    EXPECT_EQ(*recent.find("dash-1", "c-1"), "first");
    EXPECT_EQ(*recent.find("dash-2", "c-1"), "other controller");
    EXPECT_EQ(recent.find("dash-1", "c-2"), nullptr);
    // "dash-1\nc-1" is not "dash-1c\n-1".
    EXPECT_EQ(recent.find("dash-1c", "-1"), nullptr);
    recent.remember("dash-1", "c-2", "second");
    recent.remember("dash-1", "c-3", "third");
    EXPECT_EQ(recent.size(), 3u);
    EXPECT_EQ(recent.find("dash-1", "c-1"), nullptr);
    EXPECT_NE(recent.find("dash-1", "c-3"), nullptr);
}

}  // namespace
}  // namespace switchboard::sim
