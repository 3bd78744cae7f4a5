// The bridge's broker watchdog, on a clock the test moves: a broker that
// stops answering is declared lost within one limit (plus a tick) whether
// publishes are waiting or the link is idle, and never while it answers.

#include "broker_watchdog.hpp"

#include <gtest/gtest.h>

using namespace switchboard;
using namespace std::chrono_literals;
using verdict = broker_watchdog::verdict;

namespace {

const broker_watchdog::clock::time_point t0 = broker_watchdog::clock::time_point{} + 1h;

}  // namespace

TEST(BrokerWatchdog, PublishesUnansweredForTheLimitMeanTheBrokerIsLost) {
    broker_watchdog w(2000ms);
    w.connected(t0);
    EXPECT_EQ(w.check(t0 + 500ms, true), verdict::fine);
    EXPECT_EQ(w.check(t0 + 1999ms, true), verdict::fine);
    EXPECT_EQ(w.check(t0 + 2000ms, true), verdict::lost);
}

TEST(BrokerWatchdog, AnAnswerRestartsTheSilence) {
    broker_watchdog w(2000ms);
    w.connected(t0);
    w.heard(t0 + 1500ms);
    EXPECT_EQ(w.check(t0 + 3000ms, true), verdict::fine);
    EXPECT_EQ(w.check(t0 + 3500ms, true), verdict::lost);
    // A late callback carrying an older time does not move the clock back.
    w.heard(t0 + 4000ms);
    w.heard(t0 + 100ms);
    EXPECT_EQ(w.check(t0 + 5000ms, true), verdict::fine);
}

TEST(BrokerWatchdog, AnIdleLinkIsProbedOnceThenLostIfTheProbeIsUnanswered) {
    broker_watchdog w(2000ms);
    w.connected(t0);
    EXPECT_EQ(w.check(t0 + 999ms, false), verdict::fine);
    EXPECT_EQ(w.check(t0 + 1000ms, false), verdict::probe);
    // One probe at a time.
    EXPECT_EQ(w.check(t0 + 1250ms, false), verdict::fine);
    EXPECT_EQ(w.check(t0 + 1999ms, false), verdict::fine);
    EXPECT_EQ(w.check(t0 + 2000ms, false), verdict::lost);
}

TEST(BrokerWatchdog, AnAnsweredProbeKeepsAnIdleLinkAlive) {
    broker_watchdog w(2000ms);
    w.connected(t0);
    auto now = t0;
    int probes = 0;
    // Ten minutes idle against a live broker that answers each probe in 5 ms.
    for (int i = 0; i < 2400; ++i) {  // 2,400 ticks of 250 ms
        now += w.tick();
        verdict v = w.check(now, false);
        ASSERT_NE(v, verdict::lost) << "at tick " << i;
        if (v == verdict::probe) {
            ++probes;
            w.heard(now + 5ms);
        }
    }
    // One probe per half limit of silence, rounded up to whole ticks (1.25 s
    // here): 480 in 600 s, never more than one per second.
    EXPECT_EQ(probes, 480);
}

TEST(BrokerWatchdog, AFrozenBrokerIsNoticedWithinTheLimitAndATick) {
    for (bool busy : {false, true}) {
        SCOPED_TRACE(busy ? "publishes waiting" : "idle");
        broker_watchdog w(2000ms);
        w.connected(t0);
        // Live for a while, then frozen just after its last answer.
        auto now = t0;
        for (int i = 0; i < 40; ++i) {
            now += w.tick();
            if (w.check(now, busy) == verdict::probe || busy) w.heard(now);
        }
        auto frozen_at = now;
        auto lost_at = frozen_at;
        for (int i = 0; i < 100; ++i) {
            now += w.tick();
            if (w.check(now, busy) == verdict::lost) {
                lost_at = now;
                break;
            }
        }
        ASSERT_GT(lost_at, frozen_at);
        EXPECT_LE(lost_at - frozen_at, w.limit() + w.tick());
    }
}

TEST(BrokerWatchdog, TickIsAnEighthOfTheLimitAtMostASecond) {
    EXPECT_EQ(broker_watchdog(2000ms).tick(), 250ms);
    EXPECT_EQ(broker_watchdog(30s).tick(), 1000ms);
    EXPECT_EQ(broker_watchdog(1s).tick(), 125ms);
}
