#include "trace_hops.hpp"

#include "log_text.hpp"

namespace switchboard {

std::string_view to_string(trace_hop hop) noexcept {
    switch (hop) {
        case trace_hop::accepted:
            return "accepted";
        case trace_hop::handed_to_device:
            return "handed_to_device";
        case trace_hop::response_received:
            return "response_received";
        case trace_hop::outcome_sent:
            return "outcome_sent";
    }
    return "accepted";
}

std::string trace_hop_line(const trace_hop_event& event) {
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(event.at - event.accepted).count();
    std::string line;
    line.reserve(160 + event.controller.size() + event.device.size());
    line.append("trace ").append(event.trace.trace_id_view());
    line.append(" span ").append(event.trace.parent_id_view());
    line.append(" command '").append(log_safe(event.command_id, 64)).append("' ");
    // IDs follow the ID grammar (id_rules.hpp): nothing in them to escape.
    line.append(event.controller).append(" -> ").append(event.device).append(": ");
    line.append(to_string(event.hop));
    if (!event.detail.empty()) line.append(" ").append(event.detail);
    line.append(" +").append(std::to_string(micros)).append(" us");
    return line;
}

}  // namespace switchboard
