#pragma once
// Who follows whom: the `subscribe` patterns of each session, answering
// "which sessions want presence and events of this ID?". Exact IDs are found
// by hash; `prefix*` patterns by a scan of the prefix list, which stays short
// in practice (a dashboard follows "*" or a few families).
// Thread-safe: every member may be called from any thread.

#include <cstddef>
#include <map>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "client_record.hpp"

namespace switchboard {

class follower_table {
public:
    // Adds patterns for `follower`. Returns false, adding nothing, when the
    // session would then hold more than `max_per_session` patterns.
    bool add(const client_ptr& follower, const std::vector<std::string>& patterns,
             std::size_t max_per_session);
    void remove(const client_ptr& follower, const std::vector<std::string>& patterns);
    void remove_all(const client_ptr& follower);
    // The follows of session `from` become `to`'s (an MQTT client's new
    // status: the same connection goes on as a new record).
    void hand_over(const client_record& from, const client_ptr& to);

    // Each following session once, however many of its patterns match.
    std::vector<client_ptr> followers_of(std::string_view id) const;

    std::size_t session_count() const;

    void clear();

private:
    struct following {
        client_ptr follower;
        std::set<std::string> patterns;
    };
    void link(const client_ptr& follower, const std::string& pattern);
    void unlink(const std::string& session, const std::string& pattern);

    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, following> by_session_;
    std::unordered_map<std::string, std::map<std::string, client_ptr>>
        exact_;  // id -> session -> follower
    std::map<std::string, std::map<std::string, client_ptr>>
        prefixes_;  // prefix -> session -> follower
};

}  // namespace switchboard
