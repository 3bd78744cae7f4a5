#include "io_threads.hpp"

namespace switchboard::client {

io_threads::io_threads(unsigned count) {
    if (count == 0) count = 1;
    for (unsigned i = 0; i < count; ++i) {
        // Hint 1: each context is run by exactly one thread, so Asio may skip locking.
        contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
        guards_.emplace_back(contexts_.back()->get_executor());
    }
    for (auto& c : contexts_) threads_.emplace_back([ctx = c.get()] { ctx->run(); });
}

io_threads::~io_threads() { stop(); }

boost::asio::io_context& io_threads::next() {
    return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void io_threads::release() {
    for (auto& g : guards_) g.reset();
}

void io_threads::stop() {
    for (auto& c : contexts_) c->stop();
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
}

}  // namespace switchboard::client
