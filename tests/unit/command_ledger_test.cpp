#include "core/command_ledger.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

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

queued_command queued(const client_ptr& from, std::string id, std::string device,
                      std::chrono::milliseconds ttl, steady_time now = t0) {
    return queued_command{
        from,   std::move(id), std::move(device),
        1000ms, now + ttl,     std::make_shared<const std::string>(R"({"type":"command"})"),
        false,  std::nullopt};
}

client_ptr device_session(std::string id, std::string session) {
    auto c = std::make_shared<client_record>();
    c->id = std::move(id);
    c->session = std::move(session);
    c->role = client_role::device;
    return c;
}

using add_result = command_ledger::add_result;
using take_status = command_ledger::take_status;
constexpr command_state ok = command_state::succeeded;

TEST(CommandLedger, AddThenTakeByTheRightDevice) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    EXPECT_EQ(p.add(command(dash, "c-1", "pump-1"), 10), add_result::added);
    EXPECT_EQ(p.size(), 1u);
    auto r = p.take("dash", "c-1", "pump-1", "dev-s", ok, t0);
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
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "dev-s", ok, t0).status, take_status::found);
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
    auto r = p.take("dash", "c-1", "pump-2", "dev-s", ok, t0);
    EXPECT_EQ(r.status, take_status::unknown);
    EXPECT_FALSE(r.command.has_value());
    EXPECT_EQ(p.size(), 1u);
    // The right device still can.
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "dev-s", ok, t0).status, take_status::found);
}

TEST(CommandLedger, WrongControllerOrIdIsUnknown) {
    command_ledger p;
    p.add(command(controller("dash", "s1"), "c-1", "pump-1"), 10);
    EXPECT_EQ(p.take("ops", "c-1", "pump-1", "dev-s", ok, t0).status, take_status::unknown);
    EXPECT_EQ(p.take("dash", "c-2", "pump-1", "dev-s", ok, t0).status, take_status::unknown);
    EXPECT_EQ(p.size(), 1u);
}

TEST(CommandLedger, SecondTakeFails) {
    command_ledger p;
    p.add(command(controller("dash", "s1"), "c-1", "pump-1"), 10);
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "dev-s", ok, t0).status, take_status::found);
    auto again = p.take("dash", "c-1", "pump-1", "dev-s", ok, t0);
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
    auto r = p.take("dash", "c-1", "pump-1", "dev-s", ok, t0);
    EXPECT_EQ(r.status, take_status::late);
    EXPECT_FALSE(r.command.has_value());
    // Only the device the command went to is told it is late.
    EXPECT_EQ(p.take("dash", "c-1", "pump-2", "dev-s", ok, t0).status, take_status::unknown);
}

TEST(CommandLedger, TakenCommandDoesNotExpire) {
    command_ledger p;
    p.add(command(controller("dash", "s1"), "c-1", "pump-1", 100ms), 10);
    ASSERT_EQ(p.take("dash", "c-1", "pump-1", "dev-s", ok, t0).status, take_status::found);
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
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "dev-s", ok, t0).status, take_status::unknown);
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
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "dev-s", ok, t0).status, take_status::unknown);
    EXPECT_EQ(p.take("dash", "c-3", "pump-1", "dev-s", ok, t0).status, take_status::found);
    EXPECT_EQ(p.take("ops", "c-1", "pump-1", "dev-s", ok, t0).status, take_status::found);
    EXPECT_EQ(p.take("dash2", "c-1", "pump-1", "dev-s", ok, t0).status, take_status::found);
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
    EXPECT_EQ(p.take("dash", "a", "pump-1", "dev-s", ok, t0).status, take_status::unknown);
    EXPECT_EQ(p.take("dash\na", "b", "pump-1", "dev-s", ok, t0).status, take_status::unknown);
    EXPECT_EQ(p.take("dash", "a\nb", "pump-1", "dev-s", ok, t0).status, take_status::found);
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
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "second", ok, t0).status, take_status::unknown);
    EXPECT_TRUE(p.is_pending("dash", "c-1", "pump-1", "first"));
    // The device left: a next session's answer is late, and says why.
    ASSERT_EQ(p.take_device(*device("pump-1", "first")).size(), 1u);
    auto late = p.take("dash", "c-1", "pump-1", "second", ok, t0);
    EXPECT_EQ(late.status, take_status::late);
    EXPECT_EQ(late.ended, command_state::device_disconnected);
    EXPECT_EQ(p.size(), 0u);
}

