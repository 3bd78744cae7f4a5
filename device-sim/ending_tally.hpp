#pragma once
// Why a fleet's connections ended without the simulator asking, counted by
// kind: a refused upgrade by HTTP status and reason ("HTTP 403 Forbidden"),
// a broker's refusal by reason code ("MQTT CONNACK 135 Not authorized"), a
// close by code and reason ("close 4008 rate limit exceeded repeatedly"), a
// failed or lost connection by its error ("connect: Connection refused").
// Shown in the progress line and the summary, and named in the exit message
// of a fleet that never came online.
//
// Bumped from every I/O thread under a lock (endings are rare next to
// frames); at most `max_kinds` kinds are kept apart, the rest count as
// "other", so a server that puts a counter in its close reasons cannot grow it.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/transport.hpp"

namespace switchboard::sim {

// The kind under which an ending is counted; empty when it is not counted
// (the simulator closed it itself).
std::string ending_kind(const client::close_info& info);

class ending_tally {
public:
    static constexpr std::size_t max_kinds = 32;

    void add(std::string_view kind);
    std::uint64_t total() const;
    // Kinds, most frequent first (ties by name).
    std::vector<std::pair<std::string, std::uint64_t>> by_count() const;

private:
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, std::uint64_t>> kinds_;
    std::uint64_t total_ = 0;
};

}  // namespace switchboard::sim
