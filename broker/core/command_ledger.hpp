#pragma once
// The command ledger: every accepted command and its state (command_state),
// the one place that knows it, so that each accepted command ends in exactly
// one outcome (its response, a timeout, its device's disconnection, or being
// dropped with its controller) and its controller can ask where it is
// (`status`). It replaced pending_commands.
// A command in flight is keyed by (controller ID, correlation ID) and may be
// answered only by the device session it went to: a later session under the
// same ID cannot answer it. Sharded by controller ID; each shard also indexes
// its commands by device session, so a device that leaves ends its commands
// without a scan.
// An ended command's terminal state is remembered for a bounded window (in
// count per shard and in time, `ledger_limits`), so a `status` after the end
// answers it and a late answer gets a precise error. A command dropped with
// its controller, or withdrawn because its delivery failed, is forgotten.
// A command with ttl_ms to an offline device waits in the ledger's queue,
// per device in the order accepted, until its device registers (it is then
// in flight like any other), its TTL passes (`expired`) or its controller
// cancels it (`cancelled`). Whichever takes it out of the queue, under the
// queue's lock, owns its one outcome. The queue is bounded per device and in
// bytes (`queue_limits`).
// With a store (set_store, `store.path`) every queued command is written
// through it when queued and deleted when it ends, so restore() can queue
// again after a restart what had no outcome: a command released to its
// device keeps its row until it ends, so one that was sent but unanswered
// when the gateway died is sent again with the same ID (at-least-once). A
// command is released only once its row is committed (mark_durable). Without
// a store, nothing survives a restart.
// Thread-safe: every member may be called from any thread. Time is passed in,
// never read, so tests drive it. Locks: the queue's before a shard's, never
// the other way.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "client_record.hpp"
#include "command_state.hpp"
#include "command_store.hpp"
#include "endpoint.hpp"
#include "trace_context.hpp"

namespace switchboard {

using steady_time = std::chrono::steady_clock::time_point;

struct pending_command {
    client_ptr controller;  // the session that sent it: the answer goes to its link
    std::string id;
    std::string device;
    std::string device_session;  // the connection it was handed to
    std::chrono::milliseconds timeout{0};
    steady_time deadline;
    // The traceparent sent to the device (the gateway's own span), when the
    // command carried one: the response goes back with it if the device
    // echoes none.
    std::optional<trace_context> trace;
    bool stored = false;  // it has a row in the store, deleted when it ends

    steady_time accepted() const noexcept { return deadline - timeout; }
};

// A command waiting for its offline device (`ttl_ms`).
struct queued_command {
    client_ptr controller;  // the session that sent it
    std::string id;
    std::string device;
    std::chrono::milliseconds timeout{0};  // for the answer, counted from when it is sent
    steady_time expires;                   // accepted + ttl_ms
    frame_ptr frame;                       // the `command` frame as the device will get it
    bool ack = false;                      // `ack delivered` when it is sent
    std::optional<trace_context> trace;    // as in pending_command
    std::int64_t expires_ms = 0;           // `expires` in system_clock ms, for the store
    bool stored = false;                   // set by the ledger when it has a store

    // What it makes the gateway hold: the frame, the IDs and a fixed part.
    std::size_t bytes() const noexcept;
};

// How much may wait for offline devices.
struct queue_limits {
    std::size_t per_device = 100;
    std::size_t total_bytes = 16u << 20;
};

// How long the ledger remembers ended commands.
struct ledger_limits {
    std::size_t ended_per_shard = 4096;  // 16 shards: 65,536 ended commands at most
    std::chrono::milliseconds ended_for{300000};
};

class command_ledger {
public:
    enum class add_result { added, duplicate_id, too_many };
    enum class enqueue_result { queued, duplicate_id, device_full, gateway_full };
    enum class cancel_status { cancelled, already_sent, unknown };
    struct cancel_result {
        cancel_status status = cancel_status::unknown;
        std::optional<queued_command> command;  // when cancelled
    };
    enum class take_status { found, late, unknown };
    struct take_result {
        take_status status = take_status::unknown;
        std::optional<pending_command> command;
        // When `late`: how it ended (timeout or device_disconnected).
        command_state ended = command_state::timeout;
    };
    // What `status` answers: a command's state and the device it went to.
    struct command_status {
        command_state state = command_state::sent;
        std::string device;
    };

