#pragma once
// When to hand the heap's free pages back to the kernel (glibc's
// malloc_trim). A burst of connections, TLS ones above all, holds tens of
// KiB each while it handshakes (asio's stream with its 2 x 17 KiB, OpenSSL's
// handshake and record buffers); they are freed after the upgrade, but the
// heap keeps their pages: 3,000 wss:// connections made at full speed left
// 29.3 KiB each of RSS, and 18.2 after a trim (docs/benchmarks.md,
// 2026-12-03). So after a burst of at least `min_burst` connections, trim
// once the burst is over (fewer than `quiet_below` new in one check), or
// every `max_checks` checks while it goes on. Plain state, no clock: check()
// is called about once a second (gateway's tick, on one thread).

#include <cstdint>

namespace switchboard {

class heap_trim {
public:
    static constexpr std::uint64_t min_burst = 256;
    static constexpr std::uint64_t quiet_below = 16;
    static constexpr unsigned max_checks = 30;

    // `accepted`: connections accepted plus sessions registered so far (it
    // only grows; registrations count because a burst of accepts is over
    // long before its handshakes are). True when the heap should be trimmed now.
    bool check(std::uint64_t accepted) noexcept {
        const std::uint64_t burst = accepted - at_last_trim_;
        const std::uint64_t since_check = accepted - at_last_check_;
        at_last_check_ = accepted;
        if (burst < min_burst) {
            checks_ = 0;
            return false;
        }
        if (since_check >= quiet_below && ++checks_ < max_checks) return false;
        at_last_trim_ = accepted;
        checks_ = 0;
        return true;
    }

private:
    std::uint64_t at_last_trim_ = 0;
    std::uint64_t at_last_check_ = 0;
    unsigned checks_ = 0;  // checks since the burst passed min_burst, while it goes on
};

}  // namespace switchboard
