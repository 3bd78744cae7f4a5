// The load generator against the real gateway and a simulated fleet: every
// command it sends is accounted for (sent = answered + queued + errors +
// timeouts + cut_off + lost, lost = 0), in closed and open loop, with errors and timeouts in the
// mix; the JSON report parses and every field is documented.

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <regex>
#include <sstream>

#include "child_process.hpp"
#include "fleet_runner.hpp"
#include "load_runner.hpp"
#include "running_gateway.hpp"
#include "test_paths.hpp"

using namespace switchboard;
using namespace switchboard::sim;
using namespace switchboard::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct fleet_fixture {
    explicit fleet_fixture(std::size_t devices, const std::string& prefix = "dev-",
                           const std::function<void(gateway_config&)>& tune = {})
        : gw(tune) {
        fleet_options fo;
        fo.plan.gateway_url = url();
        device_group g;
        g.id_prefix = prefix;
        g.count = devices;
        g.slow = 3s;
        fo.plan.groups = {g};
        fleet = std::make_unique<fleet_runner>(fo);
        fleet->start();
    }
    std::string url() const { return "ws://127.0.0.1:" + std::to_string(gw.port()) + "/ws"; }
    load_options options() const {
        load_options o;
        o.gateway_url = url();
        o.controllers = 4;
        o.inflight = 8;
        o.duration = 1s;
        o.devices = 50;
        o.gateway_pid = ::getpid();
        return o;
    }
    running_gateway gw;
    std::unique_ptr<fleet_runner> fleet;
};

void expect_accounted(const load_result& r) {
    EXPECT_EQ(r.lost, 0u);
    EXPECT_EQ(r.sent, r.answered + r.queued + r.errors_total + r.timeouts + r.cut_off + r.lost)
        << r.to_table();
    EXPECT_EQ(r.answered, r.answered_ok + r.answered_failed);
    EXPECT_EQ(r.stray_frames, 0u);
    std::uint64_t by_code = 0;
    for (const auto& [code, n] : r.errors) by_code += n;
    EXPECT_EQ(by_code, r.errors_total);
}

// Every key path of `j` ("latency_us.p99", "errors", ...).
void key_paths(const json& j, const std::string& prefix, std::vector<std::string>& out) {
    for (auto& [k, v] : j.items()) {
        std::string path = prefix.empty() ? k : prefix + "." + k;
        out.push_back(path);
        if (v.is_object() && k != "errors") key_paths(v, path, out);
    }
}

}  // namespace

TEST(Load, ClosedLoopCountsAddUpWithNothingLost) {
    fleet_fixture f(50);
    ASSERT_TRUE(f.fleet->wait_all_online(20s));
    auto r = load_runner(f.options()).run();
    expect_accounted(r);
    EXPECT_GT(r.answered, 100u);
    EXPECT_EQ(r.answered, r.answered_ok);
    EXPECT_EQ(r.errors_total, 0u);
    EXPECT_GT(r.round_trips_per_s, 0);
    EXPECT_EQ(r.latency.count(), r.answered);
    EXPECT_GT(r.latency.percentile_ns(99), 0u);
    ASSERT_TRUE(r.gateway);
    EXPECT_GT(r.gateway->cpu_s, 0);
    // The fleet answered exactly what the generator counted (plus nothing else).
    EXPECT_EQ(fleet_stats::get(f.fleet->stats().answered_ok), r.answered);
}

TEST(Load, OpenLoopMeasuresFromTheIntendedSendTime) {
    fleet_fixture f(50);
    ASSERT_TRUE(f.fleet->wait_all_online(20s));
    auto o = f.options();
    o.rate = 400;
    o.warmup = 200ms;
    auto r = load_runner(o).run();
    expect_accounted(r);
    EXPECT_EQ(r.mode, "open");
    EXPECT_TRUE(r.latency_from_intended);
    EXPECT_NEAR(double(r.sent), 400.0, 60.0);  // one second at 400/s
}

TEST(Load, OfflineTargetsAndFailuresAreCountedNotLost) {
    fleet_fixture f(40);
    ASSERT_TRUE(f.fleet->wait_all_online(20s));
    auto o = f.options();
    o.devices = 50;  // dev-40 .. dev-49 are not there
    o.command = "fail";
    auto r = load_runner(o).run();
    expect_accounted(r);
    EXPECT_GT(r.errors["offline"], 0u);
    EXPECT_GT(r.answered_failed, 0u);
    EXPECT_EQ(r.answered_ok, 0u);
}

TEST(Load, GatewayTimeoutsAreCountedNotLost) {
    fleet_fixture f(10);
    ASSERT_TRUE(f.fleet->wait_all_online(20s));
    auto o = f.options();
    o.devices = 10;
    o.controllers = 2;
    o.inflight = 2;
    o.duration = 300ms;
    o.command = "slow";  // the devices take 3 s, the gateway gives up after 200 ms
    o.timeout_ms = 200;
    auto r = load_runner(o).run();
    expect_accounted(r);
    EXPECT_GT(r.timeouts, 0u);
    EXPECT_EQ(r.timeouts, r.sent);
}

