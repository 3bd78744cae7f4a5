// recovery_outbox: what is kept for an away controller, in which order it
// comes back, and what the window and the caps do. No sockets; time is passed in.

#include "core/recovery_outbox.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "fake_endpoint.hpp"
#include "memory_command_store.hpp"

namespace switchboard::testing {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

frame_ptr frame_of(const std::string& id) {
    return std::make_shared<const std::string>(
        json{{"type", "response"}, {"id", id}, {"ok", true}}.dump());
}

client_ptr controller(const std::string& id, const std::string& session) {
    auto record = std::make_shared<client_record>();
    record->id = id;
    record->role = client_role::controller;
    record->session = session;
    record->link = std::make_shared<fake_endpoint>();
    return record;
}

struct outbox_test : ::testing::Test {
    recovery_outbox box;
    recovery_limits limits;
    steady_time t0{std::chrono::hours(1)};
    std::int64_t wall0 = 1'800'000'000'000;

    // Attaches `c` at `at`, returning the IDs of what it was sent.
    std::vector<std::string> attach(const client_ptr& c, steady_time at,
                                    recovery_outbox::attach_result* result = nullptr) {
        std::vector<std::string> ids;
        auto r = box.attach(c, at, [&](const frame_ptr& f) {
            auto j = json::parse(*f);
            EXPECT_EQ(j.value("recovered", false), true) << *f;
            ids.push_back(j["id"]);
        });
        if (result) *result = r;
        return ids;
    }
};

TEST(MarkRecovered, AddsTheMarkAsTheLastMember) {
    auto marked = mark_recovered(frame_of("c-1"));
    auto j = json::parse(*marked);
    EXPECT_EQ(j["recovered"], true);
    EXPECT_EQ(j["id"], "c-1");
    EXPECT_EQ(json::parse(*mark_recovered(std::make_shared<const std::string>("{}"))),
              json({{"recovered", true}}));
}

TEST_F(outbox_test, AnAttachedControllerGetsItsOutcomesLive) {
    auto c = controller("dash", "s1");
    EXPECT_TRUE(attach(c, t0).empty());
    auto routed = box.route("dash", frame_of("c-1"), limits, t0, wall0);
    EXPECT_EQ(routed.how, recovery_outbox::routed::live);
    EXPECT_EQ(routed.to, c);
    EXPECT_EQ(box.kept_frames(), 0u);
}

TEST_F(outbox_test, AwayOutcomesComeBackInOrderOnceThenAreForgotten) {
    auto c = controller("dash", "s1");
    attach(c, t0);
    EXPECT_TRUE(box.leave(*c, limits.window, t0, wall0));
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(box.route("dash", frame_of("c-" + std::to_string(i)), limits, t0 + 1s, wall0).how,
                  recovery_outbox::routed::kept);
    }
    EXPECT_EQ(box.kept_frames(), 5u);
    EXPECT_GT(box.kept_bytes(), 0u);
    auto back = controller("dash", "s2");
    EXPECT_EQ(attach(back, t0 + 119s),
              (std::vector<std::string>{"c-0", "c-1", "c-2", "c-3", "c-4"}));
    EXPECT_EQ(box.kept_frames(), 0u);
    EXPECT_EQ(box.kept_bytes(), 0u);
    // Attached now: the next goes live, and a second connection gets nothing again.
    EXPECT_EQ(box.route("dash", frame_of("c-5"), limits, t0 + 120s, wall0).how,
              recovery_outbox::routed::live);
    EXPECT_TRUE(attach(controller("dash", "s3"), t0 + 121s).empty());
}

TEST_F(outbox_test, AfterTheWindowNothingComesBackAndTheWindowEndIsReported) {
    auto c = controller("dash", "s1");
    attach(c, t0);
    box.leave(*c, limits.window, t0, wall0);
    box.route("dash", frame_of("c-1"), limits, t0 + 1s, wall0);
    box.route("dash", frame_of("c-2"), limits, t0 + 2s, wall0);
    EXPECT_TRUE(box.take_expired(t0 + 119s).empty());
    auto ended = box.take_expired(t0 + 120s);
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].controller, "dash");
    EXPECT_EQ(ended[0].discarded, 2u);
    EXPECT_TRUE(attach(controller("dash", "s2"), t0 + 121s).empty());
}

