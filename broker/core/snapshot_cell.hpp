#pragma once
// One value that every thread reads and a reload replaces whole: the
// current std::shared_ptr<const T>. A reader load()s it once per decision
// and keeps that pointer for as long as it needs one consistent view (a
// frame's checks, a connection's handshake); store() swaps in a new value
// without waiting for readers, and the old one dies with its last holder.
// Thread-safe. A mutex rather than std::atomic<std::shared_ptr>: libstdc++
// 12's is a lock too, and a plain mutex is what TSan models exactly. The
// lock covers one pointer copy, never a call into T.

#include <memory>
#include <mutex>
#include <utility>

namespace switchboard {

template <class T>
class snapshot_cell {
public:
    explicit snapshot_cell(std::shared_ptr<const T> initial) : value_(std::move(initial)) {}

    std::shared_ptr<const T> load() const {
        std::lock_guard lock(mutex_);
        return value_;
    }

    void store(std::shared_ptr<const T> next) {
        {
            std::lock_guard lock(mutex_);
            value_.swap(next);
        }
        // `next` now holds the old value: released here, outside the lock,
        // since its destructor may be long (a TLS context, a token table).
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const T> value_;
};

}  // namespace switchboard
