// handoff_queue: one wake-up per batch, items in push order, nothing lost
// across threads.

#include "handoff_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using switchboard::handoff_queue;

TEST(HandoffQueue, OnlyTheFirstPushSinceATakeWakes) {
    handoff_queue<int> q;
    EXPECT_TRUE(q.push(1));
    EXPECT_FALSE(q.push(2));
    EXPECT_FALSE(q.push(3));
    std::vector<int> batch;
    q.take(batch);
    EXPECT_EQ(batch, (std::vector<int>{1, 2, 3}));
    EXPECT_TRUE(q.push(4));
    q.take(batch);
    EXPECT_EQ(batch, (std::vector<int>{4}));
    q.take(batch);
    EXPECT_TRUE(batch.empty());
    EXPECT_TRUE(q.push(5));
}

TEST(HandoffQueue, QuietItemsWakeOnlyWhileEager) {
    handoff_queue<int> q;
    std::vector<int> batch;
    // Eager (the default): a quiet push wakes like push().
    EXPECT_TRUE(q.push_quiet(1));
    EXPECT_FALSE(q.push_quiet(2));
    q.take(batch);
    EXPECT_EQ(batch, (std::vector<int>{1, 2}));
    // Not eager: quiet items wait, and a push() still wakes and takes them along.
    EXPECT_FALSE(q.set_eager(false));
    EXPECT_FALSE(q.push_quiet(3));
    EXPECT_FALSE(q.push_quiet(4));
    EXPECT_TRUE(q.push(5));
    EXPECT_FALSE(q.push_quiet(6));
    q.take(batch);
    EXPECT_EQ(batch, (std::vector<int>{3, 4, 5, 6}));
    // Turning eager with quiet items waiting and no wake-up on its way: the
    // consumer must take them now, and only one wake-up is asked for.
    EXPECT_FALSE(q.push_quiet(7));
    EXPECT_TRUE(q.set_eager(true));
    EXPECT_FALSE(q.set_eager(true));
    EXPECT_FALSE(q.push_quiet(8));
    q.take(batch);
    EXPECT_EQ(batch, (std::vector<int>{7, 8}));
    // Eager again with nothing waiting: nothing to take.
    EXPECT_FALSE(q.set_eager(true));
    EXPECT_TRUE(q.push_quiet(9));
}

// Producers on several threads, one consumer woken only when a push said so:
// every item arrives once, each producer's in its order.
TEST(HandoffQueue, EveryItemArrivesOnceInEachProducersOrder) {
    constexpr int producers = 4;
    constexpr int per_producer = 20000;
    handoff_queue<std::pair<int, int>> q;
    std::atomic<int> wakes{0};
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p) {
        threads.emplace_back([&, p] {
            for (int i = 0; i < per_producer; ++i) {
                if (q.push({p, i})) wakes.fetch_add(1);
            }
        });
    }
    std::vector<int> next(producers, 0);
    int received = 0;
    std::vector<std::pair<int, int>> batch;
    int taken_wakes = 0;
    // Bounded: every item is pushed within the producers' lifetime.
    for (int spins = 0; received < producers * per_producer && spins < 100'000'000; ++spins) {
        if (wakes.load() == taken_wakes) continue;  // not woken: nothing to take
        ++taken_wakes;
        q.take(batch);
        for (auto [p, i] : batch) {
            ASSERT_EQ(i, next[p]) << "producer " << p;
            ++next[p];
            ++received;
        }
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(received, producers * per_producer);
    EXPECT_LE(wakes.load(), received);
}
