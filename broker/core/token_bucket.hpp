#pragma once
// A token bucket: `rate` tokens a second, at most `burst` saved up. One per
// connection, owned by its session and used only on that session's thread
// (not thread-safe). Time is passed in, so tests need no clock.

#include <chrono>

namespace switchboard {

class token_bucket {
public:
    using time_point = std::chrono::steady_clock::time_point;

    // rate 0 means unlimited: take() always succeeds.
    token_bucket(double rate, double burst, time_point now) noexcept;

    // Takes one token if there is one.
    bool take(time_point now) noexcept;

private:
    void refill(time_point now) noexcept;

    double rate_;
    double burst_;
    double tokens_;
    time_point last_;
};

}  // namespace switchboard
