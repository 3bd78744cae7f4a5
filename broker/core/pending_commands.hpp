#pragma once
// Commands delivered and not yet answered: the one place that knows a
// command's state, so that each accepted command ends in exactly one outcome
// (its response, a timeout, or being dropped with its controller).
// A command is keyed by (controller ID, correlation ID) and may be answered
// only by the device it went to. Sharded by controller ID.
// Thread-safe: every member may be called from any thread. Time is passed in,
// never read, so tests drive it.

#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "client_record.hpp"

namespace switchboard {

using steady_time = std::chrono::steady_clock::time_point;

struct pending_command {
    client_ptr controller;  // the session that sent it: the answer goes to its link
    std::string id;
    std::string device;
    std::chrono::milliseconds timeout{0};
    steady_time deadline;
};

class pending_commands {
public:
    enum class add_result { added, duplicate_id, too_many };
    enum class take_status { found, late, unknown };
    struct take_result {
        take_status status = take_status::unknown;
        std::optional<pending_command> command;
    };

    // `max_per_controller` bounds one controller's commands in flight.
    add_result add(pending_command command, std::size_t max_per_controller);

    // The command `controller`/`id`, if `device` is the one it went to.
    // `late` when it already timed out (and was answered so).
    take_result take(std::string_view controller, std::string_view id, std::string_view device);

    // Whether `controller`/`id` is pending and went to `device`: take() would
    // find it. Allocates nothing (the intake asks it of every response).
    bool is_pending(std::string_view controller, std::string_view id,
                    std::string_view device) const;

    // Removes a command whose delivery failed, so it has no second outcome.
    bool cancel(std::string_view controller, std::string_view id);

    // Removes and returns every command whose deadline is at or before `now`.
    std::vector<pending_command> take_expired(steady_time now);

    // Drops the commands of one controller session (the controller left).
    std::size_t drop_controller(const client_record& controller);

    std::size_t size() const;

    // Forgets every command without an outcome (gateway shutdown only).
    void clear();

private:
    struct entry {
        pending_command command;
        std::multimap<steady_time, std::string>::iterator by_deadline;
    };
    struct shard {
        mutable std::mutex mutex;
        std::map<std::string, entry, std::less<>> commands;  // "controller\nid"
        std::multimap<steady_time, std::string> deadlines;
        std::unordered_map<std::string, std::size_t> per_controller;
        // Recently timed-out commands ("controller\nid\ndevice"), to tell a
        // late answer from a wrong one. Bounded.
        std::deque<std::string> expired_order;
        std::unordered_set<std::string> expired;
    };
    static constexpr std::size_t shard_count = 16;
    static constexpr std::size_t expired_memory = 4096;

    shard& shard_for(std::string_view controller);
    const shard& shard_for(std::string_view controller) const;
    pending_command extract_locked(shard& s,
                                   std::map<std::string, entry, std::less<>>::iterator it);

    std::array<shard, shard_count> shards_;
};

}  // namespace switchboard
