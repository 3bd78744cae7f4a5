#include "relay_waits.hpp"

#include <algorithm>

namespace switchboard {

relay_waits::relay_waits(limits l, std::uint64_t first_seq) : limits_(l), next_seq_(first_seq) {}

relay_waits::opened relay_waits::open(client_ptr device, std::string controller, std::string id,
                                      clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (peers_.empty()) return {open_status::no_peers};
    if (waits_.size() >= limits_.max_waiting) return {open_status::full};
    const bool first = waits_.empty();
    const std::uint64_t seq = next_seq_++;
    waits_.emplace(seq, entry{{std::move(device), std::move(controller), std::move(id)},
                              now + limits_.deadline,
                              std::vector<std::string>(peers_.begin(), peers_.end())});
    return {open_status::opened, seq, first};
}

void relay_waits::cancel(std::uint64_t seq) {
    std::lock_guard lock(mutex_);
    waits_.erase(seq);
}

relay_waits::reply_result relay_waits::on_reply(std::uint64_t seq, std::string_view node,
                                                bool held) {
    std::lock_guard lock(mutex_);
    auto it = waits_.find(seq);
    if (it == waits_.end()) {
        // At most one node holds a command, so a `held` for a relay that
        // ended held nowhere means the device heard both.
        return {held && ended_nowhere_.contains(seq) ? reply_outcome::held_too_late
                                                     : reply_outcome::no_relay};
    }
    if (held) {
        waits_.erase(it);
        return {reply_outcome::held};
    }
    auto& waiting = it->second.waiting_for;
    // A node that came up after the relay was published may read it too;
    // its `not held` changes nothing.
    std::erase(waiting, node);
    if (!waiting.empty()) return {reply_outcome::waiting};
    reply_result r{reply_outcome::held_nowhere, std::move(it->second.about)};
    waits_.erase(it);
    remember_ended(seq);
    return r;
}

void relay_waits::remember_ended(std::uint64_t seq) {
    ended_nowhere_.insert(seq);
    if (ended_nowhere_.size() > limits_.max_waiting) ended_nowhere_.erase(ended_nowhere_.begin());
}

void relay_waits::peer_up(const std::string& node) {
    std::lock_guard lock(mutex_);
    peers_.insert(node);
}

std::vector<relay_waits::held_nowhere> relay_waits::peer_down(std::string_view node) {
    std::lock_guard lock(mutex_);
    if (auto p = peers_.find(node); p != peers_.end()) peers_.erase(p);
    std::vector<held_nowhere> ended;
    for (auto it = waits_.begin(); it != waits_.end();) {
        auto& waiting = it->second.waiting_for;
        if (std::erase(waiting, node) == 0 || !waiting.empty()) {
            ++it;
            continue;
        }
        ended.push_back(std::move(it->second.about));
        remember_ended(it->first);
        it = waits_.erase(it);
    }
    return ended;
}

void relay_waits::forget_peers() {
    std::lock_guard lock(mutex_);
    peers_.clear();
}

std::vector<relay_waits::held_nowhere> relay_waits::expire(clock::time_point now) {
    std::lock_guard lock(mutex_);
    std::vector<held_nowhere> ended;
    while (!waits_.empty() && waits_.begin()->second.deadline <= now) {
        ended.push_back(std::move(waits_.begin()->second.about));
        remember_ended(waits_.begin()->first);
        waits_.erase(waits_.begin());
    }
    return ended;
}

std::optional<relay_waits::clock::time_point> relay_waits::next_deadline() const {
    std::lock_guard lock(mutex_);
    if (waits_.empty()) return std::nullopt;
    return waits_.begin()->second.deadline;
}

std::size_t relay_waits::peer_count() const {
    std::lock_guard lock(mutex_);
    return peers_.size();
}

std::size_t relay_waits::waiting() const {
    std::lock_guard lock(mutex_);
    return waits_.size();
}

}  // namespace switchboard
