#pragma once
// Scale-out (docs/scaling.md, "The cluster relay"): the relays this node
// published on `{prefix}/$relay` that still wait for the other nodes' word,
// and which other nodes are up. Every node that reads a relay replies to
// the relaying node whether it held the command (relay_reply). Each relay
// ends here with exactly one outcome:
//  - a node says it held it (it settled the command, or answered the device
//    as late itself): nothing more from here;
//  - every node it waits for said it does not hold it, or went down: the
//    device gets `unknown_command` from here, as one node answers
//    (router::answer_held_nowhere);
//  - the deadline passed with a node still silent: `unknown_command` too.
// The nodes a relay waits for are those up when it was published; a node
// that goes down is no longer waited for. Bounded: past `max_waiting`
// relays, open() refuses (the caller tells the device `overloaded`).
// Owned by the MQTT bridge. Thread-safe: one mutex covers each call, and
// nothing is called while it is held (the caller answers the devices).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client_record.hpp"

namespace switchboard {

class relay_waits {
public:
    using clock = std::chrono::steady_clock;

    struct limits {
        std::size_t max_waiting = 10000;
        std::chrono::milliseconds deadline{45000};
    };

    // A relay that ended held nowhere: whom to answer, about what.
    struct held_nowhere {
        client_ptr device;  // as registered when it answered; null if it had gone
        std::string controller;
        std::string id;
    };

    // `first_seq` should differ across restarts of a node (a clock), so a
    // reply meant for a node's earlier run names no relay of this one.
    relay_waits(limits l, std::uint64_t first_seq);

    enum class open_status {
        opened,    // publish it with `seq`
        no_peers,  // no other node is up: the command cannot be elsewhere
        full,      // max_waiting relays wait already
    };
    struct opened {
        open_status status = open_status::no_peers;
        std::uint64_t seq = 0;
        bool first = false;  // nothing was waiting before: arm the deadline timer
    };
    opened open(client_ptr device, std::string controller, std::string id, clock::time_point now);

    // Its publish was refused: it waits for nothing.
    void cancel(std::uint64_t seq);

    enum class reply_outcome {
        held,           // some node held it: the relay ends, nothing to answer
        held_nowhere,   // the last node waited for does not hold it: answer
        waiting,        // other nodes are still waited for
        no_relay,       // no such relay waits (ended already, or not ours)
        held_too_late,  // a node held one that had ended here as held nowhere
    };
    struct reply_result {
        reply_outcome outcome = reply_outcome::no_relay;
        std::optional<held_nowhere> answer;  // with held_nowhere
    };
    reply_result on_reply(std::uint64_t seq, std::string_view node, bool held);

    // Which other nodes are up (their retained `{prefix}/$nodes/{node}`).
    void peer_up(const std::string& node);
    // A node went down: no relay waits for it any more; those that waited
    // for it alone end held nowhere.
    std::vector<held_nowhere> peer_down(std::string_view node);
    // The broker link was lost: the nodes' words come back with the next
    // subscription. Relays keep waiting (their deadline still holds).
    void forget_peers();

    // The relays whose deadline passed by `now`: held nowhere.
    std::vector<held_nowhere> expire(clock::time_point now);
    std::optional<clock::time_point> next_deadline() const;

    std::size_t peer_count() const;
    std::size_t waiting() const;

private:
    struct entry {
        held_nowhere about;
        clock::time_point deadline;
        std::vector<std::string> waiting_for;
    };

    // Under the lock: keeps the last max_waiting of them.
    void remember_ended(std::uint64_t seq);

    const limits limits_;
    mutable std::mutex mutex_;
    std::uint64_t next_seq_;
    std::set<std::string, std::less<>> peers_;
    // By seq; deadlines grow with seq (one fixed deadline), so the first
    // entry is always the next to expire.
    std::map<std::uint64_t, entry> waits_;
    // Relays ended held nowhere, oldest first, to tell a late `held` reply
    // (the device heard `unknown_command` and the command was settled).
    std::set<std::uint64_t> ended_nowhere_;
};

}  // namespace switchboard