TEST(CommandLedger, MovedCommandsBelongToTheNewSession) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1", 1000ms, t0, "first"), 10);
    p.add(command(dash, "c-2", "pump-1", 1000ms, t0, "first"), 10);
    EXPECT_EQ(p.move_device(*device("pump-1", "first"), *device("pump-1", "second")), 2u);
    EXPECT_FALSE(p.is_pending("dash", "c-1", "pump-1", "first"));
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "second", ok, t0).status, take_status::found);
    EXPECT_TRUE(p.take_device(*device("pump-1", "first")).empty());
    auto ended = p.take_device(*device("pump-1", "second"));
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].id, "c-2");
}

// --- states (status) ---

std::optional<command_state> state_of(const command_ledger& p, std::string_view controller,
                                      std::string_view id, steady_time now = t0) {
    auto st = p.status(controller, id, now);
    if (!st) return std::nullopt;
    return st->state;
}

TEST(CommandLedger, ACommandInFlightIsSentToItsDevice) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    EXPECT_FALSE(p.status("dash", "c-1", t0));
    p.add(command(dash, "c-1", "pump-1"), 10);
    auto st = p.status("dash", "c-1", t0);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->state, command_state::sent);
    EXPECT_EQ(st->device, "pump-1");
}

TEST(CommandLedger, AnAnswerEndsItAsSucceededOrFailed) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1"), 10);
    p.add(command(dash, "c-2", "pump-2"), 10);
    ASSERT_EQ(p.take("dash", "c-1", "pump-1", "dev-s", command_state::succeeded, t0).status,
              take_status::found);
    ASSERT_EQ(p.take("dash", "c-2", "pump-2", "dev-s", command_state::failed, t0).status,
              take_status::found);
    auto one = p.status("dash", "c-1", t0 + 1ms);
    ASSERT_TRUE(one);
    EXPECT_EQ(one->state, command_state::succeeded);
    EXPECT_EQ(one->device, "pump-1");
    auto two = p.status("dash", "c-2", t0 + 1ms);
    ASSERT_TRUE(two);
    EXPECT_EQ(two->state, command_state::failed);
    EXPECT_EQ(two->device, "pump-2");
    EXPECT_EQ(p.size(), 0u);
    EXPECT_EQ(p.ended_size(), 2u);
}

TEST(CommandLedger, ASecondAnswerAfterSuccessIsUnknownNotLate) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1"), 10);
    ASSERT_EQ(p.take("dash", "c-1", "pump-1", "dev-s", ok, t0).status, take_status::found);
    EXPECT_EQ(p.take("dash", "c-1", "pump-1", "dev-s", ok, t0).status, take_status::unknown);
    EXPECT_EQ(state_of(p, "dash", "c-1"), command_state::succeeded);
}

TEST(CommandLedger, ATimeoutAndADeviceThatLeftAreRemembered) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1", 100ms), 10);
    p.add(command(dash, "c-2", "pump-2", 1000ms, t0, "gone"), 10);
    ASSERT_EQ(p.take_expired(t0 + 100ms).size(), 1u);
    ASSERT_EQ(p.take_device(*device("pump-2", "gone")).size(), 1u);
    EXPECT_EQ(state_of(p, "dash", "c-1", t0 + 300ms), command_state::timeout);
    EXPECT_EQ(state_of(p, "dash", "c-2", t0 + 300ms), command_state::device_disconnected);
    EXPECT_EQ(p.status("dash", "c-2", t0 + 300ms)->device, "pump-2");
}

TEST(CommandLedger, AnotherControllersCommandIsUnknown) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1"), 10);
    p.add(command(dash, "c-2", "pump-1"), 10);
    ASSERT_EQ(p.take("dash", "c-2", "pump-1", "dev-s", ok, t0).status, take_status::found);
    EXPECT_FALSE(p.status("ops", "c-1", t0));
    EXPECT_FALSE(p.status("ops", "c-2", t0));
    EXPECT_FALSE(p.status("dash\nc", "1", t0));
}

TEST(CommandLedger, DroppedAndWithdrawnCommandsAreForgotten) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1"), 10);
    p.add(command(dash, "c-2", "pump-1"), 10);
    ASSERT_TRUE(p.cancel("dash", "c-1"));
    ASSERT_EQ(p.drop_controller(*dash), 1u);
    EXPECT_FALSE(p.status("dash", "c-1", t0));
    EXPECT_FALSE(p.status("dash", "c-2", t0));
    EXPECT_EQ(p.ended_size(), 0u);
}