TEST(Load, AControllerTheGatewayClosesIsReportedAndItsCommandsAreCutOffNotLost) {
    // A low frame rate: the closed loop answers each rate_limited error with
    // its next command at once, so the gateway closes the controller (4008).
    fleet_fixture f(10, "dev-", [](gateway_config& c) {
        c.session.rate.frames_per_second = 50;
        c.session.rate.close_after = 20;
    });
    ASSERT_TRUE(f.fleet->wait_all_online(20s));
    auto o = f.options();
    o.devices = 10;
    o.controllers = 1;
    o.inflight = 8;
    o.duration = 1s;
    auto r = load_runner(o).run();
    expect_accounted(r);
    EXPECT_EQ(r.controllers_closed, 1u) << r.to_table();
    EXPECT_NE(r.first_close.find("4008"), std::string::npos) << r.first_close;
    EXPECT_GT(r.errors["rate_limited"], 0u);
    EXPECT_NE(r.to_table().find("controllers closed"), std::string::npos);
}

TEST(Load, FixedCountRunSendsExactlyThatMany) {
    fleet_fixture f(20);
    ASSERT_TRUE(f.fleet->wait_all_online(20s));
    auto o = f.options();
    o.devices = 20;
    o.controllers = 1;
    o.inflight = 64;
    o.count = 3000;
    auto r = load_runner(o).run();
    expect_accounted(r);
    EXPECT_EQ(r.sent, 3000u);
    EXPECT_EQ(r.answered_ok, 3000u);
}

TEST(Load, WithTtlMsACommandForAnOfflineDeviceIsCompleteAtItsAckQueued) {
    fleet_fixture f(10);
    ASSERT_TRUE(f.fleet->wait_all_online(20s));
    auto o = f.options();
    o.devices = 20;  // dev-10 .. dev-19 are offline: their commands are queued
    o.controllers = 2;
    o.inflight = 8;
    o.count = 400;
    o.ttl_ms = 600000;
    auto r = load_runner(o).run();
    expect_accounted(r);
    EXPECT_EQ(r.ttl_ms, 600000);
    EXPECT_GT(r.queued, 0u);
    EXPECT_GT(r.answered_ok, 0u);
    EXPECT_EQ(r.errors_total, 0u) << r.to_table();
    EXPECT_EQ(r.outcomes_after_queued, 0u);
    EXPECT_EQ(r.latency.count(), r.answered + r.queued);
    EXPECT_EQ(f.gw.get().routing().ledger().queued_size(), r.queued);
    EXPECT_NE(r.to_table().find("queued (ack queued"), std::string::npos);
}

TEST(Load, BinaryPrintsJsonWhoseFieldsAreDocumented) {
    fleet_fixture f(20);
    ASSERT_TRUE(f.fleet->wait_all_online(20s));
    auto run =
        run_program({test_paths::simulator(), "load", "--url", f.url(), "--devices", "20",
                     "--controllers", "2", "--inflight", "4", "--duration", "300ms", "--json-only"},
                    30s);
    ASSERT_EQ(run.status, 0) << run.output;
    auto j = json::parse(run.output, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << run.output;
    EXPECT_EQ(j["lost"], 0);
    EXPECT_EQ(j["sent"].get<std::uint64_t>(), j["answered"].get<std::uint64_t>() +
                                                  j["errors_total"].get<std::uint64_t>() +
                                                  j["timeouts"].get<std::uint64_t>());
    for (const char* k : {"p50", "p99", "p999"}) EXPECT_TRUE(j["latency_us"][k].is_number()) << k;

    std::ifstream doc(test_paths::source_dir() + "/docs/simulator.md");
    ASSERT_TRUE(doc) << "docs/simulator.md is missing";
    std::stringstream text;
    text << doc.rdbuf();
    // A JSON report with every optional part present, so that every field is checked.
    load_result full;
    full.gateway = watched_process{};
    full.fleet = watched_process{};
    std::vector<std::string> paths;
    key_paths(full.to_json(), "", paths);
    for (const auto& p : paths) {
        EXPECT_NE(text.str().find("`" + p + "`"), std::string::npos)
            << p << " is not documented in docs/simulator.md";
    }
}

TEST(Load, BadScenarioIsRefusedNamingTheKey) {
    auto path = std::filesystem::temp_directory_path() /
                ("sb-sim-bad-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << R"({"groups": [{"count": 3, "events_per_s": "often"}]})";
    auto run = run_program({test_paths::simulator(), "fleet", "--scenario", path.string()}, 10s);
    EXPECT_EQ(run.status, 2);
    EXPECT_NE(run.output.find("groups[0].events_per_s"), std::string::npos) << run.output;
    std::filesystem::remove(path);
}

TEST(Load, FleetBinaryStopsCleanlyOnSigint) {
    running_gateway gw;
    child_process sim({test_paths::simulator(), "fleet", "--url",
                       "ws://127.0.0.1:" + std::to_string(gw.port()) + "/ws", "--devices", "30",
                       "--quiet"});
    ASSERT_TRUE(sim.wait_for_line("fleet ready: 30 devices", 20s)) << sim.output();
    sim.signal(SIGINT);
    EXPECT_EQ(sim.wait_exit(15s), 0) << sim.output();
    EXPECT_NE(sim.output().find("fleet summary"), std::string::npos);
    EXPECT_NE(sim.output().find("registrations          30"), std::string::npos) << sim.output();
}
