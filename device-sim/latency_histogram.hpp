#pragma once
// A latency histogram in the HDR style: log-linear buckets, exact below 256 ns
// and within 1/128 (0.8 %) above, up to about 18 minutes, in constant memory
// (about 68 KB) and with O(1) recording, so percentiles (p99.9 included) come
// from every sample rather than from an average or a sample of samples.
// Plain value type; not thread-safe: one per recording thread, merged after.

#include <chrono>
#include <cstdint>
#include <vector>

namespace switchboard::sim {

class latency_histogram {
public:
    latency_histogram();

    void record(std::chrono::nanoseconds latency) noexcept;
    void record_ns(std::uint64_t ns) noexcept;
    void merge(const latency_histogram& other);
    void clear();

    std::uint64_t count() const noexcept { return count_; }
    std::uint64_t min_ns() const noexcept { return count_ ? min_ : 0; }
    std::uint64_t max_ns() const noexcept { return max_; }
    double mean_ns() const noexcept { return count_ ? double(sum_) / double(count_) : 0.0; }
    // The smallest recorded-bucket value at or below which `percent` % of
    // samples lie (the bucket's highest equivalent value, capped at max).
    std::uint64_t percentile_ns(double percent) const noexcept;

    // Bucket arithmetic, public for tests.
    static constexpr int sub_bucket_bits = 8;
    static constexpr std::uint64_t highest_trackable_ns = (std::uint64_t(1) << 40) - 1;
    static std::size_t bucket_of(std::uint64_t ns) noexcept;
    static std::uint64_t bucket_lowest(std::size_t index) noexcept;
    static std::uint64_t bucket_highest(std::size_t index) noexcept;
    static std::size_t bucket_count() noexcept;

private:
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::uint64_t sum_ = 0;
    std::uint64_t min_ = ~std::uint64_t(0);
    std::uint64_t max_ = 0;
};

}  // namespace switchboard::sim
