#pragma once
// Waits, bounded, for something another thread makes true: a counter the
// gateway bumps after the client already saw the effect, for instance.

#include <chrono>
#include <thread>

namespace switchboard::test {

template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds within = std::chrono::seconds(5)) {
    auto deadline = std::chrono::steady_clock::now() + within;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace switchboard::test
