#pragma once
// A session's outbound FIFO of frames that holds no memory while empty.
// std::deque allocates a 512-byte block and its map on construction, which
// was a sixth of what an idle registered connection cost. Frames go in at
// the back and leave from the front; the consumed prefix is compacted away
// and a large buffer is let go when the queue drains. Not thread-safe: the
// session's mutex guards it.

#include <algorithm>
#include <cstddef>
#include <vector>

#include "endpoint.hpp"

namespace switchboard {

class frame_queue {
public:
    bool empty() const noexcept { return head_ == frames_.size(); }
    std::size_t size() const noexcept { return frames_.size() - head_; }
    const frame_ptr& front() const noexcept { return frames_[head_]; }

    void push_back(frame_ptr frame) {
        // Compact before growing: the consumed prefix is at least half.
        if (head_ > 0 && frames_.size() == frames_.capacity() && head_ * 2 >= frames_.size()) {
            frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
        frames_.push_back(std::move(frame));
    }

    void pop_front() noexcept {
        frames_[head_++].reset();
        if (empty()) clear();
    }

    // Copies the first `n` frames (n <= size()) to `out`.
    template <class OutputIt>
    void copy_front(std::size_t n, OutputIt out) const {
        std::copy_n(frames_.begin() + static_cast<std::ptrdiff_t>(head_), n, out);
    }

    void clear() noexcept {
        if (frames_.capacity() > kept_capacity) {
            std::vector<frame_ptr>().swap(frames_);
        } else {
            frames_.clear();
        }
        head_ = 0;
    }

    std::size_t capacity() const noexcept { return frames_.capacity(); }

    // A drained queue keeps room for this many frames (512 bytes): a
    // controller's usual burst, without growing again from nothing each time.
    static constexpr std::size_t kept_capacity = 32;

private:
    std::vector<frame_ptr> frames_;
    std::size_t head_ = 0;
};

}  // namespace switchboard
