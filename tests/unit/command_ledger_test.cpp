#include "core/command_ledger.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard {
namespace {

using namespace std::chrono_literals;

const steady_time t0{};  // the fake clock's start

client_ptr controller(std::string id, std::string session) {
    auto c = std::make_shared<client_record>();
    c->id = std::move(id);
    c->session = std::move(session);
    c->role = client_role::controller;
    return c;
}

// Every command goes to the device's session "dev-s" unless a test says otherwise.
pending_command command(const client_ptr& from, std::string id, std::string device,
                        std::chrono::milliseconds timeout = 1000ms, steady_time now = t0,
                        std::string device_session = "dev-s") {
    return pending_command{from,    std::move(id), std::move(device), std::move(device_session),
                           timeout, now + timeout};
}

using add_result = command_ledger::add_result;
using take_status = command_ledger::take_status;

TEST(CommandLedger, AddThenTakeByTheRightDevice) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    EXPECT_EQ(p.add(command(dash, "c-1", "pump-1"), 10), add_result::added);
    EXPECT_EQ(p.size(), 1u);
    auto r = p.take("dash", "c-1", "pump-1", "dev-s");
    EXPECT_EQ(r.status, take_status::found);
    ASSERT_TRUE(r.command.has_value());
    EXPECT_EQ(r.command->controller, dash);
    EXPECT_EQ(r.command->id, "c-1");
    EXPECT_EQ(r.command->device, "pump-1");
    EXPECT_EQ(r.command->timeout, 1000ms);
    EXPECT_EQ(p.size(), 0u);
}

TEST(CommandLedger, DuplicateIdFromOneControllerIsRefused) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    EXPECT_EQ(p.add(command(dash, "c-1", "pump-1"), 10), add_result::added);
    EXPECT_EQ(p.add(command(dash, "c-1", "pump-2"), 10), add_result::duplicate_id);
    EXPECT_EQ(p.size(), 1u);
    // Another controller may use the same correlation ID.
    EXPECT_EQ(p.add(command(controller("ops", "s2"), "c-1", "pump-1"), 10), add_result::added);
    EXPECT_EQ(p.size(), 2u);
}

TEST(CommandLedger, MaxPerControllerBoundsCommandsInFlight) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    EXPECT_EQ(p.add(command(dash, "c-1", "pump-1"), 2), add_result::added);
    EXPECT_EQ(p.add(command(dash, "c-2", "pump-1"), 2), add_result::added);
    EXPECT_EQ(p.add(command(dash, "c-3", "pump-1"), 2), add_result::too_many);
    // Other controllers have their own budget.
    EXPECT_EQ(p.add(command(controller("ops", "s2"), "c-3", "pump-1"), 2), add_result::added);
    // An answer frees a slot.
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "dev-s").status, take_status::found);
    EXPECT_EQ(p.add(command(dash, "c-3", "pump-1"), 2), add_result::added);
}

TEST(CommandLedger, ZeroBudgetRefusesEverything) {
    command_ledger p;
    EXPECT_EQ(p.add(command(controller("dash", "s1"), "c-1", "pump-1"), 0), add_result::too_many);
    EXPECT_EQ(p.size(), 0u);
}

TEST(CommandLedger, WrongDeviceCannotTake) {
    command_ledger p;
    p.add(command(controller("dash", "s1"), "c-1", "pump-1"), 10);
    auto r = p.take("dash", "c-1", "pump-2", "dev-s");
    EXPECT_EQ(r.status, take_status::unknown);
    EXPECT_FALSE(r.command.has_value());
    EXPECT_EQ(p.size(), 1u);
    // The right device still can.
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "dev-s").status, take_status::found);
}

TEST(CommandLedger, WrongControllerOrIdIsUnknown) {
    command_ledger p;
    p.add(command(controller("dash", "s1"), "c-1", "pump-1"), 10);
    EXPECT_EQ(p.take("ops", "c-1", "pump-1", "dev-s").status, take_status::unknown);
    EXPECT_EQ(p.take("dash", "c-2", "pump-1", "dev-s").status, take_status::unknown);
    EXPECT_EQ(p.size(), 1u);
}

