// A connection's write side (core/outbound): every state change, the bound
// and what each batch carries, without a socket. The wire's part is played
// by take()/written(); "start" answers say who starts the writer.

#include "core/outbound.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <random>
#include <string>

using switchboard::frame_ptr;
using switchboard::outbound;
using pushed = outbound::pushed;
using state = outbound::state;

namespace {

frame_ptr frame(std::size_t bytes, char fill = 'f') {
    return std::make_shared<const std::string>(bytes, fill);
}

// What the wire took for one write.
struct batch {
    std::array<frame_ptr, 31> frames;
    std::size_t count = 0;
    std::string control;
    std::string close;
    bool close_follows = false;
};

batch take(outbound& out) {
    batch b;
    b.count = out.take(b.frames, b.control, b.close, b.close_follows);
    return b;
}

// Past the upgrade's answer: idle, as a connection is once it is open.
outbound opened(std::size_t max_bytes = 1000, std::size_t max_frames = 100) {
    outbound out(max_bytes, max_frames);
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.current(), state::idle);
    return out;
}

std::string control_frame(unsigned char op, const std::string& payload) {
    std::string f;
    f += static_cast<char>(0x80 | op);
    f += static_cast<char>(payload.size());
    return f + payload;
}

}  // namespace

TEST(Outbound, StartsWritingTheUpgradeAnswerAndTakesWhatCameMeanwhile) {
    outbound out(1000, 100);
    EXPECT_EQ(out.current(), state::writing);
    EXPECT_EQ(out.push(frame(10)), pushed::queued);  // the answer's write is out: no second writer
    EXPECT_TRUE(out.written());
    batch b = take(out);
    EXPECT_EQ(b.count, 1u);
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.current(), state::idle);
}

TEST(Outbound, AFrameWhileIdleStartsTheWriterOnce) {
    outbound out = opened();
    EXPECT_EQ(out.push(frame(10)), pushed::start);
    EXPECT_EQ(out.current(), state::writing);
    EXPECT_EQ(out.push(frame(20)), pushed::queued);
    batch b = take(out);
    ASSERT_EQ(b.count, 2u);
    EXPECT_EQ(b.frames[1]->size(), 20u);
    EXPECT_TRUE(b.control.empty());
    EXPECT_FALSE(b.close_follows);
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.current(), state::idle);
    EXPECT_EQ(out.push(frame(10)), pushed::start);
}

TEST(Outbound, FramesCountAgainstTheBoundUntilWritten) {
    outbound out = opened();
    out.push(frame(100));
    out.push(frame(50));
    EXPECT_EQ(out.queued_bytes(), 150u);
    take(out);
    EXPECT_EQ(out.queued_bytes(), 150u);  // taken is not written
    out.push(frame(25));                  // joins the next batch
    EXPECT_TRUE(out.written());
    EXPECT_EQ(out.queued_bytes(), 25u);
    EXPECT_EQ(out.queued_frames(), 1u);
    EXPECT_EQ(take(out).count, 1u);
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.queued_bytes(), 0u);
}

TEST(Outbound, ABatchTakesAtMostItsRoomAndTheRestFollows) {
    outbound out = opened(100000, 100);
    for (int i = 0; i < 40; ++i) out.push(frame(10));
    EXPECT_EQ(take(out).count, 31u);
    EXPECT_TRUE(out.written());
    EXPECT_EQ(take(out).count, 9u);
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.current(), state::idle);
}

TEST(Outbound, ReadsPauseOnlyPastHalfTheFrameBoundWhileAWriteIsOut) {
    outbound out = opened(100000, 100);
    for (int i = 0; i < 51; ++i) out.push(frame(10));
    EXPECT_TRUE(out.reads_should_pause());  // 51 > 100 / 2, the writer is out
    EXPECT_FALSE(out.reads_may_resume());
    take(out);  // 31 frames out, all 51 still counted
    EXPECT_TRUE(out.reads_should_pause());
    EXPECT_TRUE(out.written());  // 20 left: under a quarter
    EXPECT_FALSE(out.reads_should_pause());
    EXPECT_TRUE(out.reads_may_resume());
}

TEST(Outbound, ReadsPausePastHalfTheByteBoundAndResumeUnderAQuarter) {
    outbound out = opened(1000, 100);
    for (int i = 0; i < 6; ++i) out.push(frame(100));  // 600 > 1000 / 2
    EXPECT_TRUE(out.reads_should_pause());
    EXPECT_FALSE(out.reads_may_resume());
    std::array<frame_ptr, 3> three;
    std::string control, close;
    bool close_follows = false;
    out.take(three, control, close, close_follows);
    EXPECT_TRUE(out.written());  // 300 left: past a quarter, still paused
    EXPECT_FALSE(out.reads_should_pause());
    EXPECT_FALSE(out.reads_may_resume());
    out.take(three, control, close, close_follows);
    EXPECT_FALSE(out.written());  // nothing left: the writer is idle
    EXPECT_TRUE(out.reads_may_resume());
}

