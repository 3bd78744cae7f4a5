#include "token_bucket.hpp"

#include <algorithm>

namespace switchboard {

token_bucket::token_bucket(double rate, double burst, time_point now) noexcept
    : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

void token_bucket::refill(time_point now) noexcept {
    if (now <= last_)
        return;  // a clock that stands still (or a caller's older reading) adds nothing
    std::chrono::duration<double> elapsed = now - last_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    last_ = now;
}

bool token_bucket::take(time_point now) noexcept {
    if (rate_ <= 0) return true;
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
}

}  // namespace switchboard
