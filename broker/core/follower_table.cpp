#include "follower_table.hpp"

#include <algorithm>
#include <mutex>

namespace switchboard {
namespace {
bool is_prefix_pattern(const std::string& p) { return !p.empty() && p.back() == '*'; }
}  // namespace

bool follower_table::add(const client_ptr& follower, const std::vector<std::string>& patterns,
                         std::size_t max_per_session) {
    std::unique_lock lock(mutex_);
    auto& entry = by_session_[follower->session];
    entry.follower = follower;
    // Distinct new patterns: a request naming one twice must not count it twice.
    std::set<std::string_view> fresh;
    for (const auto& p : patterns) {
        if (!entry.patterns.contains(p)) fresh.insert(p);
    }
    if (entry.patterns.size() + fresh.size() > max_per_session) {
        if (entry.patterns.empty()) by_session_.erase(follower->session);
        return false;
    }
    for (const auto& p : patterns) {
        if (entry.patterns.insert(p).second) link(follower, p);
    }
    return true;
}

void follower_table::link(const client_ptr& follower, const std::string& pattern) {
    if (is_prefix_pattern(pattern)) {
        prefixes_[pattern.substr(0, pattern.size() - 1)][follower->session] = follower;
    } else {
        exact_[pattern][follower->session] = follower;
    }
}

void follower_table::unlink(const std::string& session, const std::string& pattern) {
    auto drop = [&](auto& table, const std::string& key) {
        auto it = table.find(key);
        if (it == table.end()) return;
        it->second.erase(session);
        if (it->second.empty()) table.erase(it);
    };
    if (is_prefix_pattern(pattern)) {
        drop(prefixes_, pattern.substr(0, pattern.size() - 1));
    } else {
        drop(exact_, pattern);
    }
}

void follower_table::remove(const client_ptr& follower, const std::vector<std::string>& patterns) {
    std::unique_lock lock(mutex_);
    auto it = by_session_.find(follower->session);
    if (it == by_session_.end()) return;
    for (const auto& p : patterns) {
        if (it->second.patterns.erase(p) > 0) unlink(follower->session, p);
    }
    if (it->second.patterns.empty()) by_session_.erase(it);
}

void follower_table::remove_all(const client_ptr& follower) {
    std::unique_lock lock(mutex_);
    auto it = by_session_.find(follower->session);
    if (it == by_session_.end()) return;
    for (const auto& p : it->second.patterns) unlink(follower->session, p);
    by_session_.erase(it);
}

void follower_table::hand_over(const client_record& from, const client_ptr& to) {
    std::unique_lock lock(mutex_);
    auto it = by_session_.find(from.session);
    if (it == by_session_.end() || from.session == to->session) return;
    std::set<std::string> patterns = std::move(it->second.patterns);
    by_session_.erase(it);
    auto& entry = by_session_[to->session];
    entry.follower = to;
    for (const auto& p : patterns) {
        unlink(from.session, p);
        if (entry.patterns.insert(p).second) link(to, p);
    }
}

std::vector<client_ptr> follower_table::followers_of(std::string_view id) const {
    std::vector<client_ptr> out;
    std::shared_lock lock(mutex_);
    if (auto it = exact_.find(std::string(id)); it != exact_.end()) {
        for (const auto& [session, f] : it->second) out.push_back(f);
    }
    for (const auto& [prefix, followers] : prefixes_) {
        if (!id.starts_with(prefix)) continue;
        for (const auto& [session, f] : followers) out.push_back(f);
    }
    lock.unlock();
    if (out.size() > 1) {
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
    }
    return out;
}

std::size_t follower_table::session_count() const {
    std::shared_lock lock(mutex_);
    return by_session_.size();
}

void follower_table::clear() {
    decltype(by_session_) gone;
    {
        std::unique_lock lock(mutex_);
        gone.swap(by_session_);
        exact_.clear();
        prefixes_.clear();
    }
}

}  // namespace switchboard