TEST(Outbound, AQueueTheWriterIsNotOnNeverPausesReads) {
    // Between a push and the writer's start, or once the writer has stopped
    // (closed, shut), a long queue is no reason to stop reading: nothing
    // would read again.
    outbound out = opened(100000, 10);
    out.push(frame(10));  // starts the writer
    for (int i = 0; i < 8; ++i) out.push(frame(10));
    EXPECT_TRUE(out.reads_should_pause());
    out.abort();
    EXPECT_FALSE(out.reads_should_pause());
    EXPECT_TRUE(out.reads_may_resume());
}

TEST(Outbound, OverTheByteBoundShutsOnceAndDropsTheQueue) {
    outbound out = opened(100);
    EXPECT_EQ(out.push(frame(60)), pushed::start);
    EXPECT_EQ(out.push(frame(60)), pushed::overflow);
    EXPECT_EQ(out.current(), state::shut);
    EXPECT_EQ(out.queued_bytes(), 0u);
    EXPECT_EQ(out.queued_frames(), 0u);
    // One clear end: later frames are refused, never a second overflow.
    EXPECT_EQ(out.push(frame(1)), pushed::refused);
    EXPECT_FALSE(out.close(1000, "bye"));
    EXPECT_EQ(out.push_ping(), pushed::refused);
    EXPECT_EQ(out.push_pong("p"), pushed::refused);
    // The write that was out when it overflowed ends with nothing more.
    EXPECT_EQ(take(out).count, 0u);
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.current(), state::shut);
}

TEST(Outbound, OverTheFrameBoundShutsToo) {
    outbound out = opened(100000, 3);
    for (int i = 0; i < 3; ++i) EXPECT_NE(out.push(frame(1)), pushed::overflow);
    EXPECT_EQ(out.push(frame(1)), pushed::overflow);
    EXPECT_EQ(out.current(), state::shut);
}

TEST(Outbound, TheBoundRisesAtRegister) {
    outbound out = opened(100);
    out.set_max_bytes(1000);
    EXPECT_EQ(out.push(frame(600)), pushed::start);
}

TEST(Outbound, CloseWhileIdleStartsTheWriterAndSendsOnlyTheClose) {
    outbound out = opened();
    EXPECT_TRUE(out.close(1000, "bye"));
    EXPECT_EQ(out.current(), state::close_queued);
    EXPECT_EQ(out.push(frame(10)), pushed::refused);
    batch b = take(out);
    EXPECT_EQ(b.count, 0u);
    ASSERT_TRUE(b.close_follows);
    EXPECT_EQ(b.close, control_frame(0x8, std::string("\x03\xe8", 2) + "bye"));
    EXPECT_EQ(out.close_code(), 1000);
    EXPECT_EQ(out.close_reason(), "bye");
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.current(), state::close_sent);
    EXPECT_FALSE(out.close(1001, "again"));
}

TEST(Outbound, CloseWhileWritingFollowsEveryFrameQueuedBeforeIt) {
    outbound out = opened(100000, 100);
    for (int i = 0; i < 40; ++i) out.push(frame(10));
    batch first = take(out);  // out on the socket
    EXPECT_EQ(first.count, 31u);
    EXPECT_FALSE(out.close(4000, "done"));  // a write is out: no second writer
    EXPECT_EQ(out.current(), state::close_queued);
    EXPECT_EQ(out.push(frame(10)), pushed::refused);
    EXPECT_TRUE(out.written());
    batch last = take(out);
    EXPECT_EQ(last.count, 9u);
    EXPECT_TRUE(last.close_follows);
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.current(), state::close_sent);
    EXPECT_EQ(out.queued_bytes(), 0u);
}

TEST(Outbound, TheCloseWaitsForTheBatchThatIsOut) {
    outbound out = opened();
    out.push(frame(10));
    take(out);
    out.close(1000, {});
    EXPECT_TRUE(out.written());  // the close is still to go
    batch b = take(out);
    EXPECT_EQ(b.count, 0u);
    EXPECT_TRUE(b.close_follows);
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.current(), state::close_sent);
}

TEST(Outbound, PingWhileIdleStartsTheWriter) {
    outbound out = opened();
    EXPECT_EQ(out.push_ping(), pushed::start);
    EXPECT_EQ(out.current(), state::writing);
    batch b = take(out);
    EXPECT_EQ(b.control, control_frame(0x9, ""));
    EXPECT_EQ(b.count, 0u);
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.current(), state::idle);
}

