#include "broker_watchdog.hpp"

#include <algorithm>

namespace switchboard {

broker_watchdog::broker_watchdog(std::chrono::milliseconds limit) noexcept
    : limit_(std::max(limit, std::chrono::milliseconds(1))) {}

void broker_watchdog::connected(clock::time_point now) noexcept {
    last_heard_ = now;
    probe_out_ = false;
}

void broker_watchdog::heard(clock::time_point now) noexcept {
    last_heard_ = std::max(last_heard_, now);
    probe_out_ = false;
}

broker_watchdog::verdict broker_watchdog::check(clock::time_point now,
                                                bool publishes_awaited) noexcept {
    auto silence = now - last_heard_;
    if ((publishes_awaited || probe_out_) && silence >= limit_) return verdict::lost;
    if (!probe_out_ && !publishes_awaited && silence >= limit_ / 2) {
        probe_out_ = true;
        return verdict::probe;
    }
    return verdict::fine;
}

std::chrono::milliseconds broker_watchdog::tick() const noexcept {
    return std::clamp(limit_ / 8, std::chrono::milliseconds(1), std::chrono::milliseconds(1000));
}

}  // namespace switchboard
