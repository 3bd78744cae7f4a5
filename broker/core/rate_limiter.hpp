#pragma once
// Frames-per-second limit of one connection: a token bucket, plus the rule
// that a client which keeps flooding is cut off. Each frame over the rate is
// refused (`rate_limited`); more than `close_after` refusals within one
// second means the client ignores the errors, and it is closed with 4008.
// Owned by a session and used only on its thread (not thread-safe).

#include <chrono>
#include <cstdint>

#include "token_bucket.hpp"

namespace switchboard {

struct rate_limit_options {
    double frames_per_second = 200;   // 0: unlimited
    double burst = 400;               // frames a quiet client may send at once
    std::uint32_t close_after = 100;  // refusals within a second before close 4008

    bool operator==(const rate_limit_options&) const = default;
};

class rate_limiter {
public:
    enum class verdict { pass, refuse, close };
    using time_point = token_bucket::time_point;

    rate_limiter(const rate_limit_options& options, time_point now) noexcept;

    // Called once per received frame.
    verdict on_frame(time_point now) noexcept;

private:
    token_bucket bucket_;
    std::uint32_t close_after_;
    time_point window_start_;
    std::uint32_t refused_in_window_ = 0;
};

}  // namespace switchboard
