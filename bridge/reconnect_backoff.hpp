#pragma once
// Delays between reconnection attempts: doubling from `min` up to `max`, each
// drawn at random from its upper half so that many gateways cut off by one
// broker restart do not all knock again at the same instant.
// Owned by mqtt_bridge and used on its strand only; not thread-safe.

#include <chrono>
#include <cstdint>
#include <random>

namespace switchboard {

class reconnect_backoff {
public:
    reconnect_backoff(std::chrono::milliseconds min, std::chrono::milliseconds max,
                      std::uint64_t seed = std::random_device{}());

    // The delay before the next attempt; grows until reset().
    std::chrono::milliseconds next();

    // A connection succeeded: start again from `min`.
    void reset() noexcept { ceiling_ = min_; }

private:
    std::chrono::milliseconds min_;
    std::chrono::milliseconds max_;
    std::chrono::milliseconds ceiling_;
    std::mt19937_64 random_;
};

}  // namespace switchboard
