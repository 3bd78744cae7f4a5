#pragma once
// Controller recovery: where a controller's outcomes (responses, errors and
// acks about its commands) wait while it is away, so that a controller that
// registers again with the same ID within the window gets them, in order,
// right after its `registered` (like Socket.IO's connection state recovery,
// and with a store it survives a gateway restart too).
// One box per controller ID: `attached` to its live connection (outcomes go
// straight there), `draining` while that connection is being sent what was
// kept (new outcomes queue behind, so the order holds), or `away` with a
// deadline (outcomes are kept, up to a count per ID and bytes in all). Kept
// frames carry `"recovered":true`. The router decides which frames are
// outcomes and what happens to commands still running when a window ends.
// Thread-safe: sharded by controller ID; no lock is held while a frame is
// sent. Time is passed in, never read, so tests drive it. With a store, kept
// frames are written through it (and forgotten when delivered or expired).

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "client_record.hpp"
#include "command_store.hpp"
#include "endpoint.hpp"

namespace switchboard {

using steady_time = std::chrono::steady_clock::time_point;

// How long and how much is kept for away controllers (limits.recovery_*).
struct recovery_limits {
    std::chrono::milliseconds window{120000};  // 0: nothing is kept
    std::size_t per_controller = 1024;         // frames kept for one ID
    std::size_t total_bytes = 16u << 20;       // bytes of kept frames in all

    bool operator==(const recovery_limits&) const = default;
};

// `frame` (a JSON object) with `"recovered":true` added as its last member.
frame_ptr mark_recovered(const frame_ptr& frame);

class recovery_outbox {
public:
    // What route() did with an outcome: to send to `to`; kept for an away
    // controller; queued behind what an attaching connection is being sent
    // (attach() sends it); refused for the caps.
    enum class routed { live, kept, queued, overflow };
    struct route_result {
        routed how = routed::live;
        client_ptr to;  // live: the connection to send it to
    };
    // What a window that ended left behind.
    struct ended_window {
        std::string controller;
        std::size_t discarded = 0;  // kept frames never delivered
    };

    // Writes kept frames through `store` from now on (null: none).
    void set_store(command_store* store) noexcept { store_ = store; }

    // An outcome for controller `id`: the live connection to send it to, or
    // kept (an ID with no box gets an away one, with a window from `now`),
    // or refused for the caps (overflow: the caller counts and logs it).
    route_result route(const std::string& id, const frame_ptr& frame, const recovery_limits& limits,
                       steady_time now, std::int64_t now_ms);

    // `controller` registered: it is attached, after `send` has been called
    // (never under a lock) with each frame kept for its ID, in order; frames
    // kept past their window are discarded instead (counted in the result's
    // `discarded`). Returns how many were sent.
    struct attach_result {
        std::size_t sent = 0;
        std::size_t discarded = 0;
    };
    attach_result attach(const client_ptr& controller, steady_time now,
                         const std::function<void(const frame_ptr&)>& send);

    // The connection `controller` left at `now`: if its box is still this
    // connection's, its outcomes are kept until `now` + `window` (a window of
    // 0 forgets the box). Returns whether the box is now away.
    bool leave(const client_record& controller, std::chrono::milliseconds window, steady_time now,
               std::int64_t now_ms);

    // The boxes whose window ended at or before `now`, removed.
    std::vector<ended_window> take_expired(steady_time now);

    // Boxes from the store's kept outcomes (a restart), each away until its
    // deadline (system_clock ms); rows past it are dropped from the store.
    // Returns how many frames were restored and how many had expired.
    struct restored {
        std::size_t kept = 0;
        std::size_t expired = 0;
    };
    restored restore(std::vector<kept_outcome> rows, steady_time now, std::int64_t now_ms);

    // Frames kept now, and their bytes.
    std::size_t kept_frames() const;
    std::size_t kept_bytes() const noexcept { return bytes_.load(std::memory_order_relaxed); }

    // Forgets everything, writing nothing (shutdown).
    void clear();

private:
    enum class state { attached, draining, away };
    struct box {
        state is = state::away;
        client_ptr link;  // attached or draining: the connection
        std::deque<frame_ptr> frames;
        std::size_t bytes = 0;
        steady_time deadline{};
        std::int64_t deadline_ms = 0;
        std::multimap<steady_time, std::string>::iterator by_deadline;
        bool stored = false;  // some of its frames have rows
    };
    struct shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, box> boxes;
        std::multimap<steady_time, std::string> deadlines;  // away boxes
    };
    static constexpr std::size_t shard_count = 16;

    shard& shard_for(std::string_view id);
    // Makes `b` away until the given deadline (shard locked).
    void go_away_locked(shard& s, const std::string& id, box& b, steady_time deadline,
                        std::int64_t deadline_ms);
    // Drops `b`'s frames and their rows (shard locked); returns how many.
    std::size_t discard_locked(const std::string& id, box& b);

    command_store* store_ = nullptr;
    std::atomic<std::size_t> bytes_{0};
    std::array<shard, shard_count> shards_;
};

}  // namespace switchboard
