#pragma once
// splitmix64 (Steele, Lea and Flood; Vigna's reference constants): a fast
// 64-bit generator with eight bytes of state, for what needs many cheap
// independent streams: the gateway's span IDs (trace_context, one per
// thread) and the simulator's devices and runners (one each, instead of
// mt19937's five KB). Not for secrets. Meets UniformRandomBitGenerator, so
// <random>'s distributions take it. A plain value: one owner, no lock.

#include <cstdint>
#include <limits>

namespace switchboard {

struct splitmix64 {
    using result_type = std::uint64_t;
    std::uint64_t state;

    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
    result_type operator()() noexcept {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, 1), from the top 53 bits.
    double uniform() noexcept { return double((*this)() >> 11) * 0x1.0p-53; }
};

}  // namespace switchboard
