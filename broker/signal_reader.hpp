#pragma once
// The process's control signals (SIGINT, SIGTERM, SIGHUP) read as data from
// a signalfd on an io_context, not caught by a signal handler.
//
// The constructor blocks the signals in the calling thread; every thread
// started after it (I/O threads, Paho's) inherits the mask, so the kernel
// keeps a signal pending until the reader takes it. Nothing runs in signal
// context, no thread's system call is interrupted by a SIGHUP, and a signal
// sent before the reader waits is kept, not lost. With asio's handler and
// self-pipe, a SIGTERM sent right after start-up was sometimes never acted on
// under ThreadSanitizer, which defers handlers to points it chooses (4 of
// 240 runs of Process.JsonLogLinesCarryAnIsoTimestampWithOffset).
//
// Construct it before any other thread starts. Not thread-safe: use it on
// its io_context's thread.

#include <signal.h>
#include <sys/signalfd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <initializer_list>

namespace switchboard {

class signal_reader {
public:
    // Throws std::system_error when the signalfd cannot be made.
    signal_reader(boost::asio::io_context& io, std::initializer_list<int> signals);
    // Closes the signalfd and restores the constructing thread's mask (the
    // signals stay blocked in threads started meanwhile).
    ~signal_reader();

    signal_reader(const signal_reader&) = delete;
    signal_reader& operator=(const signal_reader&) = delete;

    // Calls on_signal with each signal's number, in the order they come (one
    // call for several sends of the same signal before it is read), until
    // stop().
    void start(std::function<void(int)> on_signal);
    // No further calls; the io_context has no more work from the reader.
    void stop();

private:
    void read_next();

    sigset_t previous_mask_{};
    boost::asio::posix::stream_descriptor descriptor_;
    std::function<void(int)> on_signal_;
    signalfd_siginfo info_{};
    bool stopped_ = false;
};

}  // namespace switchboard
