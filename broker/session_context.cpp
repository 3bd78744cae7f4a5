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
    // An odd multiplier makes this a bijection modulo 2^60: unique for the
    // process's first 2^60 sessions, and the salt keeps it unpredictable
    // across runs. 15 hex digits, not 16, so the name fits std::string's
    // inline buffer: it is copied into the session, its client_record and
    // every pending command, and at 16 each copy was a heap block (64 bytes
    // per idle connection, a malloc per command; docs/benchmarks.md).
    constexpr std::uint64_t low_60_bits = (std::uint64_t(1) << 60) - 1;
    std::uint64_t v = ((n * 0x9E3779B97F4A7C15ULL) ^ session_salt) & low_60_bits;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%015llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace switchboard
