#include "core/frame_queue.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>

namespace switchboard {
namespace {

frame_ptr frame(int n) { return std::make_shared<const std::string>(std::to_string(n)); }

TEST(FrameQueue, AnEmptyQueueHoldsNoMemory) {
    frame_queue q;
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.capacity(), 0u);
}

TEST(FrameQueue, FramesLeaveInTheOrderTheyCame) {
    frame_queue q;
    for (int i = 0; i < 5; ++i) q.push_back(frame(i));
    EXPECT_EQ(q.size(), 5u);
    std::array<frame_ptr, 3> first;
    q.copy_front(3, first.begin());
    EXPECT_EQ(*first[0], "0");
    EXPECT_EQ(*first[2], "2");
    for (int i = 0; i < 5; ++i) {
        ASSERT_FALSE(q.empty());
        EXPECT_EQ(*q.front(), std::to_string(i));
        q.pop_front();
    }
    EXPECT_TRUE(q.empty());
}

TEST(FrameQueue, APoppedFrameIsReleasedAtOnce) {
    frame_queue q;
    frame_ptr f = frame(1);
    std::weak_ptr<const std::string> watch = f;
    q.push_back(std::move(f));
    q.push_back(frame(2));
    q.pop_front();
    EXPECT_TRUE(watch.expired());
}

TEST(FrameQueue, SteadyTrafficKeepsTheBufferBounded) {
    // A busy session never drains: ten in, ten out, 10,000 times.
    frame_queue q;
    int next_in = 0, next_out = 0;
    for (int round = 0; round < 10'000; ++round) {
        for (int i = 0; i < 10; ++i) q.push_back(frame(next_in++));
        for (int i = 0; i < 9; ++i) {
            ASSERT_EQ(*q.front(), std::to_string(next_out++));
            q.pop_front();
        }
        if (q.size() > 20) {
            while (q.size() > 1) {
                ASSERT_EQ(*q.front(), std::to_string(next_out++));
                q.pop_front();
            }
        }
    }
    EXPECT_LE(q.capacity(), 64u);
}

TEST(FrameQueue, ADrainedQueueLetsALargeBufferGo) {
    frame_queue q;
    for (int i = 0; i < 1000; ++i) q.push_back(frame(i));
    while (!q.empty()) q.pop_front();
    EXPECT_EQ(q.capacity(), 0u);

    q.push_back(frame(1));
    q.pop_front();
    EXPECT_LE(q.capacity(), frame_queue::kept_capacity)
        << "a small buffer is kept for the next frame";
}

TEST(FrameQueue, ClearEmptiesIt) {
    frame_queue q;
    for (int i = 0; i < 3; ++i) q.push_back(frame(i));
    q.clear();
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.size(), 0u);
}

}  // namespace
}  // namespace switchboard
