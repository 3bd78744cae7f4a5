#include "io_pool.hpp"

#include <spdlog/spdlog.h>

namespace switchboard {

io_pool::io_pool(unsigned threads) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < threads; ++i) {
        // Concurrency hint 1: each context is run by exactly one thread.
        contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
        guards_.emplace_back(contexts_.back()->get_executor());
    }
}

io_pool::~io_pool() {
    stop();
    join();
}

void io_pool::start() {
    for (auto& ctx : contexts_) {
        threads_.emplace_back([&ctx] {
            for (;;) {
                try {
                    ctx->run();
                    return;
                } catch (const std::exception& e) {
                    // A handler threw: log it and keep the thread serving.
                    spdlog::error("io thread: unhandled exception: {}", e.what());
                }
            }
        });
    }
}

void io_pool::stop() {
    guards_.clear();
    for (auto& ctx : contexts_) ctx->stop();
}

void io_pool::join() {
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
    threads_.clear();
}

boost::asio::io_context& io_pool::next() {
    return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

boost::asio::io_context& io_pool::first() { return *contexts_.front(); }

}  // namespace switchboard
