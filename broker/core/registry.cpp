#include "registry.hpp"

#include <algorithm>
#include <chrono>

namespace switchboard {

registry::registry()
    : presence_seq_(
          static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count())) {}

registry::shard& registry::shard_for(std::string_view id) const {
    return shards_[std::hash<std::string_view>{}(id) % shard_count];
}

registry::insert_result registry::insert(client_ptr client, duplicate_policy policy) {
    shard& s = shard_for(client->id);
    std::lock_guard lock(s.mutex);
    auto [it, inserted] = s.clients.try_emplace(client->id, client);
    if (inserted) return {true, nullptr, false, ++presence_seq_};
    if (policy == duplicate_policy::reject) return {false, nullptr};
    if (it->second->trust > client->trust) return {false, nullptr, true};
    client_ptr replaced = std::move(it->second);
    it->second = std::move(client);
    return {true, std::move(replaced), false, ++presence_seq_};
}

std::uint64_t registry::erase(std::string_view id, std::string_view session) {
    shard& s = shard_for(id);
    std::lock_guard lock(s.mutex);
    auto it = s.clients.find(id);
    if (it == s.clients.end() || it->second->session != session) return 0;
    s.clients.erase(it);
    return ++presence_seq_;
}

client_ptr registry::find(std::string_view id) const {
    shard& s = shard_for(id);
    std::lock_guard lock(s.mutex);
    auto it = s.clients.find(id);
    return it == s.clients.end() ? nullptr : it->second;
}

std::vector<client_ptr> registry::list(const list_filter& filter, std::size_t limit,
                                       bool& more) const {
    std::vector<client_ptr> matched;
    for (shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        for (const auto& [id, client] : s.clients) {
            if (filter.role && client->role != *filter.role) continue;
            if (!id.starts_with(filter.prefix)) continue;
            if (!filter.after.empty() && id <= filter.after) continue;
            matched.push_back(client);
        }
    }
    more = matched.size() > limit;
    auto by_id = [](const client_ptr& a, const client_ptr& b) { return a->id < b->id; };
    if (more) {
        std::partial_sort(matched.begin(), matched.begin() + static_cast<std::ptrdiff_t>(limit),
                          matched.end(), by_id);
        matched.resize(limit);
    } else {
        std::sort(matched.begin(), matched.end(), by_id);
    }
    return matched;
}

std::size_t registry::size() const {
    std::size_t n = 0;
    for (shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.clients.size();
    }
    return n;
}

registry::client_tally registry::tally() const {
    client_tally out{};
    for (auto& s : shards_) {
        std::lock_guard lock(s.mutex);
        for (const auto& [id, c] : s.clients) {
            ++out[static_cast<std::size_t>(c->role)][static_cast<std::size_t>(c->via)];
        }
    }
    return out;
}

void registry::clear() {
    for (shard& s : shards_) {
        decltype(s.clients) gone;
        {
            std::lock_guard lock(s.mutex);
            gone.swap(s.clients);
        }
        // The records (and the sessions they hold) die here, outside the lock.
    }
}

}  // namespace switchboard
