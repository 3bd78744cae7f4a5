#pragma once
// The hops of a traced command (one that carried a `traceparent`), as the
// router sees them: accepted from the controller, handed to the device's
// connection, its response received, its outcome sent to the controller.
// The router tells a trace_hop_sink of each, with times, only when the sink
// wants them (the gateway's sink: the log at debug level), so a command
// without a traceparent, or with the log above debug, costs one branch.
// Plain logic; the sink is called on the thread that routes the frame.

#include <chrono>
#include <string>
#include <string_view>

#include "trace_context.hpp"

namespace switchboard {

enum class trace_hop { accepted, handed_to_device, response_received, outcome_sent };

std::string_view to_string(trace_hop hop) noexcept;

struct trace_hop_event {
    trace_hop hop = trace_hop::accepted;
    const trace_context& trace;  // as the gateway sent it on: its own span as parent-id
    std::string_view controller;
    std::string_view device;
    std::string_view command_id;
    std::chrono::steady_clock::time_point accepted;  // when the router accepted the command
    std::chrono::steady_clock::time_point at;        // when this hop happened
    std::string_view detail;  // the transport handed to; the outcome sent (ok, error, timeout)
};

// One log line for `event`, keyed by its trace-id first: "trace <trace-id>
// span <span> command '<id>' <controller> -> <device>: <hop> [<detail>]
// +<microseconds since accepted> us". Client text (the command ID) is
// escaped (log_text.hpp); nothing of the command's payload is written.
std::string trace_hop_line(const trace_hop_event& event);

// Told of every hop of a traced command. Any thread; must not block.
class trace_hop_sink {
public:
    virtual ~trace_hop_sink() = default;
    // Whether hops are wanted now (asked once per command and per response).
    virtual bool wants_hops() const noexcept = 0;
    virtual void on_hop(const trace_hop_event& event) = 0;
};

}  // namespace switchboard
