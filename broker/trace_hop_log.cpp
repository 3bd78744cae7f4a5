#include "trace_hop_log.hpp"

#include <spdlog/spdlog.h>

namespace switchboard {

bool trace_hop_log::wants_hops() const noexcept { return spdlog::should_log(spdlog::level::debug); }

void trace_hop_log::on_hop(const trace_hop_event& event) {
    if (std::uint64_t dropped = 0; limiter_.admit("trace hop", dropped)) {
        spdlog::debug("{}{}", trace_hop_line(event), suppressed_note(dropped));
    }
}

}  // namespace switchboard
