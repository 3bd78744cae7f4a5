#pragma once
// Hands items from any thread to one consumer in batches: push() says
// whether the consumer must be woken, which is only for the first item since
// it last took the queue, so a burst of N items costs one wake-up (one post
// to the bridge's strand) instead of N. take() moves the batch out in push
// order. Bounded by its producers: the bridge reserves an unacked slot before
// pushing a publish, and Paho hands over only what its own bounded queues hold.
// Thread-safe.

#include <mutex>
#include <utility>
#include <vector>

namespace switchboard {

template <class T>
class handoff_queue {
public:
    // True when the caller must wake the consumer.
    bool push(T item) {
        std::lock_guard lock(mutex_);
        items_.push_back(std::move(item));
        return !std::exchange(wake_pending_, true);
    }

    // Replaces `out` with every item pushed since the last take, oldest
    // first; the next push wakes the consumer again. `out`'s capacity is
    // handed back and forth, so a steady flow allocates nothing.
    void take(std::vector<T>& out) {
        out.clear();
        std::lock_guard lock(mutex_);
        out.swap(items_);
        wake_pending_ = false;
    }

private:
    std::mutex mutex_;
    std::vector<T> items_;
    bool wake_pending_ = false;
};

}  // namespace switchboard
