#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace switchboard::sim {

namespace {
constexpr std::uint64_t linear = std::uint64_t(1) << latency_histogram::sub_bucket_bits;  // 256
constexpr std::uint64_t half = linear / 2;                                                // 128
}  // namespace

// Values below `linear` have a bucket each. Above, the range [2^h, 2^(h+1))
// is split into `half` buckets of width 2^k, k = h - bits + 1.
std::size_t latency_histogram::bucket_of(std::uint64_t ns) noexcept {
    if (ns > highest_trackable_ns) ns = highest_trackable_ns;
    if (ns < linear) return static_cast<std::size_t>(ns);
    int h = 63 - std::countl_zero(ns);
    int k = h - sub_bucket_bits + 1;
    return static_cast<std::size_t>(linear + std::uint64_t(k - 1) * half + ((ns >> k) - half));
}

std::uint64_t latency_histogram::bucket_lowest(std::size_t index) noexcept {
    if (index < linear) return index;
    std::uint64_t r = index - linear;
    int k = static_cast<int>(r / half) + 1;
    std::uint64_t sub = r % half + half;
    return sub << k;
}

std::uint64_t latency_histogram::bucket_highest(std::size_t index) noexcept {
    if (index < linear) return index;
    std::uint64_t r = index - linear;
    int k = static_cast<int>(r / half) + 1;
    std::uint64_t sub = r % half + half;
    return ((sub + 1) << k) - 1;
}

std::size_t latency_histogram::bucket_count() noexcept {
    return bucket_of(highest_trackable_ns) + 1;
}

latency_histogram::latency_histogram() : counts_(bucket_count(), 0) {}

void latency_histogram::record(std::chrono::nanoseconds latency) noexcept {
    record_ns(latency.count() < 0 ? 0 : static_cast<std::uint64_t>(latency.count()));
}

void latency_histogram::record_ns(std::uint64_t ns) noexcept {
    ++counts_[bucket_of(ns)];
    ++count_;
    sum_ += ns;
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
}

void latency_histogram::merge(const latency_histogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

void latency_histogram::clear() {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = sum_ = max_ = 0;
    min_ = ~std::uint64_t(0);
}

std::uint64_t latency_histogram::percentile_ns(double percent) const noexcept {
    if (count_ == 0) return 0;
    percent = std::clamp(percent, 0.0, 100.0);
    auto target = static_cast<std::uint64_t>(std::ceil(percent / 100.0 * double(count_)));
    if (target == 0) target = 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= target) return std::min(bucket_highest(i), max_);
    }
    return max_;
}

}  // namespace switchboard::sim
