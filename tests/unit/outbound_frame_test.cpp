#include "core/outbound_frame.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace switchboard {
namespace {

using json = nlohmann::json;
using namespace std::string_literals;

json parsed(const frame_ptr& frame) {
    EXPECT_NE(frame, nullptr);
    json j = json::parse(*frame, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not valid JSON: " << *frame;
    return j;
}

client_record sample_client() {
    client_record c;
    c.id = "pump-12";
    c.role = client_role::device;
    c.via = transport_kind::mqtt;
    c.session = "s-1";
    c.meta_json = R"({"model":"P2","fw":"1.0"})";
    c.since = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));
    return c;
}

TEST(OutboundFrame, ErrorFromFrameErrorCarriesEveryField) {
    frame_error e{error_code::bad_request, "field 'to' is \"bad\"\n", "to", "command", "c-1"};
    json j = parsed(make_error(e));
    EXPECT_EQ(j["type"], "error");
    EXPECT_EQ(j["code"], "bad_request");
    EXPECT_EQ(j["message"], "field 'to' is \"bad\"\n");
    EXPECT_EQ(j["field"], "to");
    EXPECT_EQ(j["request_type"], "command");
    EXPECT_EQ(j["id"], "c-1");
}

TEST(OutboundFrame, ErrorLeavesOutEmptyOptionalFields) {
    frame_error bare;
    bare.message = "frame is not valid JSON";
    json j = parsed(make_error(bare));
    EXPECT_EQ(j["code"], "bad_request");
    EXPECT_FALSE(j.contains("id"));
    EXPECT_FALSE(j.contains("request_type"));
    EXPECT_FALSE(j.contains("field"));

    json k = parsed(make_error(error_code::offline, "pump-99 is not connected", "c-18", "command"));
    EXPECT_EQ(k, json({{"type", "error"},
                       {"code", "offline"},
                       {"message", "pump-99 is not connected"},
                       {"id", "c-18"},
                       {"request_type", "command"}}));
}

TEST(OutboundFrame, EveryErrorCodeHasItsProtocolName) {
    EXPECT_EQ(to_string(error_code::bad_request), "bad_request");
    EXPECT_EQ(to_string(error_code::unauthorized), "unauthorized");
    EXPECT_EQ(to_string(error_code::forbidden), "forbidden");
    EXPECT_EQ(to_string(error_code::not_registered), "not_registered");
    EXPECT_EQ(to_string(error_code::id_taken), "id_taken");
    EXPECT_EQ(to_string(error_code::offline), "offline");
    EXPECT_EQ(to_string(error_code::too_large), "too_large");
    EXPECT_EQ(to_string(error_code::rate_limited), "rate_limited");
    EXPECT_EQ(to_string(error_code::timeout), "timeout");
    EXPECT_EQ(to_string(error_code::unknown_command), "unknown_command");
    EXPECT_EQ(to_string(error_code::expired), "expired");
    EXPECT_EQ(to_string(error_code::overloaded), "overloaded");
    EXPECT_EQ(to_string(error_code::internal), "internal");
}

TEST(OutboundFrame, RegisteredFrame) {
    client_record c = sample_client();
    json j = parsed(make_registered(c, "gw-a", R"({"max_message_bytes":65536})"));
    EXPECT_EQ(j["type"], "registered");
    EXPECT_EQ(j["id"], "pump-12");
    EXPECT_EQ(j["role"], "device");
    EXPECT_EQ(j["session"], "s-1");
    EXPECT_EQ(j["node"], "gw-a");
    EXPECT_EQ(j["limits"]["max_message_bytes"], 65536);
}

TEST(OutboundFrame, CommandFrameStampsFrom) {
    command_request c;
    c.to = "pump-12";
    c.id = "c-\"17\"";
    c.name = "set_speed";
    c.args_json = R"({"rpm":1200})";
    c.timeout_ms = 5000;
    c.ack = true;
    json j = parsed(make_command("dash-1", c));
    EXPECT_EQ(j, json({{"type", "command"},
                       {"from", "dash-1"},
                       {"id", "c-\"17\""},
                       {"name", "set_speed"},
                       {"args", {{"rpm", 1200}}}}));

    c.args_json.clear();
    EXPECT_FALSE(parsed(make_command("dash-1", c)).contains("args"));
}

TEST(OutboundFrame, ResponseFrame) {
    response_request r;
    r.to = "dash-1";
    r.id = "c-17";
    r.ok = true;
    r.result_json = R"({"rpm":1200})";
    json j = parsed(make_response("pump-12", r));
    EXPECT_EQ(j, json({{"type", "response"},
                       {"from", "pump-12"},
                       {"id", "c-17"},
                       {"ok", true},
                       {"result", {{"rpm", 1200}}}}));

    r.ok = false;
    r.result_json.clear();
    r.error_json = R"({"code":"busy","message":"m"})";
    json k = parsed(make_response("pump-12", r));
    EXPECT_EQ(k["ok"], false);
    EXPECT_FALSE(k.contains("result"));
    EXPECT_EQ(k["error"]["code"], "busy");
}