TEST_F(outbox_test, AReconnectPastTheWindowBeforeTheExpiryPassGetsNothing) {
    auto c = controller("dash", "s1");
    attach(c, t0);
    box.leave(*c, limits.window, t0, wall0);
    box.route("dash", frame_of("c-1"), limits, t0 + 1s, wall0);
    recovery_outbox::attach_result result;
    EXPECT_TRUE(attach(controller("dash", "s2"), t0 + 121s, &result).empty());
    EXPECT_EQ(result.discarded, 1u);
    EXPECT_TRUE(box.take_expired(t0 + 200s).empty());
}

TEST_F(outbox_test, AnOldConnectionLeavingDoesNotDetachTheNewOne) {
    auto old_one = controller("dash", "s1");
    auto new_one = controller("dash", "s2");
    attach(old_one, t0);
    attach(new_one, t0);  // took the ID over
    EXPECT_FALSE(box.leave(*old_one, limits.window, t0, wall0));
    EXPECT_EQ(box.route("dash", frame_of("c-1"), limits, t0, wall0).to, new_one);
}

TEST_F(outbox_test, WindowZeroKeepsNothing) {
    auto c = controller("dash", "s1");
    attach(c, t0);
    EXPECT_FALSE(box.leave(*c, 0ms, t0, wall0));
    EXPECT_TRUE(box.take_expired(t0 + 1h).empty());
}

TEST_F(outbox_test, TheCapsRefuseAndSaySo) {
    limits.per_controller = 3;
    auto c = controller("dash", "s1");
    attach(c, t0);
    box.leave(*c, limits.window, t0, wall0);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(box.route("dash", frame_of("c-" + std::to_string(i)), limits, t0, wall0).how,
                  recovery_outbox::routed::kept);
    }
    EXPECT_EQ(box.route("dash", frame_of("c-3"), limits, t0, wall0).how,
              recovery_outbox::routed::overflow);
    // The byte cap holds across IDs.
    limits.per_controller = 1000;
    limits.total_bytes = box.kept_bytes() + 10;
    EXPECT_EQ(box.route("other", frame_of("o-1"), limits, t0, wall0).how,
              recovery_outbox::routed::overflow);
    EXPECT_EQ(attach(controller("dash", "s2"), t0 + 1s),
              (std::vector<std::string>{"c-0", "c-1", "c-2"}));
    EXPECT_EQ(box.route("other", frame_of("o-1"), limits, t0, wall0).how,
              recovery_outbox::routed::kept);
}

TEST_F(outbox_test, AnIdNeverSeenGetsAWindowFromItsFirstOutcome) {
    // A command restored after a restart, its controller not back yet.
    EXPECT_EQ(box.route("dash", frame_of("c-1"), limits, t0, wall0).how,
              recovery_outbox::routed::kept);
    EXPECT_TRUE(box.take_expired(t0 + 119s).empty());
    EXPECT_EQ(box.take_expired(t0 + 120s).size(), 1u);
}

TEST_F(outbox_test, OutcomesDuringADrainFollowWhatWasKept) {
    auto c = controller("dash", "s1");
    attach(c, t0);
    box.leave(*c, limits.window, t0, wall0);
    box.route("dash", frame_of("c-1"), limits, t0, wall0);
    box.route("dash", frame_of("c-2"), limits, t0, wall0);
    auto back = controller("dash", "s2");
    std::vector<std::string> sent;
    bool injected = false;
    box.attach(back, t0 + 1s, [&](const frame_ptr& f) {
        sent.push_back(json::parse(*f)["id"]);
        // Another thread's outcome while the kept ones are being sent.
        if (!injected) {
            injected = true;
            EXPECT_EQ(box.route("dash", frame_of("c-3"), limits, t0 + 1s, wall0).how,
                      recovery_outbox::routed::queued);
        }
    });
    EXPECT_EQ(sent, (std::vector<std::string>{"c-1", "c-2", "c-3"}));
    EXPECT_EQ(box.route("dash", frame_of("c-4"), limits, t0 + 1s, wall0).how,
              recovery_outbox::routed::live);
}

