// core/router: a command's W3C traceparent (docs/protocol.md §4, "Tracing"):
// to the device with the gateway's own span as parent, back on the response,
// on a timeout, and the hops told to the sink.

#include <gtest/gtest.h>

#include <vector>

#include "core/trace_hops.hpp"
#include "router_harness.hpp"

namespace switchboard::testing {
namespace {

const std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";

// Records every hop it is told of; wants them while `on` is set.
class recording_sink : public trace_hop_sink {
public:
    struct hop {
        trace_hop what;
        std::string trace_id;
        std::string span;
        std::string command_id;
        std::string detail;
        steady_time at;
        steady_time accepted;
    };
    bool on = true;
    std::vector<hop> hops;

    bool wants_hops() const noexcept override { return on; }
    void on_hop(const trace_hop_event& e) override {
        hops.push_back({e.hop, std::string(e.trace.trace_id_view()),
                        std::string(e.trace.parent_id_view()), std::string(e.command_id),
                        std::string(e.detail), e.at, e.accepted});
    }
};

TEST(RouterTrace, TheDeviceGetsTheTraceWithTheGatewaysOwnSpanAsParent) {
    harness h;
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1", {{"traceparent", traceparent}});
    ASSERT_EQ(pump.count(), 1u);
    std::string sent = pump.last()["traceparent"];
    ASSERT_EQ(sent.size(), 55u);
    EXPECT_EQ(sent.substr(0, 36), traceparent.substr(0, 36));  // version and trace-id
    EXPECT_EQ(sent.substr(52), "-01");                         // flags
    EXPECT_NE(sent.substr(36, 16), "00f067aa0ba902b7");        // a new parent-id
    EXPECT_TRUE(parse_traceparent(sent).context);
    // Handed beside the frame too, for transports that carry it (MQTT 5).
    EXPECT_EQ(pump.link->carried_traceparents(), std::vector<std::string>{sent});
}

TEST(RouterTrace, EachCommandGetsItsOwnSpan) {
    harness h;
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1", {{"traceparent", traceparent}});
    h.command(dash, "pump-12", "c-2", {{"traceparent", traceparent}});
    auto commands = pump.link->of_type("command");
    ASSERT_EQ(commands.size(), 2u);
    EXPECT_NE(commands[0]["traceparent"], commands[1]["traceparent"]);
}

TEST(RouterTrace, AnEchoedTraceparentComesBackToTheController) {
    harness h;
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1", {{"traceparent", traceparent}});
    // The device names its own span as parent, in the same trace.
    const std::string device_span = "00-" + trace_id + "-aaaaaaaaaaaaaaaa-01";
    h.respond(pump, "dash-1", "c-1", {{"ok", true}, {"traceparent", device_span}});
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["traceparent"], device_span);
}

TEST(RouterTrace, WithoutAnEchoTheGatewayAddsTheOneItSentTheDevice) {
    harness h;
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1", {{"traceparent", traceparent}});
    std::string sent = pump.last()["traceparent"];
    h.respond(pump, "dash-1", "c-1", {{"ok", false}, {"error", {{"code", "x"}, {"message", "y"}}}});
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["traceparent"], sent);
    EXPECT_EQ(dash.last()["ok"], false);
}

TEST(RouterTrace, AResponseNamingAnotherTraceGetsTheCommandsTraceBack) {
    harness h;
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1", {{"traceparent", traceparent}});
    std::string sent = pump.last()["traceparent"];
    h.respond(
        pump, "dash-1", "c-1",
        {{"ok", true}, {"traceparent", "00-11111111111111111111111111111111-2222222222222222-01"}});
    EXPECT_EQ(dash.last()["traceparent"], sent);
}

TEST(RouterTrace, ATimeoutCarriesTheTrace) {
    harness h;
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1", {{"traceparent", traceparent}, {"timeout_ms", 100}});
    std::string sent = pump.last()["traceparent"];
    h.advance(100ms);
    ASSERT_EQ(dash.count(), 1u);
    EXPECT_EQ(dash.last()["error"]["code"], "timeout");
    EXPECT_EQ(dash.last()["traceparent"], sent);
}

TEST(RouterTrace, AnUntracedCommandStaysUntracedAndTellsTheSinkNothing) {
    harness h;
    recording_sink sink;
    h.r().set_trace_hop_sink(&sink);
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1");
    EXPECT_FALSE(pump.last().contains("traceparent"));
    EXPECT_TRUE(pump.link->carried_traceparents().empty());
    h.respond(pump, "dash-1", "c-1");
    EXPECT_FALSE(dash.last().contains("traceparent"));
    h.command(dash, "pump-12", "c-2", {{"timeout_ms", 10}});
    h.advance(10ms);
    EXPECT_FALSE(dash.last().contains("traceparent"));
    EXPECT_TRUE(sink.hops.empty());
}

