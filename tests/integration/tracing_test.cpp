// A command's W3C traceparent end to end over WebSocket (docs/protocol.md §4,
// "Tracing"): to the device with the gateway's span, back on the response,
// refused when malformed, and each hop in the debug log.

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <vector>

#include "eventually.hpp"
#include "log_capture.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {

const std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";

json traced_command(const std::string& id, const std::string& trace) {
    return {{"type", "command"},
            {"to", "pump-12"},
            {"id", id},
            {"name", "stop"},
            {"traceparent", trace}};
}

// The log level for a test, restored after it.
class log_level_for_test {
public:
    explicit log_level_for_test(spdlog::level::level_enum level) : previous_(spdlog::get_level()) {
        spdlog::set_level(level);
    }
    ~log_level_for_test() { spdlog::set_level(previous_); }

private:
    spdlog::level::level_enum previous_;
};

}  // namespace

TEST(Tracing, TraceparentRoundTripOverWebSocket) {
    running_gateway gw;
    ws_test_client dev(gw.port()), ctl(gw.port());
    dev.register_as("pump-12", "device");
    ctl.register_as("dash-1", "controller");

    // The device echoes what it was sent.
    ctl.send(traced_command("c-1", traceparent));
    auto cmd = dev.receive_type("command");
    ASSERT_TRUE(cmd);
    std::string sent = (*cmd)["traceparent"];
    EXPECT_EQ(sent.substr(0, 36), "00-" + trace_id + "-");
    EXPECT_NE(sent.substr(36, 16), "00f067aa0ba902b7") << "the gateway opens its own span";
    EXPECT_EQ(sent.substr(52), "-01");
    dev.send({{"type", "response"},
              {"to", "dash-1"},
              {"id", "c-1"},
              {"ok", true},
              {"traceparent", sent}});
    auto res = ctl.receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["traceparent"], sent);

    // A device that does not echo it: the gateway adds the one it sent.
    ctl.send(traced_command("c-2", traceparent));
    cmd = dev.receive_type("command");
    ASSERT_TRUE(cmd);
    dev.send({{"type", "response"}, {"to", "dash-1"}, {"id", "c-2"}, {"ok", true}});
    res = ctl.receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["id"], "c-2");
    EXPECT_EQ((*res)["traceparent"], (*cmd)["traceparent"]);

    // Untraced commands stay untraced.
    ctl.send({{"type", "command"}, {"to", "pump-12"}, {"id", "c-3"}, {"name", "stop"}});
    cmd = dev.receive_type("command");
    ASSERT_TRUE(cmd);
    EXPECT_FALSE(cmd->contains("traceparent"));
}

TEST(Tracing, BadTraceparentIsRefusedWithAnErrorNamingIt) {
    running_gateway gw;
    ws_test_client dev(gw.port()), ctl(gw.port());
    dev.register_as("pump-12", "device");
    ctl.register_as("dash-1", "controller");
    const std::vector<std::string> bad_values = {
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", traceparent + "-"};
    for (const std::string& bad : bad_values) {
        ctl.send(traced_command("c-bad", bad));
        auto e = ctl.receive();
        ASSERT_TRUE(e);
        EXPECT_EQ((*e)["type"], "error") << bad;
        EXPECT_EQ((*e)["code"], "bad_request");
        EXPECT_EQ((*e)["field"], "traceparent");
        EXPECT_EQ((*e)["id"], "c-bad");
        EXPECT_NE((*e)["message"].get<std::string>().find("traceparent"), std::string::npos);
    }
    EXPECT_TRUE(dev.quiet_for(100ms)) << "a command with a bad traceparent reached the device";
    // A device's response with a bad one is refused the same way, and the
    // command is still pending for a good answer.
    ctl.send(traced_command("c-ok", traceparent));
    ASSERT_TRUE(dev.receive_type("command"));
    dev.send({{"type", "response"},
              {"to", "dash-1"},
              {"id", "c-ok"},
              {"ok", true},
              {"traceparent", "garbage"}});
    auto e = dev.receive();
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["field"], "traceparent");
    dev.send({{"type", "response"}, {"to", "dash-1"}, {"id", "c-ok"}, {"ok", true}});
    auto res = ctl.receive_type("response");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["id"], "c-ok");
}

TEST(Tracing, EachHopIsLoggedAtDebugKeyedByTraceId) {
    log_capture log;
    running_gateway gw;
    log_level_for_test debug(spdlog::level::debug);
    ws_test_client dev(gw.port()), ctl(gw.port());
    dev.register_as("pump-12", "device");
    ctl.register_as("dash-1", "controller");
    json with_args = traced_command("c-1", traceparent);
    with_args["args"] = {{"secret", "s3cr3t"}};
    ctl.send(with_args);
    ASSERT_TRUE(dev.receive_type("command"));
    dev.send({{"type", "response"},
              {"to", "dash-1"},
              {"id", "c-1"},
              {"ok", true},
              {"result", {{"secret", "s3cr3t"}}}});
    ASSERT_TRUE(ctl.receive_type("response"));
    std::vector<std::string> hops;
    ASSERT_TRUE(eventually([&] {
        hops = log.lines_with("trace " + trace_id);
        return hops.size() >= 4;
    })) << hops.size()
        << " hop lines";
    ASSERT_EQ(hops.size(), 4u);
    // In the order of their offsets, not of the log: the device answers on
    // its own thread and may be logged before the hand-off's line.
    auto offset_us = [](const std::string& line) {
        const std::size_t plus = line.rfind(" +");
        return plus == std::string::npos ? -1L : std::stol(line.substr(plus + 2));
    };
    std::stable_sort(hops.begin(), hops.end(), [&](const std::string& a, const std::string& b) {
        return offset_us(a) < offset_us(b);
    });
    const char* order[] = {": accepted", ": handed_to_device ws", ": response_received",
                           ": outcome_sent ok"};
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_NE(hops[i].find(order[i]), std::string::npos) << hops[i];
        EXPECT_NE(hops[i].find("command 'c-1' dash-1 -> pump-12"), std::string::npos) << hops[i];
        EXPECT_NE(hops[i].find(" us"), std::string::npos) << hops[i];
    }
    EXPECT_TRUE(log.lines_with("s3cr3t").empty()) << "a payload reached the log";
}
