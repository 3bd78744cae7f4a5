#pragma once
// The gateway's trace_hop_sink (core/trace_hops.hpp): each hop of a traced
// command becomes one debug line of the gateway's log (docs/operations.md,
// "Tracing a command"). Wants hops only while the log is at debug level, so
// above it a traced command costs the router one check. A controller can
// send traced commands again and again, so the lines pass a log limiter of
// their own (a few hundred a second: four per command).
// Owned by the gateway, which outlives its I/O threads. Any thread.

#include "core/log_text.hpp"
#include "core/trace_hops.hpp"

namespace switchboard {

class trace_hop_log final : public trace_hop_sink {
public:
    bool wants_hops() const noexcept override;
    void on_hop(const trace_hop_event& event) override;

private:
    log_limiter limiter_{400, 800};
};

}  // namespace switchboard