TEST(CommandLedger, AReusedIdShowsItsLatestCommand) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1", 100ms), 10);
    ASSERT_EQ(p.take_expired(t0 + 100ms).size(), 1u);
    ASSERT_EQ(p.add(command(dash, "c-1", "pump-2", 100ms, t0 + 200ms), 10), add_result::added);
    auto st = p.status("dash", "c-1", t0 + 200ms);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->state, command_state::sent);
    EXPECT_EQ(st->device, "pump-2");
    ASSERT_EQ(p.take("dash", "c-1", "pump-2", "dev-s", command_state::failed, t0 + 250ms).status,
              take_status::found);
    EXPECT_EQ(state_of(p, "dash", "c-1", t0 + 250ms), command_state::failed);
    // The older end's place in the memory no longer speaks for the key.
    EXPECT_EQ(p.ended_size(), 1u);
}

TEST(CommandLedger, EndedCommandsAreForgottenAfterTheWindow) {
    command_ledger p(ledger_limits{100, 1000ms});
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1"), 10);
    ASSERT_EQ(p.take("dash", "c-1", "pump-1", "dev-s", ok, t0).status, take_status::found);
    EXPECT_EQ(state_of(p, "dash", "c-1", t0 + 1000ms), command_state::succeeded);
    // Past the window the answer is unknown even before the memory is swept...
    EXPECT_FALSE(p.status("dash", "c-1", t0 + 1001ms));
    EXPECT_EQ(p.ended_size(), 1u);
    // ...and the sweep (every expiry pass) frees it.
    EXPECT_TRUE(p.take_expired(t0 + 1001ms).empty());
    EXPECT_EQ(p.ended_size(), 0u);
}

TEST(CommandLedger, EndedMemoryIsBoundedInCountPerShard) {
    const std::size_t per_shard = 8;
    command_ledger p(ledger_limits{per_shard, 3600s});
    auto dash = controller("dash", "s1");  // one controller: one shard
    for (int i = 0; i < 100; ++i) {
        const std::string id = "c-" + std::to_string(i);
        ASSERT_EQ(p.add(command(dash, id, "pump-1"), 1000), add_result::added);
        ASSERT_EQ(p.take("dash", id, "pump-1", "dev-s", ok, t0).status, take_status::found);
    }
    EXPECT_EQ(p.ended_size(), per_shard);
    EXPECT_FALSE(p.status("dash", "c-91", t0));
    EXPECT_EQ(state_of(p, "dash", "c-92"), command_state::succeeded);
    EXPECT_EQ(state_of(p, "dash", "c-99"), command_state::succeeded);
    // Many controllers: every shard holds at most its cap.
    for (int i = 0; i < 2000; ++i) {
        auto c = controller("ctl-" + std::to_string(i), "s");
        p.add(command(c, "x", "pump-1"), 10);
        p.take(c->id, "x", "pump-1", "dev-s", ok, t0);
    }
    EXPECT_LE(p.ended_size(), per_shard * 16);
}

TEST(CommandLedger, ALateAnswerIsLateOnlyFromItsDevice) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1", 100ms), 10);
    ASSERT_EQ(p.take_expired(t0 + 100ms).size(), 1u);
    EXPECT_EQ(p.take("dash", "c-1", "pump-2", "dev-s", ok, t0).status, take_status::unknown);
    auto late = p.take("dash", "c-1", "pump-1", "dev-s", ok, t0);
    EXPECT_EQ(late.status, take_status::late);
    EXPECT_EQ(late.ended, command_state::timeout);
    // A late answer does not change how it ended.
    EXPECT_EQ(state_of(p, "dash", "c-1", t0 + 100ms), command_state::timeout);
}

TEST(CommandLedger, ClearForgetsEndedCommandsToo) {
    command_ledger p;
    auto dash = controller("dash", "s1");
    p.add(command(dash, "c-1", "pump-1"), 10);
    p.add(command(dash, "c-2", "pump-1"), 10);
    p.take("dash", "c-1", "pump-1", "dev-s", ok, t0);
    p.clear();
    EXPECT_EQ(p.size(), 0u);
    EXPECT_EQ(p.ended_size(), 0u);
    EXPECT_FALSE(p.status("dash", "c-1", t0));
    EXPECT_FALSE(p.status("dash", "c-2", t0));
}

