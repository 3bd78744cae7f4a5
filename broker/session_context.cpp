#include "session_context.hpp"

#include <cstdio>

namespace switchboard {

void session_list::add(const std::shared_ptr<endpoint>& session) {
    std::lock_guard lock(mutex_);
    sessions_.emplace(session.get(), session);
}

void session_list::remove(const endpoint* session) {
    std::lock_guard lock(mutex_);
    sessions_.erase(session);
}

std::vector<std::shared_ptr<endpoint>> session_list::snapshot() const {
    std::vector<std::shared_ptr<endpoint>> out;
    std::lock_guard lock(mutex_);
    out.reserve(sessions_.size());
    for (const auto& [key, weak] : sessions_) {
        if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
}

std::size_t session_list::size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

std::string session_context::next_session_id() {
    std::uint64_t n = session_seq.fetch_add(1, std::memory_order_relaxed);
    // An odd multiplier makes this a bijection: unique per process, and the
    // salt keeps it unpredictable across runs.
    std::uint64_t v = (n * 0x9E3779B97F4A7C15ULL) ^ session_salt;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace switchboard
