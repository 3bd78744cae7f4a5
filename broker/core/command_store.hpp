#pragma once
// Where queued commands (`ttl_ms`) outlive the gateway: the interface the
// command ledger writes through, so the ledger and router stay testable
// without a database (tests use a fake that commits when told). The gateway
// opens the SQLite one (broker/store/sqlite_command_store) when `store.path` is set;
// without it nothing is stored and nothing survives a restart.
// Also the outcomes kept for away controllers (controller recovery). Every
// write is safe cross thread and never blocks on the disk: writes are
// applied in the order called, and a put's `done` runs once its row is
// committed (or the write failed), on the store's own thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "named_values.hpp"

namespace switchboard {

// How hard a commit holds on: `normal` survives the process being killed
// (kill -9, a crash) but the last commits may be lost on power loss; `full`
// survives power loss too, at an fsync per commit.
enum class store_sync { normal, full };
inline constexpr named_value<store_sync> store_sync_names[] = {{"normal", store_sync::normal},
                                                               {"full", store_sync::full}};

// The `store` section of the config.
struct store_options {
    std::string path;  // empty: in memory only, as without a store
    store_sync sync = store_sync::normal;

    bool operator==(const store_options&) const = default;
};

// One queued command as stored: enough to queue it again after a restart.
struct stored_command {
    std::string controller;
    std::string id;
    std::string device;
    std::string frame;  // the `command` frame as the device gets it
    std::chrono::milliseconds timeout{0};
    // When its TTL passes, in system_clock milliseconds since the epoch: a
    // steady_clock time means nothing to the next process.
    std::int64_t expires_ms = 0;
    bool ack = false;
    std::string trace;  // the traceparent sent to the device; empty for none

    bool operator==(const stored_command&) const = default;
};

// An outcome kept for a controller that was away (recovery_outbox): the
// frame as it will be sent, kept until `deadline_ms` (system_clock ms).
struct kept_outcome {
    std::string controller;
    std::string frame;
    std::int64_t deadline_ms = 0;
};

class command_store {
public:
    // Runs on the store's thread once a put is committed (true) or failed.
    using done_fn = std::function<void(bool durable)>;

    virtual ~command_store() = default;

    // Stores a queued command (replacing one with its controller and ID).
    virtual void put(stored_command command, done_fn done) = 0;

    // Forgets a command: it ended. Not waited for: a delete lost in a crash
    // only sends the command again (at-least-once; devices dedupe by ID).
    virtual void erase(std::string_view controller, std::string_view id) = 0;

    // Every stored command, in the order put. At start-up, before any put.
    virtual std::vector<stored_command> load() = 0;

    // Keeps an outcome for an away controller, after the writes before it.
    // Not waited for: the frame is already kept in memory; a crash before
    // its commit loses it (counted nowhere, as the frame itself would be).
    virtual void keep_outcome(kept_outcome outcome) = 0;

    // Forgets every outcome kept for `controller`: delivered or expired.
    virtual void forget_outcomes(std::string_view controller) = 0;

    // Every kept outcome, in the order kept. At start-up.
    virtual std::vector<kept_outcome> load_outcomes() = 0;
};

}  // namespace switchboard