TEST(CommandState, WireNames) {
    EXPECT_EQ(to_string(command_state::sent), "sent");
    EXPECT_EQ(to_string(command_state::succeeded), "succeeded");
    EXPECT_EQ(to_string(command_state::failed), "failed");
    EXPECT_EQ(to_string(command_state::timeout), "timeout");
    EXPECT_EQ(to_string(command_state::device_disconnected), "device_disconnected");
    EXPECT_FALSE(is_terminal(command_state::sent));
    EXPECT_TRUE(is_terminal(command_state::timeout));
}

// The queue: release, expiry and cancel each take a command out once; on
// four threads at once over the same commands, every one ends exactly once.
TEST(CommandLedger, QueuedCommandsEndOnceWhenReleaseExpiryAndCancelRace) {
    for (int round = 0; round < 20; ++round) {
        command_ledger ledger;
        auto dash = controller("dash", "s1");
        const queue_limits limits{1000, 1u << 24};
        constexpr int n = 400;
        for (int i = 0; i < n; ++i) {
            ASSERT_EQ(ledger.enqueue(queued(dash, "q-" + std::to_string(i), "pump-1",
                                            std::chrono::milliseconds(1 + i % 50)),
                                     limits),
                      command_ledger::enqueue_result::queued);
        }
        std::atomic<int> released{0}, expired{0}, cancelled{0};
        std::thread releaser([&] {
            auto pump = device_session("pump-1", "dev-s");
            released += static_cast<int>(
                ledger.release(*pump, t0 + 25ms, [](const client_ptr& c) { return c; }).size());
        });
        std::thread expirer([&] {
            for (int ms = 0; ms <= 50; ms += 5) {
                expired += static_cast<int>(
                    ledger.take_expired_queued(t0 + std::chrono::milliseconds(ms)).size());
            }
        });
        std::thread canceller([&] {
            for (int i = 0; i < n; i += 3) {
                auto r = ledger.cancel_queued("dash", "q-" + std::to_string(i), t0 + 1ms);
                if (r.status == command_ledger::cancel_status::cancelled) ++cancelled;
            }
        });
        std::thread asker([&] {
            for (int i = 0; i < n; ++i) {
                EXPECT_TRUE(ledger.status("dash", "q-" + std::to_string(i), t0 + 1ms))
                    << "q-" << i << " was in neither place";
            }
        });
        releaser.join();
        expirer.join();
        canceller.join();
        asker.join();
        // Whatever is left (released after every expiry pass ran) expires now.
        expired += static_cast<int>(ledger.take_expired_queued(t0 + 1h).size());
        EXPECT_EQ(released + expired + cancelled, n);
        EXPECT_EQ(ledger.queued_size(), 0u);
        EXPECT_EQ(ledger.queued_bytes(), 0u);
        EXPECT_EQ(ledger.size(), static_cast<std::size_t>(released.load()));
    }
}

TEST(CommandLedger, QueueIsBoundedPerDeviceAndInBytes) {
    command_ledger ledger;
    auto dash = controller("dash", "s1");
    // Every command here holds the same bytes: the cap lets three in, not four.
    const std::size_t one = queued(dash, "a", "pump-1", 1s).bytes();
    const queue_limits limits{2, 4 * one - 1};
    using r = command_ledger::enqueue_result;
    EXPECT_EQ(ledger.enqueue(queued(dash, "a", "pump-1", 1s), limits), r::queued);
    EXPECT_EQ(ledger.enqueue(queued(dash, "a", "pump-2", 1s), limits), r::duplicate_id);
    EXPECT_EQ(ledger.enqueue(queued(dash, "b", "pump-1", 1s), limits), r::queued);
    EXPECT_EQ(ledger.enqueue(queued(dash, "c", "pump-1", 1s), limits), r::device_full);
    EXPECT_EQ(ledger.queued_bytes(), 2 * one);
    EXPECT_EQ(ledger.enqueue(queued(dash, "d", "pump-2", 1s), limits), r::queued);
    EXPECT_EQ(ledger.enqueue(queued(dash, "e", "pump-3", 1s), limits), r::gateway_full);
    EXPECT_EQ(ledger.queued_size(), 3u);
    // An ID queued is as taken for add() as one in flight, and the reverse.
    EXPECT_EQ(ledger.add(command(dash, "b", "pump-3"), 10), add_result::duplicate_id);
    EXPECT_EQ(ledger.add(command(dash, "f", "pump-3"), 10), add_result::added);
    EXPECT_EQ(ledger.enqueue(queued(dash, "f", "pump-4", 1s), limits), r::duplicate_id);
}

}  // namespace
}  // namespace switchboard
