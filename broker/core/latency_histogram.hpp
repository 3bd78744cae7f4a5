#pragma once
// A fixed-bucket histogram of durations: the command round-trip latency
// behind /metrics. Any thread records with relaxed atomics (a search over
// the bounds and two adds, no lock); a scrape copies it at any time. The
// copy is not one instant (a record may land between two bucket reads),
// which a monitoring sample can bear.
// Thread-safe.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace switchboard {

class latency_histogram {
public:
    // Upper bounds of the buckets in microseconds, 100 µs to 10 s; a last,
    // unbounded bucket holds the rest.
    static constexpr std::array<std::uint64_t, 15> bounds_us{
        100,   250,    500,    1000,   2500,    5000,    10000,   25000,
        50000, 100000, 250000, 500000, 1000000, 2500000, 10000000};
    static constexpr std::size_t bucket_count = bounds_us.size() + 1;

    struct snapshot {
        std::array<std::uint64_t, bucket_count> counts{};  // per bucket, not cumulative
        std::uint64_t count = 0;
        std::uint64_t sum_us = 0;
    };

    void record(std::chrono::microseconds duration) noexcept {
        auto us = static_cast<std::uint64_t>(duration.count() < 0 ? 0 : duration.count());
        std::size_t i = 0;
        while (i < bounds_us.size() && us > bounds_us[i]) ++i;
        buckets_[i].fetch_add(1, std::memory_order_relaxed);
        sum_us_.fetch_add(us, std::memory_order_relaxed);
    }

    snapshot read() const noexcept {
        snapshot s;
        for (std::size_t i = 0; i < bucket_count; ++i) {
            s.counts[i] = buckets_[i].load(std::memory_order_relaxed);
            s.count += s.counts[i];
        }
        s.sum_us = sum_us_.load(std::memory_order_relaxed);
        return s;
    }

private:
    std::array<std::atomic<std::uint64_t>, bucket_count> buckets_{};
    std::atomic<std::uint64_t> sum_us_{0};
};

}  // namespace switchboard
