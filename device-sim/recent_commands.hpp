#pragma once
// The commands a simulated device executed lately, by (from, id), with the
// answer it gave: the dedupe rule of docs/protocol.md ("Devices dedupe by
// command ID"). The gateway sends a command again after a restart with the
// same ID (at-least-once); the device answers a repeat with what it
// remembered instead of executing it twice. Bounded: past `capacity` the
// oldest is forgotten (a real device keeps them for the longest ttl_ms plus
// timeout_ms; a simulated one only needs to span a gateway restart).
// One device's, on its thread: not thread-safe.

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace switchboard::sim {

template <class Answer>
class recent_commands {
public:
    explicit recent_commands(std::size_t capacity) : capacity_(capacity) {}

    // The answer given to command `id` from `from`, or null when it is new.
    const Answer* find(std::string_view from, std::string_view id) const {
        auto it = answers_.find(key(from, id));
        return it == answers_.end() ? nullptr : &it->second;
    }

    // Remembers the answer to a command just executed.
    void remember(std::string_view from, std::string_view id, Answer answer) {
        if (capacity_ == 0) return;
        std::string k = key(from, id);
        auto [it, added] = answers_.insert_or_assign(k, std::move(answer));
        if (!added) return;
        order_.push_back(std::move(k));
        if (order_.size() > capacity_) {
            answers_.erase(order_.front());
            order_.pop_front();
        }
    }

    std::size_t size() const noexcept { return answers_.size(); }

private:
    // IDs hold no newline (docs/protocol.md §1).
    static std::string key(std::string_view from, std::string_view id) {
        std::string k;
        k.reserve(from.size() + id.size() + 1);
        k.append(from).push_back('\n');
        k.append(id);
        return k;
    }

    std::size_t capacity_;
    std::unordered_map<std::string, Answer> answers_;
    std::deque<std::string> order_;  // oldest first
};

}  // namespace switchboard::sim
