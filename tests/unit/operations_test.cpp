// Plain logic behind the operations endpoints: the latency histogram,
// readiness, and who may read /metrics.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/bridge_status.hpp"
#include "core/latency_histogram.hpp"
#include "core/metrics_access.hpp"
#include "core/readiness.hpp"

namespace switchboard {
namespace {

using namespace std::chrono_literals;

TEST(LatencyHistogram, EachDurationLandsInTheFirstBucketThatHoldsIt) {
    latency_histogram h;
    h.record(0us);
    h.record(100us);  // on a bound: that bucket
    h.record(101us);  // just over: the next
    h.record(-5us);   // a clock step backwards counts as zero
    h.record(3600s);  // past the last bound
    auto s = h.read();
    EXPECT_EQ(s.count, 5u);
    EXPECT_EQ(s.counts[0], 3u);
    EXPECT_EQ(s.counts[1], 1u);
    EXPECT_EQ(s.counts[latency_histogram::bucket_count - 1], 1u);
    EXPECT_EQ(s.sum_us, 100u + 101u + 3600u * 1000000u);
}

TEST(Readiness, OnlyServingWithAConnectedBridgeIsReady) {
    EXPECT_TRUE(assess_readiness(gateway_phase::serving, std::nullopt).ready);
    EXPECT_TRUE(assess_readiness(gateway_phase::serving, "connected").ready);

    auto starting = assess_readiness(gateway_phase::starting, std::nullopt);
    EXPECT_FALSE(starting.ready);
    EXPECT_EQ(starting.reasons, std::vector<std::string>{"starting"});

    auto both = assess_readiness(gateway_phase::draining, "reconnecting");
    EXPECT_FALSE(both.ready);
    EXPECT_EQ(both.reasons, (std::vector<std::string>{"draining", "mqtt bridge reconnecting"}));

    auto body =
        nlohmann::json::parse(readiness_json(both, gateway_phase::draining, "reconnecting"));
    EXPECT_EQ(body["ready"], false);
    EXPECT_EQ(body["phase"], "draining");
    EXPECT_EQ(body["mqtt"], "reconnecting");
    EXPECT_EQ(body["reasons"][1], "mqtt bridge reconnecting");
    auto plain =
        nlohmann::json::parse(readiness_json(assess_readiness(gateway_phase::serving, std::nullopt),
                                             gateway_phase::serving, std::nullopt));
    EXPECT_EQ(plain["ready"], true);
    EXPECT_EQ(plain["mqtt"], "disabled");
    EXPECT_TRUE(plain["reasons"].empty());
}

// A bridge connected but not yet subscribed is not ready: its MQTT clients'
// first frames could still be missed.
TEST(Readiness, AConnectedBridgeIsReadyOnlyOnceSubscribed) {
    bridge_stats s;
    s.state = "connected";
    s.connected = true;
    EXPECT_EQ(readiness_state(s), "subscribing");
    EXPECT_FALSE(assess_readiness(gateway_phase::serving, readiness_state(s)).ready);
    s.subscribed = true;
    EXPECT_EQ(readiness_state(s), "connected");
    EXPECT_TRUE(assess_readiness(gateway_phase::serving, readiness_state(s)).ready);
    s = bridge_stats{};
    s.state = "reconnecting";
    EXPECT_EQ(readiness_state(s), "reconnecting");
}

TEST(MetricsAccess, LoopbackOnlyAndBearerToken) {
    using v = metrics_access::verdict;
    metrics_access open(metrics_options{});
    EXPECT_EQ(open.check(false, ""), v::allowed);

    metrics_access local(metrics_options{.loopback_only = true});
    EXPECT_EQ(local.check(true, ""), v::allowed);
    EXPECT_EQ(local.check(false, ""), v::not_loopback);

    metrics_access token(metrics_options{.bearer_token = "scrape-secret-0123456789"});
    // No bearer token at all (RFC 6750: no error code) versus a wrong one.
    EXPECT_EQ(token.check(true, ""), v::no_token);
    EXPECT_EQ(token.check(false, "Basic c2NyYXBlLXNlY3JldC0wMTIzNDU2Nzg5"), v::no_token);
    EXPECT_EQ(token.check(false, "Bearer wrong-secret-0123456789"), v::bad_token);
    EXPECT_EQ(token.check(false, "Bearer scrape-secret-0123456789"), v::allowed);
    EXPECT_EQ(token.check(false, "bearer scrape-secret-0123456789"), v::allowed);
}

}  // namespace
}  // namespace switchboard
