#pragma once
// A few I/O threads, each running its own io_context, for many thousands of
// client connections: a connection lives on one context for its whole life,
// so its handlers need no strand and no lock. Owned by whoever runs the
// clients (fleet, load, a test); must outlive them.
// next() and stop() may be called from any thread.

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace switchboard::client {

class io_threads {
public:
    explicit io_threads(unsigned count);
    ~io_threads();  // stops and joins

    io_threads(const io_threads&) = delete;
    io_threads& operator=(const io_threads&) = delete;

    boost::asio::io_context& next();  // round robin
    boost::asio::io_context& at(std::size_t i) { return *contexts_[i % contexts_.size()]; }
    std::size_t size() const noexcept { return contexts_.size(); }

    // Lets each thread end once its work is done (no more keep-alive).
    void release();
    // Ends every thread's run() now and joins them. Idempotent.
    void stop();

private:
    using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    std::vector<work_guard> guards_;
    std::vector<std::thread> threads_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace switchboard::client
