#include "rate_limiter.hpp"

namespace switchboard {

rate_limiter::rate_limiter(const rate_limit_options& options, time_point now) noexcept
    : bucket_(options.frames_per_second, options.burst, now),
      close_after_(options.close_after),
      window_start_(now) {}

rate_limiter::verdict rate_limiter::on_frame(time_point now) noexcept {
    if (bucket_.take(now)) return verdict::pass;
    if (now - window_start_ >= std::chrono::seconds(1)) {
        window_start_ = now;
        refused_in_window_ = 0;
    }
    ++refused_in_window_;
    return refused_in_window_ > close_after_ ? verdict::close : verdict::refuse;
}

}  // namespace switchboard
