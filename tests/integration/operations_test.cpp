// The endpoints operators and their tools read: /healthz (liveness), /readyz
// (readiness, draining), /metrics (Prometheus text, scraped over HTTP and
// parsed), /stats, and who may read the last two.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "doc_tables.hpp"
#include "eventually.hpp"
#include "http_get.hpp"
#include "prometheus_text.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
namespace http = boost::beast::http;
using json = nlohmann::json;

namespace {
prometheus_text scrape(unsigned short port) {
    auto res = http_get(port, "/metrics");
    EXPECT_EQ(res.result_int(), 200) << res.body();
    return prometheus_text::parse(res.body());
}

// A controller and an answering device, registered.
struct command_pair {
    explicit command_pair(unsigned short port) : dash(port), pump(port) {
        dash.register_as("dash-1", "controller");
        pump.register_as("pump-1", "device");
        pump.set_handler([](const json& f, ws_test_client& self) {
            if (f["type"] != "command") return;
            self.send({{"type", "response"}, {"to", f["from"]}, {"id", f["id"]}, {"ok", true}});
        });
    }
    void round_trip(const std::string& id) {
        dash.send({{"type", "command"}, {"to", "pump-1"}, {"id", id}, {"name", "ping"}});
        auto res = dash.receive_type("response");
        ASSERT_TRUE(res);
        EXPECT_EQ((*res)["ok"], true);
    }
    ws_test_client dash;
    ws_test_client pump;
};
}  // namespace

TEST(Operations, HealthzIsLivenessOnly) {
    running_gateway gw;
    auto res = http_get(gw.port(), "/healthz");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res[http::field::content_type], "application/json");
    auto body = json::parse(res.body());
    EXPECT_EQ(body["status"], "ok");
    EXPECT_EQ(body["node"], "gw-test");
    EXPECT_FALSE(body.contains("commands_accepted"));
}

TEST(Operations, StatsKeepsTheCountsAsJson) {
    running_gateway gw;
    ws_test_client c(gw.port());
    c.register_as("pump-1", "device");
    auto res = http_get(gw.port(), "/stats");
    EXPECT_EQ(res.result_int(), 200);
    auto body = json::parse(res.body());
    EXPECT_EQ(body["registered"], 1);
    EXPECT_EQ(body["node"], "gw-test");
    EXPECT_EQ(body["mqtt"]["state"], "disabled");
}

// /stats serves every key of docs/operations.md's /stats table and nothing
// else, and each counter there holds the value /metrics serves for it.
TEST(Operations, StatsServesItsDocumentedKeysWithTheMetricsValues) {
    running_gateway gw;
    command_pair p(gw.port());
    for (int i = 0; i < 3; ++i) p.round_trip("c" + std::to_string(i));
    p.dash.send({{"type", "command"}, {"to", "nobody"}, {"id", "x"}, {"name", "ping"}});
    ASSERT_TRUE(p.dash.receive_type("error"));

    auto stats = json::parse(http_get(gw.port(), "/stats").body());
    std::set<std::string> served;
    for (const auto& [key, value] : stats.items()) served.insert(key);
    std::set<std::string> documented;
    for (const auto& row : table_rows(doc_section(read_doc("docs/operations.md"), "## `/stats`"))) {
        auto names = backticked(row.at(0));
        if (names.size() == 1) documented.insert(names[0]);
    }
    EXPECT_EQ(served, documented);

    auto metrics = scrape(gw.port());
    EXPECT_EQ(stats["commands_accepted"], 3);
    EXPECT_EQ(stats["commands_answered"], 3);
    EXPECT_EQ(stats["commands_refused_offline"], 1);
    EXPECT_EQ(stats["sessions_registered"], 2);
    for (const char* key : {"commands_accepted", "commands_refused_offline", "sessions_registered",
                            "connections_accepted", "frames_received"}) {
        SCOPED_TRACE(key);
        EXPECT_GT(stats[key].get<double>(), 0);
    }
    EXPECT_EQ(stats["commands_accepted"].get<double>(),
              metrics["switchboard_commands_accepted_total"]);
    EXPECT_EQ(stats["commands_refused_offline"].get<double>(),
              metrics["switchboard_commands_total{outcome=\"refused_offline\"}"]);
    EXPECT_EQ(stats["sessions_registered"].get<double>(),
              metrics["switchboard_registrations_total{outcome=\"accepted\"}"]);
    EXPECT_EQ(stats["frames_received"].get<double>(), metrics["switchboard_frames_received_total"]);
}