    // What restore() did.
    struct restored {
        std::size_t queued = 0;   // queued again
        std::size_t expired = 0;  // their TTL passed while the gateway was down
    };

    explicit command_ledger(ledger_limits limits = {}) : limits_(limits) {}

    // Writes queued commands through `store` from now on (null: none). Set
    // before any command is queued; the store must outlive the ledger's use.
    void set_store(command_store* store) noexcept { store_ = store; }
    bool has_store() const noexcept { return store_ != nullptr; }

    // Queues again what the store holds (restart), in the order stored,
    // beyond the queue limits (they were checked when each was accepted).
    // A command whose TTL passed by `now_ms` (system_clock) ends as expired:
    // `status` says so and its row goes. `controller_of` gives the record
    // each command's outcome goes to until its controller registers.
    template <class ControllerOf>
    restored restore(std::vector<stored_command> rows, steady_time now, std::int64_t now_ms,
                     ControllerOf&& controller_of);

    // `max_per_controller` bounds one controller's commands in flight.
    add_result add(pending_command command, std::size_t max_per_controller);

    // Queues a command for its offline device, unless its ID is in flight or
    // queued already, its device has `per_device` waiting, or the queue would
    // pass `total_bytes`.
    // With a store, the command is put there (under the queue's lock, so rows
    // are in the order queued) and waits, unreleasable, until `on_durable`
    // has run and the caller has called mark_durable().
    enqueue_result enqueue(queued_command command, const queue_limits& limits,
                           command_store::done_fn on_durable = {});

    // The row of queued `controller`/`id` is committed: it may be released.
    // False when it is no longer queued (cancelled or expired meanwhile).
    bool mark_durable(std::string_view controller, std::string_view id);

    // Takes queued `controller`/`id` out without an end remembered (its row
    // could not be written: it was never acknowledged).
    std::optional<queued_command> withdraw_queued(std::string_view controller, std::string_view id);

    // The device `device` registered as session `device_session`: every
    // command queued for it whose TTL has not passed goes in flight on that
    // session (deadline now + its timeout), and is returned in the order
    // queued, to be sent. `controller_now` gives the session each command's
    // answer goes to (its controller ID's current connection, if any).
    template <class ControllerNow>
    std::vector<queued_command> release(const client_record& device, steady_time now,
                                        ControllerNow&& controller_now);

    // Removes and returns every queued command whose TTL passed at or
    // before `now` (they end as expired).
    std::vector<queued_command> take_expired_queued(steady_time now);

    // `controller` cancels its command `id`: `cancelled` when it was queued
    // (it ends so), `already_sent` when it is in flight or ended after being
    // sent, `unknown` otherwise (never accepted, expired, cancelled, or
    // another controller's).
    cancel_result cancel_queued(std::string_view controller, std::string_view id, steady_time now);

    // The command `controller`/`id`, if the session `device_session` of
    // `device` is the one it went to; it ends as `answer` (succeeded or
    // failed) at `now`. `late` when it already ended (timed out, or its
    // device left) and was answered so.
    take_result take(std::string_view controller, std::string_view id, std::string_view device,
                     std::string_view device_session, command_state answer, steady_time now);

    // The state of `controller`'s command `id`: `sent` while in flight, its
    // terminal state for `ended_for` after it ended (and while the shard's
    // memory holds it); nullopt when unknown. Keyed by the asking
    // controller's ID, so another controller's command is unknown.
    std::optional<command_status> status(std::string_view controller, std::string_view id,
                                         steady_time now) const;

    // Whether `controller`/`id` is pending and went to this device session:
    // take() would find it. Allocates nothing (the intake asks it of every
    // response).
    bool is_pending(std::string_view controller, std::string_view id, std::string_view device,
                    std::string_view device_session) const;

