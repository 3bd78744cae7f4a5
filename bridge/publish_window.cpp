#include "publish_window.hpp"

namespace switchboard {

std::uint64_t publish_window::add(entry e) {
    e.handed = false;
    std::uint64_t seq = ++next_seq_;
    entries_.emplace(seq, std::move(e));
    return seq;
}

std::pair<std::uint64_t, publish_window::entry*> publish_window::next() {
    if (handed_ >= limit_) return {0, nullptr};
    auto it = entries_.lower_bound(hand_from_);
    if (it == entries_.end()) return {0, nullptr};
    return {it->first, &it->second};
}

void publish_window::handed(std::uint64_t seq) {
    auto it = entries_.find(seq);
    if (it == entries_.end() || it->second.handed) return;
    it->second.handed = true;
    ++handed_;
    if (seq >= hand_from_) hand_from_ = seq + 1;
}

const publish_window::entry* publish_window::find(std::uint64_t seq) const {
    auto it = entries_.find(seq);
    return it == entries_.end() ? nullptr : &it->second;
}

std::optional<publish_window::entry> publish_window::acknowledged(std::uint64_t seq) {
    auto it = entries_.find(seq);
    if (it == entries_.end()) return std::nullopt;
    if (it->second.handed) --handed_;
    entry e = std::move(it->second);
    entries_.erase(it);
    return e;
}

std::size_t publish_window::drop_handed() {
    std::size_t dropped = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.handed) {
            it = entries_.erase(it);
            ++dropped;
        } else {
            ++it;
        }
    }
    handed_ = 0;
    return dropped;
}

publish_window::restart_counts publish_window::restart(clock::time_point now) {
    restart_counts counts;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.resend_until < now) {
            it = entries_.erase(it);
            ++counts.expired;
            continue;
        }
        it->second.handed = false;
        ++counts.resent;
        ++it;
    }
    handed_ = 0;
    hand_from_ = 0;
    return counts;
}

}  // namespace switchboard