TEST(Operations, ReadyzIsReadyWhileServingAnd503WhileDraining) {
    running_gateway gw;
    auto res = http_get(gw.port(), "/readyz");
    EXPECT_EQ(res.result_int(), 200);
    auto body = json::parse(res.body());
    EXPECT_EQ(body["ready"], true);
    EXPECT_EQ(body["phase"], "serving");
    EXPECT_EQ(scrape(gw.port())["switchboard_ready"], 1);

    ws_test_client before(gw.port());
    before.register_as("dash-1", "controller");  // controllers may list
    gw.get().begin_drain();
    res = http_get(gw.port(), "/readyz");
    EXPECT_EQ(res.result_int(), 503);
    body = json::parse(res.body());
    EXPECT_EQ(body["ready"], false);
    EXPECT_EQ(body["reasons"], json::array({"draining"}));
    EXPECT_EQ(http_get(gw.port(), "/healthz").result_int(), 200);

    ws_test_client after(gw.port());
    EXPECT_FALSE(after.connected());
    auto refused = http_get(gw.port(), "/ws", http::verb::get,
                            {{http::field::connection, "Upgrade"},
                             {http::field::upgrade, "websocket"},
                             {http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ=="},
                             {http::field::sec_websocket_version, "13"}});
    EXPECT_EQ(refused.result_int(), 503);
    // Connections already open keep working until stop() closes them.
    before.send({{"type", "list"}, {"id", "l1"}});
    EXPECT_TRUE(before.receive_type("list"));
    auto metrics = scrape(gw.port());
    EXPECT_EQ(metrics["switchboard_ready"], 0);
    EXPECT_EQ(metrics["switchboard_refusals_total{reason=\"draining\"}"], 2);
}

TEST(Operations, MetricsMoveWithTraffic) {
    running_gateway gw;
    auto res = http_get(gw.port(), "/metrics");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
    auto before = prometheus_text::parse(res.body());
    EXPECT_EQ(before.families["switchboard_commands_total"], "counter");
    EXPECT_EQ(before.families["switchboard_command_round_trip_seconds"], "histogram");
    EXPECT_EQ(before.families["switchboard_clients"], "gauge");
    EXPECT_EQ(
        before["switchboard_build_info{node=\"gw-test\",version=\"" SWITCHBOARD_VERSION "\"}"], 1);
    EXPECT_EQ(before["switchboard_commands_total{outcome=\"ok\"}"], 0);

    command_pair p(gw.port());
    for (int i = 0; i < 5; ++i) p.round_trip("c" + std::to_string(i));
    p.dash.send({{"type", "command"}, {"to", "nobody"}, {"id", "x"}, {"name", "ping"}});
    ASSERT_TRUE(p.dash.receive_type("error"));
    p.dash.send_text("{not json");
    ASSERT_TRUE(p.dash.receive_type("error"));

    auto after = scrape(gw.port());
    EXPECT_EQ(after["switchboard_commands_total{outcome=\"ok\"}"], 5);
    EXPECT_EQ(after["switchboard_commands_total{outcome=\"refused_offline\"}"], 1);
    EXPECT_EQ(after["switchboard_commands_accepted_total"], 5);
    EXPECT_EQ(after["switchboard_command_round_trip_seconds_count{outcome=\"ok\"}"], 5);
    EXPECT_EQ(after["switchboard_command_round_trip_seconds_bucket{outcome=\"ok\",le=\"+Inf\"}"],
              5);
    EXPECT_GT(after["switchboard_command_round_trip_seconds_sum{outcome=\"ok\"}"], 0);
    EXPECT_EQ(after["switchboard_clients{role=\"device\",transport=\"ws\"}"], 1);
    EXPECT_EQ(after["switchboard_clients{role=\"controller\",transport=\"ws\"}"], 1);
    EXPECT_EQ(after["switchboard_open_connections"], 2);
    EXPECT_EQ(after["switchboard_frames_routed_total{type=\"command\"}"], 6);
    EXPECT_EQ(after["switchboard_frames_routed_total{type=\"response\"}"], 5);
    EXPECT_EQ(after["switchboard_frames_sent_total{type=\"command\"}"], 5);
    EXPECT_EQ(after["switchboard_frames_sent_total{type=\"response\"}"], 5);
    EXPECT_EQ(after["switchboard_frames_sent_total{type=\"registered\"}"], 2);
    EXPECT_EQ(after["switchboard_registrations_total{outcome=\"accepted\"}"], 2);
    EXPECT_EQ(after["switchboard_bad_frames_total"], 1);
    EXPECT_EQ(after["switchboard_frames_received_total"], 2 + 6 + 5 + 1);
    EXPECT_GE(after["switchboard_connections_accepted_total"], 2);
}

TEST(Operations, MetricsCanAskForABearerTokenAndStatsToo) {
    const std::string token = "scrape-token-0123456789";
    running_gateway gw([&](gateway_config& c) { c.metrics.bearer_token = token; });
    for (const char* path : {"/metrics", "/stats"}) {
        auto bare = http_get(gw.port(), path);
        EXPECT_EQ(bare.result_int(), 401) << path;
        // RFC 6750: a 401 names the scheme it wants; a wrong token says so.
        EXPECT_EQ(bare[http::field::www_authenticate], R"(Bearer realm="switchboard")") << path;
        auto wrong = http_get(gw.port(), path, http::verb::get,
                              {{http::field::authorization, "Bearer wrong-token-0123456789"}});
        EXPECT_EQ(wrong.result_int(), 401) << path;
        EXPECT_EQ(wrong[http::field::www_authenticate],
                  R"(Bearer realm="switchboard", error="invalid_token")")
            << path;
        EXPECT_EQ(http_get(gw.port(), path, http::verb::get,
                           {{http::field::authorization, "Bearer " + token}})
                      .result_int(),
                  200)
            << path;
    }
    // Probes stay open: a load balancer has no token.
    EXPECT_EQ(http_get(gw.port(), "/healthz").result_int(), 200);
    EXPECT_EQ(http_get(gw.port(), "/readyz").result_int(), 200);
}

// metrics.* reloads live (docs/configuration.md, the reload table): the next
// scrape asks for the new token and refuses the old one.
TEST(Operations, ReloadedMetricsTokenHoldsFromTheNextScrape) {
    const std::string old_token = "scrape-token-0123456789";
    const std::string new_token = "other-token-9876543210";
    running_gateway gw([&](gateway_config& c) { c.metrics.bearer_token = old_token; });
    auto scrape_with = [&](const std::string& token) {
        return http_get(gw.port(), "/metrics", http::verb::get,
                        {{http::field::authorization, "Bearer " + token}})
            .result_int();
    };
    EXPECT_EQ(scrape_with(old_token), 200);
    gateway_config next = gw.get().running_config();
    next.metrics.bearer_token = new_token;
    auto plan = gw.get().reload(next);
    ASSERT_FALSE(plan.refused()) << plan.refusal();
    EXPECT_EQ(plan.summary(), "metrics");
    EXPECT_EQ(scrape_with(old_token), 401);
    EXPECT_EQ(scrape_with(new_token), 200);

    next.metrics = {};
    gw.get().reload(next);
    EXPECT_EQ(http_get(gw.port(), "/metrics").result_int(), 200);
}

TEST(Operations, LoopbackOnlyMetricsServeLoopback) {
    running_gateway gw([](gateway_config& c) { c.metrics.loopback_only = true; });
    EXPECT_EQ(http_get(gw.port(), "/metrics").result_int(), 200);
}

// What docs/operations.md names is what /metrics serves, and the reverse.
TEST(Operations, EveryMetricIsDocumentedAndEveryDocumentedMetricExists) {
    running_gateway gw;
    auto families = scrape(gw.port()).families;
    const std::string doc = read_doc("docs/operations.md");
    std::set<std::string> documented;
    for (const auto& row : table_rows(doc)) {
        for (const std::string& name : backticked(row.at(0))) {
            if (name.starts_with("switchboard_")) documented.insert(name);
        }
    }
    ASSERT_GT(documented.size(), 20u);
    for (const auto& [family, type] : families) {
        EXPECT_TRUE(documented.count(family)) << family << " is not in docs/operations.md";
    }
    for (const auto& d : documented) {
        // The bridge's families appear only with a bridge (tests/bridge checks them).
        if (d.starts_with("switchboard_mqtt_")) continue;
        EXPECT_TRUE(families.count(d)) << d << " is documented but not served";
    }
}

// A burst of connections (core/heap_trim.hpp: 256 accepted plus registered)
// is followed by one malloc_trim once it is over, and /stats and /metrics
// count it with the time it held its I/O thread (in all, and the last one's).
TEST(Operations, ABurstOfConnectionsIsTrimmedOnceAndCounted) {
#ifndef __GLIBC__
    GTEST_SKIP() << "malloc_trim is glibc's";
#endif
    running_gateway gw;
    EXPECT_EQ(gw.stats().heap_trims.load(), 0u);
    client_io io;
    std::vector<std::unique_ptr<ws_test_client>> burst;
    for (int i = 0; i < 256; ++i) {
        auto c = std::make_unique<ws_test_client>(gw.port(), client_options{}, &io);
        ASSERT_TRUE(c->connected()) << c->upgrade_error();
        ASSERT_EQ(c->register_as("dev-" + std::to_string(i), "device")["type"], "registered");
        burst.push_back(std::move(c));
    }
    // The gateway checks once a second and trims once a second passes with
    // fewer than 16 new: read in-process, so waiting adds no connections.
    EXPECT_TRUE(eventually([&] { return gw.stats().heap_trims.load() >= 1; }, 30s));

    auto stats = json::parse(http_get(gw.port(), "/stats").body());
    EXPECT_EQ(stats["heap_trims"], 1);
    EXPECT_GT(stats["heap_trim_last_us"].get<std::int64_t>(), 0);
    EXPECT_EQ(stats["heap_trim_us"], stats["heap_trim_last_us"]);
    EXPECT_GE(stats["heap_trim_released_bytes"].get<std::int64_t>(), 0);
    auto metrics = scrape(gw.port());
    EXPECT_EQ(metrics["switchboard_heap_trims_total"], 1);
    EXPECT_EQ(metrics["switchboard_heap_trim_microseconds_total"],
              stats["heap_trim_us"].get<double>());
    EXPECT_EQ(metrics["switchboard_heap_trim_last_microseconds"],
              stats["heap_trim_last_us"].get<double>());
    EXPECT_EQ(metrics.families["switchboard_heap_trim_last_microseconds"], "gauge");
}
