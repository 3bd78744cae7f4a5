#pragma once
// The command ledger (it replaced pending_commands): commands delivered and
// not yet answered, the one place that knows a command's state, so that
// each accepted command ends in exactly one outcome (its response, a
// timeout, its device's disconnection, or being dropped with its controller).
// A command is keyed by (controller ID, correlation ID) and may be answered
// only by the device session it went to: a later session under the same ID
// cannot answer it. Sharded by controller ID; each shard also indexes its
// commands by device session, so a device that leaves ends its commands
// without a scan.
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
#include <vector>

#include "client_record.hpp"

namespace switchboard {

using steady_time = std::chrono::steady_clock::time_point;

struct pending_command {
    client_ptr controller;  // the session that sent it: the answer goes to its link
    std::string id;
    std::string device;
    std::string device_session;  // the connection it was handed to
    std::chrono::milliseconds timeout{0};
    steady_time deadline;
};

class command_ledger {
public:
    enum class add_result { added, duplicate_id, too_many };
    enum class take_status { found, late, unknown };
    // How a command that is no longer pending ended, for a late answer.
    enum class ended_as { timeout, device_disconnected };
    struct take_result {
        take_status status = take_status::unknown;
        std::optional<pending_command> command;
        ended_as ended = ended_as::timeout;  // when `late`
    };

    // `max_per_controller` bounds one controller's commands in flight.
    add_result add(pending_command command, std::size_t max_per_controller);

    // The command `controller`/`id`, if the session `device_session` of
    // `device` is the one it went to. `late` when it already ended (timed
    // out, or its device left) and was answered so.
    take_result take(std::string_view controller, std::string_view id, std::string_view device,
                     std::string_view device_session);

    // Whether `controller`/`id` is pending and went to this device session:
    // take() would find it. Allocates nothing (the intake asks it of every
    // response).
    bool is_pending(std::string_view controller, std::string_view id, std::string_view device,
                    std::string_view device_session) const;

    // Removes a command whose delivery failed, so it has no second outcome.
    bool cancel(std::string_view controller, std::string_view id);

    // Removes and returns every command whose deadline is at or before `now`.
    std::vector<pending_command> take_expired(steady_time now);

    // Drops the commands of one controller session (the controller left).
    std::size_t drop_controller(const client_record& controller);

    // Removes and returns the commands handed to one device session (the
    // device left: they end as device_disconnected).
    std::vector<pending_command> take_device(const client_record& device);

    // The device session `from` goes on as `to` (an MQTT client's new
    // status: same connection, new record): its commands are `to`'s to
    // answer now. Returns how many moved.
    std::size_t move_device(const client_record& from, const client_record& to);

    std::size_t size() const;

    // Forgets every command without an outcome (gateway shutdown only).
    void clear();

private:
    struct entry {
        pending_command command;
        std::multimap<steady_time, std::string>::iterator by_deadline;
        std::multimap<std::string, std::string>::iterator by_device;
    };
    struct shard {
        mutable std::mutex mutex;
        std::map<std::string, entry, std::less<>> commands;  // "controller\nid"
        std::multimap<steady_time, std::string> deadlines;
        std::multimap<std::string, std::string> devices;  // "device\nsession" -> command key
        std::unordered_map<std::string, std::size_t> per_controller;
        // Recently ended commands ("controller\nid\ndevice"), to tell a late
        // answer (also from the device's next session) from a wrong one.
        // Bounded.
        std::deque<std::string> ended_order;
        std::unordered_map<std::string, ended_as> ended;
    };
    static constexpr std::size_t shard_count = 16;
    static constexpr std::size_t ended_memory = 4096;

    shard& shard_for(std::string_view controller);
    const shard& shard_for(std::string_view controller) const;
    pending_command extract_locked(shard& s,
                                   std::map<std::string, entry, std::less<>>::iterator it);
    // Extracts, remembering how it ended for a late answer.
    pending_command end_locked(shard& s, std::map<std::string, entry, std::less<>>::iterator it,
                               ended_as how);

    std::array<shard, shard_count> shards_;
};

}  // namespace switchboard
