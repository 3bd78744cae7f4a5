#pragma once
// Hands items from any thread to one consumer in batches: push() says
// whether the consumer must be woken, which is only for the first item since
// it last took the queue, so a burst of N items costs one wake-up (one post
// to the bridge's strand) instead of N. take() moves the batch out in push
// order. Bounded by its producers: the bridge reserves an unacked slot before
// pushing a publish, and Paho hands over only what its own bounded queues hold.
// An item that can wait (push_quiet) wakes the consumer only while it asked
// for them at once (set_eager); otherwise it rides along with the next
// wake-up, and the consumer takes the queue on its own often enough for it.
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

    // Like push(), for an item that may wait: true (wake the consumer) only
    // while set_eager(true) holds and no wake-up is on its way.
    bool push_quiet(T item) {
        std::lock_guard lock(mutex_);
        items_.push_back(std::move(item));
        if (!eager_ || wake_pending_) return false;
        wake_pending_ = true;
        return true;
    }

    // Whether push_quiet() wakes the consumer. Consumer only. True when the
    // consumer must take the queue now: eager, with quiet items waiting and
    // no wake-up on its way.
    bool set_eager(bool eager) {
        std::lock_guard lock(mutex_);
        eager_ = eager;
        if (!eager || wake_pending_ || items_.empty()) return false;
        wake_pending_ = true;
        return true;
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
    bool eager_ = true;
};

}  // namespace switchboard