TEST(OutboundFrame, FailedResponseIsServerMadeTimeout) {
    json j = parsed(make_failed_response("pump-12", "c-17", error_code::timeout,
                                         "pump-12 did not answer within 5000 ms"));
    EXPECT_EQ(j["type"], "response");
    EXPECT_EQ(j["from"], "pump-12");
    EXPECT_EQ(j["id"], "c-17");
    EXPECT_EQ(j["ok"], false);
    EXPECT_EQ(j["error"]["code"], "timeout");
    EXPECT_EQ(j["error"]["message"], "pump-12 did not answer within 5000 ms");
    EXPECT_FALSE(j.contains("result"));
}

TEST(OutboundFrame, MessageFrame) {
    message_request m;
    m.to = "ops";
    m.payload_json = R"("hello \"ops\"")";
    json j = parsed(make_message("dash-1", m));
    EXPECT_EQ(j, json({{"type", "message"}, {"from", "dash-1"}, {"payload", "hello \"ops\""}}));
    m.id = "m-1";
    EXPECT_EQ(parsed(make_message("dash-1", m))["id"], "m-1");
}

TEST(OutboundFrame, EventFrame) {
    event_request e;
    e.name = "temp";
    e.data_json = R"({"c":21.5})";
    json j = parsed(make_event("pump-12", e));
    EXPECT_EQ(
        j,
        json({{"type", "event"}, {"from", "pump-12"}, {"name", "temp"}, {"data", {{"c", 21.5}}}}));
    e.data_json.clear();
    EXPECT_FALSE(parsed(make_event("pump-12", e)).contains("data"));
}

TEST(OutboundFrame, PresenceOnlineCarriesSinceAndMeta) {
    client_record c = sample_client();
    json on = parsed(make_presence(c, true, 1700000000123456, presence_reason::took_over));
    EXPECT_EQ(on["type"], "presence");
    EXPECT_EQ(on["id"], "pump-12");
    EXPECT_EQ(on["role"], "device");
    EXPECT_EQ(on["online"], true);
    EXPECT_EQ(on["via"], "mqtt");
    EXPECT_EQ(on["since"], 1700000000123);
    EXPECT_EQ(on["meta"]["model"], "P2");
    EXPECT_EQ(on["seq"], 1700000000123456);
    EXPECT_EQ(on["reason"], "takeover");

    json off = parsed(make_presence(c, false, 1700000000123457, presence_reason::last_will));
    EXPECT_EQ(off["online"], false);
    EXPECT_EQ(off["seq"], 1700000000123457);
    EXPECT_EQ(off["reason"], "lwt");
    EXPECT_EQ(off["via"], "mqtt");
    EXPECT_FALSE(off.contains("meta"));
}

TEST(OutboundFrame, AckFrame) {
    EXPECT_EQ(parsed(make_ack("c-17", "delivered")),
              json({{"type", "ack"}, {"id", "c-17"}, {"status", "delivered"}}));
}

TEST(OutboundFrame, StatusFrameNamesTheDeviceWhenKnown) {
    EXPECT_EQ(parsed(make_status("c-17", "sent", "pump-12")),
              json({{"type", "status"}, {"id", "c-17"}, {"state", "sent"}, {"to", "pump-12"}}));
    EXPECT_EQ(parsed(make_status("c\"18", "unknown", {})),
              json({{"type", "status"}, {"id", "c\"18"}, {"state", "unknown"}}));
}

TEST(OutboundFrame, SubscribedAndUnsubscribedFrames) {
    subscribe_request s;
    s.patterns = {"pump-*", "valve-1"};
    s.id = "s-1";
    json j = parsed(make_subscribed(s));
    EXPECT_EQ(j, json({{"type", "subscribed"}, {"id", "s-1"}, {"ids", {"pump-*", "valve-1"}}}));
    s.subscribe = false;
    s.id.reset();
    json u = parsed(make_subscribed(s));
    EXPECT_EQ(u["type"], "unsubscribed");
    EXPECT_FALSE(u.contains("id"));
}

TEST(OutboundFrame, ListFrame) {
    auto a = std::make_shared<client_record>(sample_client());
    auto b = std::make_shared<client_record>(sample_client());
    b->id = "pump-13";
    b->role = client_role::controller;
    b->via = transport_kind::ws;
    b->meta_json = "{}";
    json j = parsed(make_list({a, b}, true, std::string("l-1")));
    EXPECT_EQ(j["type"], "list");
    EXPECT_EQ(j["id"], "l-1");
    EXPECT_EQ(j["more"], true);
    ASSERT_EQ(j["items"].size(), 2u);
    EXPECT_EQ(j["items"][0], json({{"id", "pump-12"},
                                   {"role", "device"},
                                   {"via", "mqtt"},
                                   {"since", 1700000000123},
                                   {"meta", {{"model", "P2"}, {"fw", "1.0"}}}}));
    EXPECT_EQ(j["items"][1]["id"], "pump-13");
    EXPECT_EQ(j["items"][1]["role"], "controller");
    EXPECT_EQ(j["items"][1]["via"], "ws");

    json empty = parsed(make_list({}, false, std::nullopt));
    EXPECT_EQ(empty, json({{"type", "list"}, {"items", json::array()}, {"more", false}}));
}

}  // namespace
}  // namespace switchboard
