#pragma once
// The table of who is online: ID -> client_record, for WebSocket sessions of
// this node and MQTT clients seen through the bridge alike. The only table
// shared by every I/O thread. Sharded by ID hash so that registrations on
// different threads rarely meet on one lock. A lock covers a lookup or an
// insert, never a call into an endpoint.
// Thread-safe: every member may be called from any thread.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "client_record.hpp"

namespace switchboard {

enum class duplicate_policy { takeover, reject };

struct list_filter {
    std::optional<client_role> role;
    std::string prefix;
    std::string after;  // only IDs sorting after this one (paging)
};

class registry {
public:
    // Presence sequence numbers start at the wall clock in microseconds, so
    // they keep increasing across restarts of the gateway.
    registry();

    struct insert_result {
        bool accepted = false;
        client_ptr replaced;     // the record a takeover displaced, if any
        bool outranked = false;  // refused: the holder is trusted more than the claim
        std::uint64_t seq = 0;   // when accepted: the presence sequence number of the arrival
    };

    // With `takeover`, a claim replaces the holder of its ID unless the
    // holder was authenticated and the claim was not.
    insert_result insert(client_ptr client, duplicate_policy policy);

    // Erases `id` only while it still belongs to `session`: a newer session
    // with the same ID may already have taken it over. Returns the presence
    // sequence number of the departure, 0 when nothing was erased.
    // Sequence numbers are drawn under the ID's lock, so for one ID they
    // increase in the order the changes happened, whatever order the
    // presence frames then reach a follower in.
    std::uint64_t erase(std::string_view id, std::string_view session);

    client_ptr find(std::string_view id) const;

    // Matching records sorted by ID, at most `limit`; `more` tells whether
    // more matched.
    std::vector<client_ptr> list(const list_filter& filter, std::size_t limit, bool& more) const;

    std::size_t size() const;

    // Registered clients by [role][transport] (client_role, transport as
    // indexes). Walks every shard: for a scrape, not for the data path.
    using client_tally = std::array<std::array<std::size_t, 2>, 2>;
    client_tally tally() const;

    // Forgets every record (gateway shutdown, after the I/O threads stopped).
    void clear();

private:
    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    struct shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, client_ptr, string_hash, std::equal_to<>> clients;
    };
    static constexpr std::size_t shard_count = 16;

    shard& shard_for(std::string_view id) const;

    mutable std::array<shard, shard_count> shards_;
    std::atomic<std::uint64_t> presence_seq_;
};

}  // namespace switchboard