TEST(CommandLedger, SecondTakeFails) {
    command_ledger p;
    p.add(command(controller("dash", "s1"), "c-1", "pump-1"), 10);
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "dev-s").status, take_status::found);
    auto again = p.take("dash", "c-1", "pump-1", "dev-s");
    EXPECT_EQ(again.status, take_status::unknown);
    EXPECT_FALSE(again.command.has_value());
}

TEST(CommandLedger, TakeExpiredReturnsOnlyCommandsPastDeadline) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "fast", "pump-1", 100ms), 10);
    p.add(command(dash, "slow", "pump-1", 5000ms), 10);
    EXPECT_TRUE(p.take_expired(t0 + 99ms).empty());
    auto expired = p.take_expired(t0 + 100ms);  // at the deadline counts
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0].id, "fast");
    EXPECT_EQ(expired[0].device, "pump-1");
    EXPECT_EQ(expired[0].controller, dash);
    EXPECT_EQ(p.size(), 1u);
    // Taken once: not returned again.
    EXPECT_TRUE(p.take_expired(t0 + 200ms).empty());
    EXPECT_EQ(p.take_expired(t0 + 1h).size(), 1u);
    EXPECT_EQ(p.size(), 0u);
}

TEST(CommandLedger, AnswerAfterTimeoutIsLate) {
    command_ledger p;
    p.add(command(controller("dash", "s1"), "c-1", "pump-1", 100ms), 10);
    ASSERT_EQ(p.take_expired(t0 + 100ms).size(), 1u);
    auto r = p.take("dash", "c-1", "pump-1", "dev-s");
    EXPECT_EQ(r.status, take_status::late);
    EXPECT_FALSE(r.command.has_value());
    // Only the device the command went to is told it is late.
    EXPECT_EQ(p.take("dash", "c-1", "pump-2", "dev-s").status, take_status::unknown);
}

TEST(CommandLedger, TakenCommandDoesNotExpire) {
    command_ledger p;
    p.add(command(controller("dash", "s1"), "c-1", "pump-1", 100ms), 10);
    ASSERT_EQ(p.take("dash", "c-1", "pump-1", "dev-s").status, take_status::found);
    EXPECT_TRUE(p.take_expired(t0 + 1h).empty());
}

TEST(CommandLedger, CancelRemovesWithoutAnyOtherOutcome) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1", 100ms), 1);
    EXPECT_TRUE(p.cancel("dash", "c-1"));
    EXPECT_FALSE(p.cancel("dash", "c-1"));
    EXPECT_EQ(p.size(), 0u);
    EXPECT_TRUE(p.take_expired(t0 + 1h).empty());
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "dev-s").status, take_status::unknown);
    // Its slot is free again.
    EXPECT_EQ(p.add(command(dash, "c-2", "pump-1"), 1), add_result::added);
}

TEST(CommandLedger, DropControllerDropsOnlyThatSession) {
    command_ledger p;
    auto old_dash = controller("dash", "old");
    auto new_dash = controller("dash", "new");
    auto ops = controller("ops", "s3");
    auto dash2 = controller("dash2", "s4");  // shares the "dash" prefix
    p.add(command(old_dash, "c-1", "pump-1"), 10);
    p.add(command(old_dash, "c-2", "pump-1"), 10);
    p.add(command(new_dash, "c-3", "pump-1"), 10);
    p.add(command(ops, "c-1", "pump-1"), 10);
    p.add(command(dash2, "c-1", "pump-1"), 10);

    EXPECT_EQ(p.drop_controller(*old_dash), 2u);
    EXPECT_EQ(p.size(), 3u);
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "dev-s").status, take_status::unknown);
    EXPECT_EQ(p.take("dash", "c-3", "pump-1", "dev-s").status, take_status::found);
    EXPECT_EQ(p.take("ops", "c-1", "pump-1", "dev-s").status, take_status::found);
    EXPECT_EQ(p.take("dash2", "c-1", "pump-1", "dev-s").status, take_status::found);
    EXPECT_EQ(p.drop_controller(*old_dash), 0u);
}