    // Removes a command whose delivery failed, so it has no second outcome.
    bool cancel(std::string_view controller, std::string_view id);

    // Removes and returns every command whose deadline is at or before `now`
    // (they end as timeout), and forgets ended commands older than `ended_for`.
    std::vector<pending_command> take_expired(steady_time now);

    // Drops the commands of one controller session (the controller left).
    std::size_t drop_controller(const client_record& controller);

    // Drops the commands in flight of controller ID `controller` sent by any
    // session but the one `current_session()` names (its recovery window
    // ended). It is called under the shard's lock, so a command the current
    // session adds meanwhile is never dropped.
    std::size_t drop_orphans(std::string_view controller,
                             const std::function<std::string()>& current_session);

    // Removes and returns the commands handed to one device session (the
    // device left: they end as device_disconnected). A leaving carries no
    // time of its own: the end is dated by the last take_expired() pass
    // (every 10 ms in the gateway), close enough for how long to remember it.
    std::vector<pending_command> take_device(const client_record& device);

    // The device session `from` goes on as `to` (an MQTT client's new
    // status: same connection, new record): its commands are `to`'s to
    // answer now. Returns how many moved.
    std::size_t move_device(const client_record& from, const client_record& to);

    // The same for a controller: the commands session `from` sent are `to`'s,
    // and their answers go to its link. Returns how many moved.
    std::size_t move_controller(const client_record& from, const client_ptr& to);

    // Commands in flight.
    std::size_t size() const;
    // Commands queued for offline devices, and the bytes they hold.
    std::size_t queued_size() const;
    std::size_t queued_bytes() const;
    // Ended commands remembered.
    std::size_t ended_size() const;

    // Forgets every command, in flight or ended, without an outcome
    // (gateway shutdown only).
    void clear();

private:
    struct ended_command {
        command_state state = command_state::timeout;
        std::string device;
        steady_time at;
        std::uint64_t seq = 0;
    };
    struct ended_mark {
        std::string key;
        std::uint64_t seq = 0;
        steady_time at;
    };
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
        // Recently ended commands ("controller\nid"), for `status` and to
        // tell a late answer (also from the device's next session) from a
        // wrong one. Bounded by ledger_limits; `ended_order` holds them
        // oldest first, with the `seq` of the end it records (an ID reused
        // and ended again leaves a stale entry, skipped when it comes out).
        std::unordered_map<std::string, ended_command> ended;
        std::deque<ended_mark> ended_order;
        std::uint64_t ended_seq = 0;
    };
    static constexpr std::size_t shard_count = 16;

    struct queue_entry {
        queued_command command;
        std::uint64_t seq = 0;
        std::multimap<steady_time, std::string>::iterator by_expiry;
        bool durable = true;  // false while its row is being written
    };
    // Commands waiting for offline devices, under one lock (not the fast
    // path): by key "controller\nid", by device in the order queued, by TTL.
    struct command_queue {
        mutable std::mutex mutex;
        std::map<std::string, queue_entry, std::less<>> commands;
        std::unordered_map<std::string, std::map<std::uint64_t, std::string>> devices;
        std::multimap<steady_time, std::string> expiries;
        std::size_t bytes = 0;
        std::uint64_t seq = 0;
    };

    // Files a command in the queue (queue locked).
    void queue_locked(std::string key, queued_command command, bool durable);
    // Takes a queued command out (queue locked); `ended`: its row goes too.
    queued_command unqueue_locked(std::map<std::string, queue_entry, std::less<>>::iterator it,
                                  bool ended);
    // Remembers how a command ended, for `status` (shard locked).
    void remember_end_locked(shard& s, std::string key, command_state how, std::string device,
                             steady_time now);
    // Puts a released command in flight (queue locked, takes the shard's);
    // false, and `command` untouched, when its key is in flight already.
    bool add_released(pending_command& command);

