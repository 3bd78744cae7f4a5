// The idle rule both wires keep: only data and the answer to our ping count.

#include "core/keep_alive.hpp"

#include <gtest/gtest.h>

using switchboard::keep_alive;
using action = keep_alive::action;

TEST(KeepAlive, AQuietPeerIsPingedThenCutOff) {
    keep_alive k;
    EXPECT_EQ(k.tick(), action::ping);
    EXPECT_EQ(k.tick(), action::time_out);
}

TEST(KeepAlive, DataKeepsAPeerOpen) {
    keep_alive k;
    for (int i = 0; i < 5; ++i) {
        k.heard_data();
        EXPECT_EQ(k.tick(), action::wait);
    }
}

TEST(KeepAlive, ThePongToOurPingIsActivity) {
    keep_alive k;
    EXPECT_EQ(k.tick(), action::ping);
    EXPECT_TRUE(k.answers_ping());
    EXPECT_EQ(k.tick(), action::wait);
    EXPECT_EQ(k.tick(), action::ping);
}

TEST(KeepAlive, UnsolicitedPongsShowNothing) {
    keep_alive k;
    EXPECT_FALSE(k.answers_ping());  // charged by the caller
    EXPECT_EQ(k.tick(), action::ping);
    EXPECT_TRUE(k.answers_ping());
    EXPECT_EQ(k.tick(), action::wait);
    EXPECT_FALSE(k.answers_ping());
    EXPECT_FALSE(k.answers_ping());
    EXPECT_EQ(k.tick(), action::ping);
    EXPECT_EQ(k.tick(), action::time_out);
}

TEST(KeepAlive, DataThePeerTookWhileWeDidNotReadItKeepsItOpen) {
    // Read backpressure: its pong waits unread behind its other frames, but
    // our writes leaving show it reads.
    keep_alive k;
    EXPECT_EQ(k.tick(), action::ping);
    k.peer_took_data();
    EXPECT_EQ(k.tick(), action::wait);
    EXPECT_EQ(k.tick(), action::ping);
    EXPECT_EQ(k.tick(), action::time_out);  // then it took nothing
}