TEST(CommandLedger, DroppedCommandsNeverExpire) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1", 100ms), 10);
    p.drop_controller(*dash);
    EXPECT_TRUE(p.take_expired(t0 + 1h).empty());
    EXPECT_EQ(p.add(command(dash, "c-1", "pump-1"), 1), add_result::added);
}

TEST(CommandLedger, CorrelationIdsWithNewlinesStayApart) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "a\nb", "pump-1"), 10);
    EXPECT_EQ(p.take("dash", "a", "pump-1", "dev-s").status, take_status::unknown);
    EXPECT_EQ(p.take("dash\na", "b", "pump-1", "dev-s").status, take_status::unknown);
    EXPECT_EQ(p.take("dash", "a\nb", "pump-1", "dev-s").status, take_status::found);
}

TEST(CommandLedger, SizeCountsAcrossControllers) {
    command_ledger p;
    for (int i = 0; i < 100; ++i) {
        auto c = controller("dash-" + std::to_string(i), "s" + std::to_string(i));
        ASSERT_EQ(p.add(command(c, "c", "pump-1", std::chrono::milliseconds(i + 1)), 10),
                  add_result::added);
    }
    EXPECT_EQ(p.size(), 100u);
    EXPECT_EQ(p.take_expired(t0 + 50ms).size(), 50u);
    EXPECT_EQ(p.size(), 50u);
}

client_ptr device(std::string id, std::string session) {
    auto d = std::make_shared<client_record>();
    d->id = std::move(id);
    d->session = std::move(session);
    return d;
}

TEST(CommandLedger, ADeviceSessionsCommandsEndTogetherAndOnlyThem) {
    command_ledger p;
    // Spread over many controllers, so over every shard.
    std::vector<client_ptr> dashes;
    for (int i = 0; i < 40; ++i) {
        dashes.push_back(controller("dash-" + std::to_string(i), "s" + std::to_string(i)));
        p.add(command(dashes.back(), "c", "pump-1", 1000ms, t0, "old"), 10);
        p.add(command(dashes.back(), "d", "pump-1", 1000ms, t0, "new"), 10);
        p.add(command(dashes.back(), "e", "pump-2", 1000ms, t0, "old"), 10);
    }
    auto ended = p.take_device(*device("pump-1", "old"));
    ASSERT_EQ(ended.size(), 40u);
    for (const auto& c : ended) {
        EXPECT_EQ(c.id, "c");
        EXPECT_EQ(c.device_session, "old");
    }
    EXPECT_EQ(p.size(), 80u);
    EXPECT_TRUE(p.take_device(*device("pump-1", "old")).empty());
    // Ended commands have no deadline left.
    EXPECT_EQ(p.take_expired(t0 + 1h).size(), 80u);
}

TEST(CommandLedger, OnlyTheSessionACommandWentToMayAnswerIt) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1", 1000ms, t0, "first"), 10);
    EXPECT_FALSE(p.is_pending("dash", "c-1", "pump-1", "second"));
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "second").status, take_status::unknown);
    EXPECT_TRUE(p.is_pending("dash", "c-1", "pump-1", "first"));
    // The device left: a next session's answer is late, and says why.
    ASSERT_EQ(p.take_device(*device("pump-1", "first")).size(), 1u);
    auto late = p.take("dash", "c-1", "pump-1", "second");
    EXPECT_EQ(late.status, take_status::late);
    EXPECT_EQ(late.ended, command_ledger::ended_as::device_disconnected);
    EXPECT_EQ(p.size(), 0u);
}

TEST(CommandLedger, MovedCommandsBelongToTheNewSession) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1", 1000ms, t0, "first"), 10);
    p.add(command(dash, "c-2", "pump-1", 1000ms, t0, "first"), 10);
    EXPECT_EQ(p.move_device(*device("pump-1", "first"), *device("pump-1", "second")), 2u);
    EXPECT_FALSE(p.is_pending("dash", "c-1", "pump-1", "first"));
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "second").status, take_status::found);
    EXPECT_TRUE(p.take_device(*device("pump-1", "first")).empty());
    auto ended = p.take_device(*device("pump-1", "second"));
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].id, "c-2");
}

}  // namespace
}  // namespace switchboard