TEST(RouterTrace, TheSinkHearsEachHopInOrderKeyedByTraceId) {
    harness h;
    recording_sink sink;
    h.r().set_trace_hop_sink(&sink);
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1", {{"traceparent", traceparent}});
    h.respond(pump, "dash-1", "c-1");
    ASSERT_EQ(sink.hops.size(), 4u);
    std::vector<trace_hop> order;
    for (const auto& hop : sink.hops) {
        order.push_back(hop.what);
        EXPECT_EQ(hop.trace_id, trace_id);
        EXPECT_EQ(hop.command_id, "c-1");
        // The gateway's span, the one the device was sent.
        EXPECT_EQ(hop.span, std::string(pump.link->carried_traceparents()[0]).substr(36, 16));
        EXPECT_EQ(hop.accepted, h.now());
    }
    EXPECT_EQ(order,
              (std::vector<trace_hop>{trace_hop::accepted, trace_hop::handed_to_device,
                                      trace_hop::response_received, trace_hop::outcome_sent}));
    EXPECT_EQ(sink.hops[0].at, h.now());
    EXPECT_EQ(sink.hops[1].detail, "ws");
    EXPECT_EQ(sink.hops[3].detail, "ok");
}

TEST(RouterTrace, TheSinkHearsATimeoutAsTheOutcome) {
    harness h;
    recording_sink sink;
    h.r().set_trace_hop_sink(&sink);
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1", {{"traceparent", traceparent}, {"timeout_ms", 50}});
    h.advance(50ms);
    ASSERT_EQ(sink.hops.size(), 3u);
    EXPECT_EQ(sink.hops[2].what, trace_hop::outcome_sent);
    EXPECT_EQ(sink.hops[2].detail, "timeout");
    EXPECT_EQ(sink.hops[2].at - sink.hops[2].accepted, 50ms);
}

TEST(RouterTrace, TheSinkHearsARefusedDeliveryAsTheOutcome) {
    harness h;
    recording_sink sink;
    h.r().set_trace_hop_sink(&sink);
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    pump.link->refuse();
    h.command(dash, "pump-12", "c-1", {{"traceparent", traceparent}});
    ASSERT_EQ(sink.hops.size(), 2u);
    EXPECT_EQ(sink.hops[1].what, trace_hop::outcome_sent);
    EXPECT_EQ(sink.hops[1].detail, "overloaded");
}

TEST(RouterTrace, ASinkThatWantsNoHopsHearsNone) {
    harness h;
    recording_sink sink;
    sink.on = false;  // the log above debug level
    h.r().set_trace_hop_sink(&sink);
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1", {{"traceparent", traceparent}});
    h.respond(pump, "dash-1", "c-1");
    EXPECT_TRUE(sink.hops.empty());
    // The trace itself still travels.
    EXPECT_TRUE(dash.last().contains("traceparent"));
}

TEST(RouterTrace, AHopLineNamesTraceSpanCommandAndTimeButNoPayload) {
    auto ctx = *parse_traceparent(traceparent).context;
    steady_time t0{};
    std::string line = trace_hop_line(
        {trace_hop::outcome_sent, ctx, "dash-1", "pump-12", "c-1\n", t0, t0 + 1500us, "ok"});
    EXPECT_EQ(line,
              "trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7 command 'c-1\\x0a' "
              "dash-1 -> pump-12: outcome_sent ok +1500 us");
}

TEST(RouterTrace, ADeviceThatLeavesEndsTheCommandWithTheTrace) {
    harness h;
    recording_sink sink;
    h.r().set_trace_hop_sink(&sink);
    auto dash = h.controller("dash-1");
    auto pump = h.device("pump-12");
    h.command(dash, "pump-12", "c-1", {{"traceparent", traceparent}});
    std::string sent = pump.last()["traceparent"];
    h.leave(pump);
    auto responses = dash.link->of_type("response");
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0]["error"]["code"], "device_disconnected");
    EXPECT_EQ(responses[0]["traceparent"], sent);
    ASSERT_FALSE(sink.hops.empty());
    EXPECT_EQ(sink.hops.back().what, trace_hop::outcome_sent);
    EXPECT_EQ(sink.hops.back().detail, "device_disconnected");
}

}  // namespace
}  // namespace switchboard::testing
