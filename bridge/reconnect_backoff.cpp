#include "reconnect_backoff.hpp"

#include <algorithm>

namespace switchboard {

reconnect_backoff::reconnect_backoff(std::chrono::milliseconds min, std::chrono::milliseconds max,
                                     std::uint64_t seed)
    : min_(std::max(min, std::chrono::milliseconds(1))),
      max_(std::max(max, min_)),
      ceiling_(min_),
      random_(seed) {}

std::chrono::milliseconds reconnect_backoff::next() {
    auto high = ceiling_.count();
    auto low = std::max<std::int64_t>(1, high / 2);
    std::uniform_int_distribution<std::int64_t> pick(low, high);
    auto delay = std::chrono::milliseconds(pick(random_));
    ceiling_ = std::min(max_, ceiling_ * 2);
    return delay;
}

}  // namespace switchboard