TEST(Outbound, PingWhileWritingGoesAheadOfTheNextFrames) {
    outbound out = opened();
    out.push(frame(10, 'a'));
    take(out);
    EXPECT_EQ(out.push_ping(), pushed::queued);
    out.push(frame(10, 'b'));
    EXPECT_TRUE(out.written());
    batch b = take(out);
    EXPECT_EQ(b.control, control_frame(0x9, ""));
    ASSERT_EQ(b.count, 1u);
    EXPECT_EQ((*b.frames[0])[0], 'b');
}

TEST(Outbound, PongWhileWritingJoinsTheNextBatchAndCountsUntilWritten) {
    outbound out = opened();
    out.push(frame(10));
    take(out);
    EXPECT_EQ(out.push_pong("hi"), pushed::queued);
    EXPECT_EQ(out.queued_bytes(), 14u);  // the frame out, and the pong: 2 + 2
    EXPECT_TRUE(out.written());
    EXPECT_EQ(out.queued_bytes(), 4u);
    batch b = take(out);
    EXPECT_EQ(b.control, control_frame(0xA, "hi"));
    EXPECT_EQ(out.queued_bytes(), 4u);  // until it has left
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.queued_bytes(), 0u);
}

TEST(Outbound, OnlyTheLatestPingIsAnswered) {
    outbound out = opened();
    EXPECT_EQ(out.push_pong("a"), pushed::start);
    EXPECT_EQ(out.push_pong("bb"), pushed::queued);
    EXPECT_EQ(out.queued_bytes(), 4u);
    EXPECT_EQ(take(out).control, control_frame(0xA, "bb"));
    // One pong owed and one being written, at most.
    EXPECT_EQ(out.push_pong("ccc"), pushed::queued);
    EXPECT_EQ(out.queued_bytes(), 9u);
    EXPECT_TRUE(out.written());
    EXPECT_EQ(take(out).control, control_frame(0xA, "ccc"));
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.queued_bytes(), 0u);
}

TEST(Outbound, APongOverTheBoundShuts) {
    outbound out = opened(100);
    EXPECT_EQ(out.push_pong(std::string(98, 'p')), pushed::start);  // 100 bytes: fits
    // Checked with the pong it would replace still counted.
    EXPECT_EQ(out.push_pong("x"), pushed::overflow);
    EXPECT_EQ(out.current(), state::shut);
    EXPECT_EQ(out.queued_bytes(), 0u);
}

TEST(Outbound, ClosingAnswersNoPingAndSendsNoPing) {
    outbound out = opened();
    out.close(1000, {});
    EXPECT_EQ(out.push_pong("p"), pushed::refused);
    EXPECT_EQ(out.push_ping(), pushed::refused);
    EXPECT_EQ(out.charge(10), pushed::refused);
    EXPECT_FALSE(out.want_write());
}

TEST(Outbound, CloseNowDropsTheFramesAndThePong) {
    outbound out = opened();
    out.push(frame(10));
    out.push(frame(10));
    out.push_pong("p");
    EXPECT_FALSE(out.close_now(1002, "bad frame"));  // the writer is already started
    EXPECT_EQ(out.queued_frames(), 0u);
    EXPECT_EQ(out.queued_bytes(), 0u);
    batch b = take(out);
    EXPECT_EQ(b.count, 0u);
    EXPECT_TRUE(b.control.empty());
    ASSERT_TRUE(b.close_follows);
    EXPECT_EQ(out.close_code(), 1002);
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.current(), state::close_sent);
}

TEST(Outbound, CloseNowWhileIdleStartsTheWriterAndCodeZeroHasNoStatus) {
    outbound out = opened();
    EXPECT_TRUE(out.close_now(0, {}));
    EXPECT_EQ(take(out).close, control_frame(0x8, ""));
}

TEST(Outbound, CloseNowDropsTheFramesOfABatchThatIsOut) {
    outbound out = opened();
    out.push(frame(10));
    take(out);  // out on the socket
    EXPECT_FALSE(out.close_now(1000, {}));
    EXPECT_EQ(out.queued_bytes(), 0u);
    EXPECT_TRUE(out.written());  // the close is still to go
    EXPECT_TRUE(take(out).close_follows);
    EXPECT_FALSE(out.written());
    EXPECT_EQ(out.current(), state::close_sent);
}

TEST(Outbound, CloseNowKeepsOurCloseQueuedBeforeIt) {
    outbound out = opened();
    out.push(frame(10));
    out.close(1001, "going away");
    EXPECT_FALSE(out.close_now(1000, {}));
    EXPECT_EQ(out.queued_frames(), 0u);
    batch b = take(out);
    EXPECT_EQ(b.count, 0u);
    EXPECT_TRUE(b.close_follows);
    EXPECT_EQ(out.close_code(), 1001);
    EXPECT_EQ(out.close_reason(), "going away");
}