TEST_F(outbox_test, KeptOutcomesAreStoredAndRestoredWithTheirDeadline) {
    memory_command_store store;
    box.set_store(&store);
    auto c = controller("dash", "s1");
    attach(c, t0);
    box.leave(*c, limits.window, t0, wall0);
    box.route("dash", frame_of("c-1"), limits, t0 + 1s, wall0 + 1000);
    box.route("dash", frame_of("c-2"), limits, t0 + 2s, wall0 + 2000);
    box.route("gone", frame_of("g-1"), limits, t0, wall0 - 200'000);
    store.commit();
    ASSERT_EQ(store.outcomes().size(), 3u);
    EXPECT_EQ(store.outcomes()[0].deadline_ms, wall0 + 120'000);

    // A restart 60 s later: "gone"'s window ended while the gateway was down.
    recovery_outbox after;
    after.set_store(&store);
    steady_time t1{std::chrono::hours(5)};
    auto restored = after.restore(store.load_outcomes(), t1, wall0 + 60'000);
    EXPECT_EQ(restored.kept, 2u);
    EXPECT_EQ(restored.expired, 1u);
    store.commit();
    EXPECT_EQ(store.outcomes().size(), 2u);
    std::vector<std::string> ids;
    after.attach(controller("dash", "s2"), t1 + 59s,
                 [&](const frame_ptr& f) { ids.push_back(json::parse(*f)["id"]); });
    EXPECT_EQ(ids, (std::vector<std::string>{"c-1", "c-2"}));
    store.commit();
    EXPECT_TRUE(store.outcomes().empty());
}

TEST_F(outbox_test, RestoredOutcomesExpireAtTheirStoredDeadline) {
    memory_command_store store;
    store.keep_outcome({"dash", *mark_recovered(frame_of("c-1")), wall0 + 10'000});
    store.commit();
    box.set_store(&store);
    box.restore(store.load_outcomes(), t0, wall0);
    EXPECT_TRUE(box.take_expired(t0 + 9s).empty());
    auto ended = box.take_expired(t0 + 10s);
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].discarded, 1u);
    store.commit();
    EXPECT_TRUE(store.outcomes().empty());
}

// A connection that records frame IDs, from any thread.
class recording_endpoint final : public endpoint {
public:
    bool deliver(frame_ptr frame) override {
        auto id = json::parse(*frame)["id"].get<std::string>();
        std::lock_guard lock(mutex_);
        ids_.push_back(std::stoi(id));
        return true;
    }
    void close(unsigned short, std::string_view) override {}
    std::vector<int> ids() const {
        std::lock_guard lock(mutex_);
        return ids_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<int> ids_;
};

TEST(RecoveryOutbox, RacingReconnectsLoseNoOutcomeAndKeepTheOrder) {
    recovery_outbox box;
    recovery_limits limits;
    limits.per_controller = 100000;
    const steady_time t0{std::chrono::hours(1)};
    constexpr int frames = 20000;
    std::vector<std::shared_ptr<recording_endpoint>> links;
    auto connect = [&](int n) {
        auto record = std::make_shared<client_record>();
        record->id = "dash";
        record->role = client_role::controller;
        record->session = "s" + std::to_string(n);
        auto link = std::make_shared<recording_endpoint>();
        record->link = link;
        links.push_back(link);
        return client_ptr(record);
    };
    client_ptr current = connect(0);
    box.attach(current, t0, [&](const frame_ptr& f) { current->link->deliver(f); });
    std::thread outcomes([&] {
        for (int i = 0; i < frames; ++i) {
            frame_ptr f = frame_of(std::to_string(i));
            auto routed = box.route("dash", f, limits, t0, 0);
            if (routed.how == recovery_outbox::routed::live) routed.to->link->deliver(f);
        }
    });
    for (int n = 1; n < 300; ++n) {
        box.leave(*current, limits.window, t0, 0);
        current = connect(n);
        box.attach(current, t0, [&](const frame_ptr& f) { current->link->deliver(f); });
    }
    outcomes.join();
    box.leave(*current, limits.window, t0, 0);
    current = connect(300);
    box.attach(current, t0, [&](const frame_ptr& f) { current->link->deliver(f); });

    std::vector<int> seen(frames, 0);
    for (const auto& link : links) {
        auto ids = link->ids();
        EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
        for (int id : ids) ++seen[static_cast<std::size_t>(id)];
    }
    for (int i = 0; i < frames; ++i) ASSERT_EQ(seen[static_cast<std::size_t>(i)], 1) << i;
    EXPECT_EQ(box.kept_frames(), 0u);
}

}  // namespace
}  // namespace switchboard::testing
