#pragma once

#include "core/rate_limiter.hpp"

namespace switchboard::testing {

// A rate limit small enough to reach in a test: 10 frames a second, a burst
// of 10, closed after 5 refusals.
inline rate_limit_options tight_rate() {
    rate_limit_options o;
    o.frames_per_second = 10;
    o.burst = 10;
    o.close_after = 5;
    return o;
}

}  // namespace switchboard::testing