    shard& shard_for(std::string_view controller);
    const shard& shard_for(std::string_view controller) const;
    // Files a command in flight under `key` with its deadline and device
    // indexes; the caller has counted it for its controller.
    void insert_locked(shard& s, std::string key, pending_command command);
    pending_command extract_locked(shard& s,
                                   std::map<std::string, entry, std::less<>>::iterator it);
    // Extracts, remembering how it ended for `status` and a late answer.
    pending_command end_locked(shard& s, std::map<std::string, entry, std::less<>>::iterator it,
                               command_state how, steady_time now);
    // Forgets the oldest ended commands past the count or older than the window.
    void forget_ended_locked(shard& s, steady_time now) const noexcept;
    // Calls visit(shard, iterator) for each command the session `controller`
    // sent, under its shard's lock; returns how many.
    template <typename Visit>
    std::size_t for_each_of_controller(const client_record& controller, Visit visit);

    ledger_limits limits_;
    command_store* store_ = nullptr;
    std::atomic<steady_time::rep> last_expiry_pass_{0};  // time since epoch, in ticks
    std::array<shard, shard_count> shards_;
    command_queue queue_;
    // How many are queued, read without the queue's lock by add() (the fast
    // path pays for the queue only while something is queued).
    std::atomic<std::size_t> queued_count_{0};
};

template <class ControllerNow>
std::vector<queued_command> command_ledger::release(const client_record& device, steady_time now,
                                                    ControllerNow&& controller_now) {
    std::vector<queued_command> out;
    if (queued_count_.load(std::memory_order_acquire) == 0) return out;
    std::lock_guard lock(queue_.mutex);
    auto waiting = queue_.devices.find(device.id);
    if (waiting == queue_.devices.end()) return out;
    std::vector<std::string> keys;
    for (const auto& [seq, key] : waiting->second) keys.push_back(key);
    for (const std::string& key : keys) {
        auto it = queue_.commands.find(key);
        queued_command& waiting_command = it->second.command;
        // Its row is still being written: it and those after it wait.
        if (!it->second.durable) break;
        // Its TTL passed: the expiry pass ends it.
        if (waiting_command.expires <= now) continue;
        client_ptr controller = controller_now(waiting_command.controller);
        pending_command flight{controller,
                               waiting_command.id,
                               device.id,
                               device.session,
                               waiting_command.timeout,
                               now + waiting_command.timeout,
                               waiting_command.trace,
                               waiting_command.stored};
        // In flight before it leaves the queue, both under the queue's lock:
        // `status` always finds it in one place.
        if (!add_released(flight)) continue;
        queued_command command = unqueue_locked(it, false);
        command.controller = std::move(controller);
        out.push_back(std::move(command));
    }
    return out;
}

template <class ControllerOf>
command_ledger::restored command_ledger::restore(std::vector<stored_command> rows, steady_time now,
                                                 std::int64_t now_ms,
                                                 ControllerOf&& controller_of) {
    restored done;
    std::lock_guard lock(queue_.mutex);
    for (stored_command& row : rows) {
        std::string key = row.controller + '\n' + row.id;
        if (row.expires_ms <= now_ms) {
            shard& s = shard_for(row.controller);
            {
                std::lock_guard shard_lock(s.mutex);
                remember_end_locked(s, std::move(key), command_state::expired, row.device, now);
            }
            if (store_) store_->erase(row.controller, row.id);
            ++done.expired;
            continue;
        }
        std::optional<trace_context> trace;
        if (!row.trace.empty()) trace = parse_traceparent(row.trace).context;
        queued_command command{controller_of(row.controller),
                               std::move(row.id),
                               std::move(row.device),
                               row.timeout,
                               now + std::chrono::milliseconds(row.expires_ms - now_ms),
                               std::make_shared<const std::string>(std::move(row.frame)),
                               row.ack,
                               trace,
                               row.expires_ms,
                               store_ != nullptr};
        if (queue_.commands.contains(key)) continue;
        queue_locked(std::move(key), std::move(command), true);
        ++done.queued;
    }
    return done;
}

}  // namespace switchboard
