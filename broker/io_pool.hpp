#pragma once
// N I/O threads, each running its own io_context: a connection lives on one
// thread for its whole life, so its handlers need no strand and no lock.
// Work for a connection on another thread is posted to that connection's
// executor. The gateway's threads and the simulator's (many thousands of
// client connections) alike. Owned by whoever runs the connections; must
// outlive them. Thread-safe: next() and at() may be called from any thread.

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace switchboard {

class io_pool {
public:
    explicit io_pool(unsigned threads);
    ~io_pool();

    io_pool(const io_pool&) = delete;
    io_pool& operator=(const io_pool&) = delete;

    void start();
    void stop();  // ends every thread's run() now
    void join();  // waits for the threads to end

    boost::asio::io_context& next();   // round robin, for a new connection
    boost::asio::io_context& first();  // for the listener and timers
    boost::asio::io_context& at(std::size_t i) { return *contexts_[i % contexts_.size()]; }
    std::size_t size() const noexcept { return contexts_.size(); }

private:
    using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    std::vector<work_guard> guards_;
    std::vector<std::thread> threads_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace switchboard