TEST(Outbound, CloseNowAfterOurCloseHasLeftDoesNothing) {
    outbound out = opened();
    out.close(1000, {});
    take(out);
    out.written();
    EXPECT_FALSE(out.close_now(1000, {}));
    EXPECT_EQ(out.current(), state::close_sent);
}

TEST(Outbound, ShutDownOnlyOnceOurCloseHasLeft) {
    outbound out = opened();
    EXPECT_FALSE(out.shut_down());
    out.close(1000, {});
    EXPECT_FALSE(out.shut_down());
    take(out);
    EXPECT_FALSE(out.shut_down());  // being written
    out.written();
    EXPECT_TRUE(out.shut_down());
    EXPECT_EQ(out.current(), state::shut);
    EXPECT_FALSE(out.shut_down());  // once
    EXPECT_FALSE(out.written());
}

TEST(Outbound, AbortShutsFromEveryState) {
    for (int from = 0; from < 4; ++from) {
        outbound out = opened();
        if (from >= 1) out.push(frame(10));
        if (from >= 2) out.close(1000, {});
        if (from >= 3) {
            take(out);
            out.written();
            take(out);
            out.written();
            ASSERT_EQ(out.current(), state::close_sent);
        }
        out.abort();
        EXPECT_EQ(out.current(), state::shut) << from;
        EXPECT_EQ(out.queued_bytes(), 0u);
        EXPECT_EQ(take(out).count, 0u);
        EXPECT_FALSE(out.written());
        EXPECT_EQ(out.push(frame(1)), pushed::refused);
    }
}

TEST(Outbound, BytesOfTheWireKeepTheWriterGoing) {
    outbound out = opened();
    EXPECT_TRUE(out.want_write());  // TLS records while idle
    EXPECT_FALSE(out.want_write());
    EXPECT_EQ(take(out).count, 0u);
    EXPECT_TRUE(out.written(true));  // more records came meanwhile
    EXPECT_FALSE(out.written(false));
    EXPECT_EQ(out.current(), state::idle);
}

TEST(Outbound, APongTheWireSendsItselfIsCountedUntilReleased) {
    outbound out = opened(100);
    EXPECT_EQ(out.charge(60), pushed::queued);
    EXPECT_EQ(out.current(), state::idle);  // Beast writes it, not us
    EXPECT_EQ(out.push(frame(30)), pushed::start);
    out.release(60);
    EXPECT_EQ(out.queued_bytes(), 30u);
    EXPECT_EQ(out.charge(80), pushed::overflow);
    EXPECT_EQ(out.current(), state::shut);
}

// Random traffic from both sides: whatever the order, the bytes counted are
// those of the frames queued and the pongs owed or out, no frame is taken
// twice or after our close, and the state answers match "one writer".
TEST(Outbound, EveryPathKeepsOneWriterAndAnExactCount) {
    std::mt19937 random(12);
    for (int round = 0; round < 200; ++round) {
        outbound out(2000, 50);
        bool out_now = true;  // a write is out (the upgrade's answer at first)
        bool writer = true;   // someone is to start or run the writer
        bool closed = false;
        std::size_t taken_after_close = 0;
        int next_id = 0;
        int last_taken = -1;
        for (int step = 0; step < 300 && out.current() != state::shut; ++step) {
            switch (random() % 8) {
                case 0:
                case 1:
                case 2: {
                    auto f = std::make_shared<const std::string>(std::to_string(next_id++));
                    pushed p = out.push(f);
                    if (p == pushed::start) {
                        EXPECT_FALSE(writer);
                        writer = true;
                    }
                    if (p == pushed::refused) {
                        EXPECT_FALSE(out.open());
                    }
                    if (p != pushed::overflow && p != pushed::refused) {
                        EXPECT_FALSE(closed);
                    }
                    break;
                }
                case 3:
                    if (out.push_pong("pp") == pushed::start) {
                        EXPECT_FALSE(writer);
                        writer = true;
                    }
                    break;
                case 4:
                    if (random() % 4 == 0) {
                        if (out.close(1000, {})) {
                            EXPECT_FALSE(writer);
                            writer = true;
                        }
                        closed = closed || out.current() == state::close_queued;
                    }
                    break;
                default:
                    if (!writer) {
                        EXPECT_TRUE(out.current() == state::idle ||
                                    out.current() == state::close_sent);
                        break;
                    }
                    if (out_now) {
                        out_now = false;
                        writer = out.written();
                    } else {
                        batch b = take(out);
                        for (std::size_t i = 0; i < b.count; ++i) {
                            const int id = std::stoi(*b.frames[i]);
                            EXPECT_GT(id, last_taken);  // in order, never twice
                            last_taken = id;
                        }
                        if (b.close_follows) ++taken_after_close;
                        out_now = true;
                    }
                    break;
            }
            EXPECT_LE(taken_after_close, 1u);
            EXPECT_LE(out.queued_bytes(), 2000u);
        }
    }
}
