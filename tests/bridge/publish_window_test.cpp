// publish_window: never more than the window handed at once, handed in the
// order accepted, every acknowledgement frees one slot, and a new
// connection hands everything again from the oldest.

#include "publish_window.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <vector>

using switchboard::publish_window;

namespace {

using clock_type = publish_window::clock;

publish_window::entry frame(int n,
                            clock_type::time_point resend_until = clock_type::time_point::max()) {
    publish_window::entry e;
    e.topic = "sb/dev-" + std::to_string(n) + "/in";
    e.frame = std::make_shared<const std::string>(std::to_string(n));
    e.resend_until = resend_until;
    return e;
}

// Hands every frame the window admits; returns their sequence numbers.
std::vector<std::uint64_t> hand_all(publish_window& w) {
    std::vector<std::uint64_t> handed;
    for (;;) {
        auto [seq, e] = w.next();
        if (e == nullptr) return handed;
        w.handed(seq);
        handed.push_back(seq);
    }
}

// A window of two holding frames 1, 2 and 3, none handed yet.
struct three_in_a_window_of_two {
    three_in_a_window_of_two() { w.set_limit(2); }
    publish_window w;
    std::uint64_t a = w.add(frame(1));
    std::uint64_t b = w.add(frame(2));
    std::uint64_t c = w.add(frame(3));
};

}  // namespace

TEST(PublishWindow, ABurstPastTheWindowIsHandedInOrderAndNeverMoreThanTheWindow) {
    publish_window w;
    w.set_limit(19);
    std::vector<std::uint64_t> accepted;
    for (int i = 0; i < 500; ++i) accepted.push_back(w.add(frame(i)));

    // The broker acknowledges in a shuffled order within what it was given.
    std::mt19937 rng(7);
    std::vector<std::uint64_t> order;
    std::vector<std::uint64_t> outstanding;
    for (int round = 0; round < 10000 && !w.empty(); ++round) {
        for (std::uint64_t seq : hand_all(w)) {
            order.push_back(seq);
            outstanding.push_back(seq);
        }
        ASSERT_LE(w.handed_count(), 19u);
        ASSERT_EQ(w.handed_count(), outstanding.size());
        ASSERT_FALSE(outstanding.empty());
        std::size_t pick = rng() % outstanding.size();
        ASSERT_TRUE(w.acknowledged(outstanding[pick]));
        outstanding.erase(outstanding.begin() + static_cast<long>(pick));
    }
    EXPECT_TRUE(w.empty());
    EXPECT_EQ(order, accepted);  // each handed once, in the order accepted
}

TEST(PublishWindow, AnAcknowledgementFreesExactlyOneSlot) {
    auto [w, a, b, c] = three_in_a_window_of_two();
    EXPECT_EQ(hand_all(w), (std::vector<std::uint64_t>{a, b}));
    EXPECT_EQ(w.next().second, nullptr);  // full
    ASSERT_NE(w.find(c), nullptr);        // held, waiting
    EXPECT_EQ(w.handed_count(), 2u);
    ASSERT_TRUE(w.acknowledged(b));
    EXPECT_FALSE(w.acknowledged(b));  // twice: nothing more
    EXPECT_EQ(hand_all(w), (std::vector<std::uint64_t>{c}));
    EXPECT_EQ(w.handed_count(), 2u);
}

TEST(PublishWindow, ANewConnectionHandsEverythingAgainFromTheOldest) {
    publish_window w;
    w.set_limit(3);
    auto now = clock_type::now();
    auto a = w.add(frame(1, now - std::chrono::seconds(1)));  // past its resend window
    auto b = w.add(frame(2));
    auto c = w.add(frame(3));
    auto d = w.add(frame(4));
    auto e = w.add(frame(5));
    EXPECT_EQ(hand_all(w), (std::vector<std::uint64_t>{a, b, c}));
    auto counts = w.restart(now);
    EXPECT_EQ(counts.expired, 1u);
    EXPECT_EQ(counts.resent, 4u);
    EXPECT_EQ(w.handed_count(), 0u);
    EXPECT_EQ(hand_all(w), (std::vector<std::uint64_t>{b, c, d}));
    // The limit of the new connection applies (a broker may grant fewer).
    w.restart(now);
    w.set_limit(1);
    EXPECT_EQ(hand_all(w), (std::vector<std::uint64_t>{b}));
    ASSERT_TRUE(w.acknowledged(b));
    EXPECT_EQ(hand_all(w), (std::vector<std::uint64_t>{c}));
    (void)e;
}

TEST(PublishWindow, ASilentBrokerKeepsWhatItWasNotHanded) {
    auto [w, a, b, c] = three_in_a_window_of_two();
    hand_all(w);
    EXPECT_EQ(w.drop_handed(), 2u);
    EXPECT_EQ(w.find(a), nullptr);
    EXPECT_EQ(w.find(b), nullptr);
    ASSERT_NE(w.find(c), nullptr);
    w.restart(clock_type::now());
    EXPECT_EQ(hand_all(w), (std::vector<std::uint64_t>{c}));
}

TEST(PublishWindow, ALimitBelowOneIsOne) {
    publish_window w;
    w.set_limit(0);
    EXPECT_EQ(w.limit(), 1u);
    w.add(frame(1));
    w.add(frame(2));
    EXPECT_EQ(hand_all(w).size(), 1u);
}
