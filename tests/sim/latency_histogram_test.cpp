// latency_histogram: bucket arithmetic, precision, percentiles, merging.

#include "latency_histogram.hpp"

#include <gtest/gtest.h>

#include <random>

using switchboard::sim::latency_histogram;

TEST(LatencyHistogram, SmallValuesAreExact) {
    for (std::uint64_t v = 0; v < 256; ++v) {
        auto b = latency_histogram::bucket_of(v);
        EXPECT_EQ(latency_histogram::bucket_lowest(b), v);
        EXPECT_EQ(latency_histogram::bucket_highest(b), v);
    }
}

TEST(LatencyHistogram, BucketsAreContiguousAndWithinOnePercent) {
    for (std::size_t i = 1; i < latency_histogram::bucket_count(); ++i) {
        ASSERT_EQ(latency_histogram::bucket_lowest(i), latency_histogram::bucket_highest(i - 1) + 1)
            << i;
        double lo = double(latency_histogram::bucket_lowest(i));
        double hi = double(latency_histogram::bucket_highest(i));
        ASSERT_LE((hi - lo) / lo, 1.0 / 128 + 1e-12) << i;
    }
}

TEST(LatencyHistogram, EveryValueFallsInItsBucket) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 100000; ++i) {
        std::uint64_t v = rng() >> (rng() % 60 + 4);
        if (v > latency_histogram::highest_trackable_ns) continue;
        auto b = latency_histogram::bucket_of(v);
        ASSERT_LE(latency_histogram::bucket_lowest(b), v);
        ASSERT_GE(latency_histogram::bucket_highest(b), v);
    }
}

TEST(LatencyHistogram, PercentilesOfAUniformRun) {
    latency_histogram h;
    for (std::uint64_t us = 1; us <= 10000; ++us) h.record(std::chrono::microseconds(us));
    EXPECT_EQ(h.count(), 10000u);
    EXPECT_EQ(h.min_ns(), 1000u);
    EXPECT_EQ(h.max_ns(), 10'000'000u);
    EXPECT_NEAR(double(h.percentile_ns(50)), 5'000'000.0, 5'000'000.0 / 128);
    EXPECT_NEAR(double(h.percentile_ns(99)), 9'900'000.0, 9'900'000.0 / 128);
    EXPECT_NEAR(double(h.percentile_ns(99.9)), 9'990'000.0, 9'990'000.0 / 128);
    EXPECT_EQ(h.percentile_ns(100), 10'000'000u);
    EXPECT_NEAR(h.mean_ns(), 5'000'500.0, 1.0);
}

TEST(LatencyHistogram, ATailIsNotAveragedAway) {
    latency_histogram h;
    for (int i = 0; i < 9990; ++i) h.record(std::chrono::microseconds(100));
    for (int i = 0; i < 10; ++i) h.record(std::chrono::milliseconds(50));
    EXPECT_LE(h.percentile_ns(99), 101'000u);
    EXPECT_GE(h.percentile_ns(99.95), 49'000'000u);
}

TEST(LatencyHistogram, MergeAddsCounts) {
    latency_histogram a, b;
    a.record_ns(1000);
    b.record_ns(3000);
    b.record_ns(5000);
    a.merge(b);
    EXPECT_EQ(a.count(), 3u);
    EXPECT_EQ(a.min_ns(), 1000u);
    EXPECT_EQ(a.max_ns(), 5000u);
    EXPECT_NEAR(double(a.percentile_ns(50)), 3000.0, 3000.0 / 128);
}

TEST(LatencyHistogram, EmptyAndHugeValues) {
    latency_histogram h;
    EXPECT_EQ(h.percentile_ns(99), 0u);
    EXPECT_EQ(h.min_ns(), 0u);
    h.record_ns(~std::uint64_t(0));  // clamped into the last bucket, not out of range
    EXPECT_EQ(h.count(), 1u);
    h.record(std::chrono::nanoseconds(-5));  // a clock step backwards counts as 0
    EXPECT_EQ(h.min_ns(), 0u);
}
