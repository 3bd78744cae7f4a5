// signal_reader: signals read from a signalfd on an io_context. Signals are
// sent to this thread only (pthread_kill), so the test binary's other
// threads, which do not block them, never see them.

#include "signal_reader.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <vector>

namespace switchboard {
namespace {

bool blocked_here(int signal) {
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, nullptr, &mask);
    return sigismember(&mask, signal) == 1;
}

TEST(SignalReader, ASignalSentBeforeTheReaderWaitsIsKeptAndEachKindComesOnce) {
    boost::asio::io_context io;
    std::vector<int> seen;
    {
        signal_reader signals(io, {SIGUSR1, SIGUSR2});
        EXPECT_TRUE(blocked_here(SIGUSR1));
        // Sent before anyone reads: with a handler-based design this is the
        // window where a signal could be lost or take the default action.
        pthread_kill(pthread_self(), SIGUSR1);
        pthread_kill(pthread_self(), SIGUSR1);  // the same kind, not yet read: one
        pthread_kill(pthread_self(), SIGUSR2);
        signals.start([&](int signal) {
            seen.push_back(signal);
            if (seen.size() == 2) signals.stop();
        });
        io.run_for(std::chrono::seconds(5));
        EXPECT_TRUE(io.stopped()) << "stop() left work on the io_context";
    }
    ASSERT_EQ(seen.size(), 2u);
    // The kernel hands pending signals over lowest number first.
    EXPECT_EQ(seen[0], SIGUSR1);
    EXPECT_EQ(seen[1], SIGUSR2);
    EXPECT_FALSE(blocked_here(SIGUSR1)) << "the destructor restores the thread's mask";
}

TEST(SignalReader, SignalsAfterStopAreLeftForTheNextReader) {
    boost::asio::io_context io;
    int calls = 0;
    {
        signal_reader signals(io, {SIGUSR1});
        signals.start([&](int) { ++calls; });
        signals.stop();
        pthread_kill(pthread_self(), SIGUSR1);
        io.run_for(std::chrono::milliseconds(200));
        EXPECT_EQ(calls, 0);
        // Still pending and blocked: a second reader takes it.
        boost::asio::io_context next_io;
        signal_reader next(next_io, {SIGUSR1});
        next.start([&](int signal) {
            EXPECT_EQ(signal, SIGUSR1);
            ++calls;
            next.stop();
        });
        next_io.run_for(std::chrono::seconds(5));
    }
    EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace switchboard
