#include "core/inbound_frame.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace switchboard {
namespace {

using json = nlohmann::json;
using namespace std::string_literals;

// The frame a valid text parses to; fails the test when it does not parse.
template <class Frame>
Frame parse_ok(std::string_view text) {
    parse_result r = parse_frame(text);
    if (auto* e = std::get_if<frame_error>(&r)) {
        ADD_FAILURE() << "expected a frame, got error: " << e->message << " (field '" << e->field
                      << "') for " << text;
        return {};
    }
    auto& frame = std::get<inbound_frame>(r);
    if (!std::holds_alternative<Frame>(frame)) {
        ADD_FAILURE() << "parsed to another frame type: " << type_name(frame);
        return {};
    }
    return std::get<Frame>(frame);
}

frame_error parse_error(std::string_view text) {
    parse_result r = parse_frame(text);
    if (auto* e = std::get_if<frame_error>(&r)) return *e;
    ADD_FAILURE() << "expected an error for: " << text.substr(0, 200);
    return {};
}

// A bad_request naming `field` in both `field` and the message.
void expect_field_error(const json& frame, const std::string& field) {
    SCOPED_TRACE(frame.dump());
    frame_error e = parse_error(frame.dump());
    EXPECT_EQ(e.code, error_code::bad_request);
    EXPECT_EQ(e.field, field);
    EXPECT_NE(e.message.find("'" + field + "'"), std::string::npos) << e.message;
}

json command_frame() {
    return {{"type", "command"},       {"to", "pump-12"},    {"id", "c-17"}, {"name", "set_speed"},
            {"args", {{"rpm", 1200}}}, {"timeout_ms", 5000}, {"ack", true},  {"ttl_ms", 60000}};
}

json response_frame() {
    return {{"type", "response"},
            {"to", "dash-1"},
            {"id", "c-17"},
            {"ok", true},
            {"result", {{"rpm", 1200}}}};
}

// --- every frame type, valid ---

TEST(InboundFrame, RegisterWithAllFields) {
    auto f = parse_ok<register_request>(
        R"({"type":"register","id":"dash-1","role":"controller","token":"s3cret",)"
        R"("meta":{"model":"X","fw":"1.2"}})");
    EXPECT_EQ(f.id, "dash-1");
    EXPECT_EQ(f.role, client_role::controller);
    ASSERT_TRUE(f.token.has_value());
    EXPECT_EQ(*f.token, "s3cret");
    EXPECT_EQ(json::parse(f.meta_json), json({{"model", "X"}, {"fw", "1.2"}}));
}

TEST(InboundFrame, RegisterMinimalDefaultsMetaToEmptyObject) {
    auto f = parse_ok<register_request>(R"({"type":"register","id":"pump-1","role":"device"})");
    EXPECT_EQ(f.id, "pump-1");
    EXPECT_EQ(f.role, client_role::device);
    EXPECT_FALSE(f.token.has_value());
    EXPECT_EQ(f.meta_json, "{}");
}

TEST(InboundFrame, CommandWithAllFields) {
    auto f = parse_ok<command_request>(command_frame().dump());
    EXPECT_EQ(f.to, "pump-12");
    EXPECT_EQ(f.id, "c-17");
    EXPECT_EQ(f.name, "set_speed");
    EXPECT_EQ(json::parse(f.args_json), json({{"rpm", 1200}}));
    EXPECT_EQ(f.timeout_ms, 5000);
    EXPECT_EQ(f.ttl_ms, 60000);
    EXPECT_TRUE(f.ack);
}

TEST(InboundFrame, CommandMinimalLeavesOptionalsEmpty) {
    auto f = parse_ok<command_request>(R"({"type":"command","to":"p","id":"1","name":"stop"})");
    EXPECT_TRUE(f.args_json.empty());
    EXPECT_FALSE(f.timeout_ms.has_value());
    EXPECT_FALSE(f.ttl_ms.has_value());
    EXPECT_FALSE(f.ack);
}

TEST(InboundFrame, ResponseOkWithResult) {
    auto f = parse_ok<response_request>(response_frame().dump());
    EXPECT_EQ(f.to, "dash-1");
    EXPECT_EQ(f.id, "c-17");
    EXPECT_TRUE(f.ok);
    EXPECT_EQ(json::parse(f.result_json), json({{"rpm", 1200}}));
    EXPECT_TRUE(f.error_json.empty());
}

TEST(InboundFrame, ResponseFailedWithError) {
    auto f = parse_ok<response_request>(R"({"type":"response","to":"dash-1","id":"c-1","ok":false,)"
                                        R"("error":{"code":"busy","message":"motor hot"}})");
    EXPECT_FALSE(f.ok);
    EXPECT_TRUE(f.result_json.empty());
    EXPECT_EQ(json::parse(f.error_json), json({{"code", "busy"}, {"message", "motor hot"}}));
}

TEST(InboundFrame, MessageWithAndWithoutId) {
    auto a = parse_ok<message_request>(R"({"type":"message","to":"ops","payload":"hi"})");
    EXPECT_EQ(a.to, "ops");
    EXPECT_EQ(json::parse(a.payload_json), "hi");
    EXPECT_FALSE(a.id.has_value());

    auto b = parse_ok<message_request>(
        R"({"type":"message","to":"ops","payload":{"n":[1,2]},"id":"m-1"})");
    EXPECT_EQ(json::parse(b.payload_json), json({{"n", {1, 2}}}));
    EXPECT_EQ(b.id, "m-1");
}

TEST(InboundFrame, MessagePayloadMayBeNull) {
    auto f = parse_ok<message_request>(R"({"type":"message","to":"ops","payload":null})");
    EXPECT_EQ(f.payload_json, "null");
}

TEST(InboundFrame, EventWithAndWithoutData) {
    auto a = parse_ok<event_request>(R"({"type":"event","name":"temp","data":{"c":21.5}})");
    EXPECT_EQ(a.name, "temp");
    EXPECT_EQ(json::parse(a.data_json), json({{"c", 21.5}}));
    auto b = parse_ok<event_request>(R"({"type":"event","name":"boot"})");
    EXPECT_TRUE(b.data_json.empty());
}

TEST(InboundFrame, SubscribeAndUnsubscribe) {
    auto s = parse_ok<subscribe_request>(
        R"({"type":"subscribe","ids":["pump-1","valve-*","*"],"id":"s-1"})");
    EXPECT_TRUE(s.subscribe);
    EXPECT_EQ(s.patterns, (std::vector<std::string>{"pump-1", "valve-*", "*"}));
    EXPECT_EQ(s.id, "s-1");

    auto u = parse_ok<subscribe_request>(R"({"type":"unsubscribe","ids":["pump-1"]})");
    EXPECT_FALSE(u.subscribe);
    EXPECT_EQ(u.patterns, std::vector<std::string>{"pump-1"});
    EXPECT_FALSE(u.id.has_value());
}

TEST(InboundFrame, ListWithAllFilters) {
    auto f = parse_ok<list_request>(
        R"({"type":"list","role":"device","prefix":"pump-","after":"pump-3","limit":10,"id":"l"})");
    EXPECT_EQ(f.role, client_role::device);
    EXPECT_EQ(f.prefix, "pump-");
    EXPECT_EQ(f.after, "pump-3");
    EXPECT_EQ(f.limit, 10u);
    EXPECT_EQ(f.id, "l");
}

TEST(InboundFrame, ListBare) {
    auto f = parse_ok<list_request>(R"({"type":"list"})");
    EXPECT_FALSE(f.role.has_value());
    EXPECT_TRUE(f.prefix.empty());
    EXPECT_TRUE(f.after.empty());
    EXPECT_FALSE(f.limit.has_value());
}

TEST(InboundFrame, StatusCarriesItsId) {
    auto f = parse_ok<status_request>(R"({"type":"status","id":"c-17","extra":1})");
    EXPECT_EQ(f.id, "c-17");
}

TEST(InboundFrame, StatusIdIsRequiredAndBounded) {
    expect_field_error({{"type", "status"}}, "id");
    expect_field_error({{"type", "status"}, {"id", 17}}, "id");
    expect_field_error({{"type", "status"}, {"id", ""}}, "id");
    expect_field_error({{"type", "status"}, {"id", std::string(65, 'c')}}, "id");
    EXPECT_EQ(
        parse_ok<status_request>(json{{"type", "status"}, {"id", std::string(64, 'c')}}.dump())
            .id.size(),
        64u);
    frame_error e = parse_error(R"({"type":"status"})");
    EXPECT_EQ(e.request_type, "status");
}

TEST(InboundFrame, CancelCarriesItsIdWhichIsRequiredAndBounded) {
    EXPECT_EQ(parse_ok<cancel_request>(R"({"type":"cancel","id":"c-30"})").id, "c-30");
    expect_field_error({{"type", "cancel"}}, "id");
    expect_field_error({{"type", "cancel"}, {"id", 17}}, "id");
    expect_field_error({{"type", "cancel"}, {"id", std::string(65, 'c')}}, "id");
    EXPECT_EQ(parse_error(R"({"type":"cancel"})").request_type, "cancel");
}

TEST(InboundFrame, TtlMsRunsFromOneMillisecondToADay) {
    json f = command_frame();
    f["ttl_ms"] = 86400000;
    EXPECT_EQ(parse_ok<command_request>(f.dump()).ttl_ms, 86400000);
    f["ttl_ms"] = 1;
    EXPECT_EQ(parse_ok<command_request>(f.dump()).ttl_ms, 1);
    f["ttl_ms"] = 86400001;
    frame_error e = parse_error(f.dump());
    EXPECT_EQ(e.field, "ttl_ms");
    EXPECT_NE(e.message.find("at most 86400000"), std::string::npos) << e.message;
}

TEST(InboundFrame, TypeNameOfEachFrame) {
    auto name_of = [](std::string_view text) {
        auto r = parse_frame(text);
        return std::string(type_name(std::get<inbound_frame>(r)));
    };
    EXPECT_EQ(name_of(R"({"type":"register","id":"a","role":"device"})"), "register");
    EXPECT_EQ(name_of(command_frame().dump()), "command");
    EXPECT_EQ(name_of(response_frame().dump()), "response");
    EXPECT_EQ(name_of(R"({"type":"message","to":"a","payload":1})"), "message");
    EXPECT_EQ(name_of(R"({"type":"event","name":"e"})"), "event");
    EXPECT_EQ(name_of(R"({"type":"subscribe","ids":["a"]})"), "subscribe");
    EXPECT_EQ(name_of(R"({"type":"unsubscribe","ids":["a"]})"), "unsubscribe");
    EXPECT_EQ(name_of(R"({"type":"list"})"), "list");
    EXPECT_EQ(name_of(R"({"type":"status","id":"c-1"})"), "status");
}

// --- the envelope ---

TEST(InboundFrame, MalformedJsonIsBadRequest) {
    for (const char* text : {"", "{", "{\"type\":", "{'type':'list'}", "{\"type\":\"list\",}",
                             "nul", "{\"type\":\"list\"} trailing"}) {
        SCOPED_TRACE(text);
        frame_error e = parse_error(text);
        EXPECT_EQ(e.code, error_code::bad_request);
        EXPECT_NE(e.message.find("JSON"), std::string::npos) << e.message;
    }
}

TEST(InboundFrame, NonObjectIsBadRequest) {
    for (const char* text : {"[]", "[{\"type\":\"list\"}]", "\"list\"", "42", "null", "true"}) {
        SCOPED_TRACE(text);
        frame_error e = parse_error(text);
        EXPECT_EQ(e.code, error_code::bad_request);
        EXPECT_NE(e.message.find("object"), std::string::npos) << e.message;
    }
}

TEST(InboundFrame, MissingTypeNamesTheField) {
    frame_error e = parse_error(R"({"to":"a","id":"1"})");
    EXPECT_EQ(e.code, error_code::bad_request);
    EXPECT_EQ(e.field, "type");
    EXPECT_NE(e.message.find("'type'"), std::string::npos);
}

TEST(InboundFrame, NonStringTypeNamesTheField) {
    for (const char* text :
         {R"({"type":1})", R"({"type":null})", R"({"type":["list"]})", R"({"type":{"a":1}})"}) {
        SCOPED_TRACE(text);
        frame_error e = parse_error(text);
        EXPECT_EQ(e.field, "type");
        EXPECT_NE(e.message.find("'type'"), std::string::npos);
    }
}

TEST(InboundFrame, UnknownTypeIsBadRequestWithItsId) {
    frame_error e = parse_error(R"({"type":"reboot","id":"r-1"})");
    EXPECT_EQ(e.code, error_code::bad_request);
    EXPECT_EQ(e.field, "type");
    EXPECT_NE(e.message.find("reboot"), std::string::npos);
    EXPECT_EQ(e.request_id, "r-1");
}

TEST(InboundFrame, UnknownTypeIsEchoedAsRequestType) {
    frame_error e = parse_error(R"({"type":"reboot","id":"r-1"})");
    EXPECT_EQ(e.request_type, "reboot");
}

TEST(InboundFrame, MissingOrIllTypedTypeStillEchoesAReadableId) {
    frame_error missing = parse_error(R"({"to":"pump-1","id":"c-9","name":"stop"})");
    EXPECT_EQ(missing.field, "type");
    EXPECT_EQ(missing.request_id, "c-9");
    EXPECT_TRUE(missing.request_type.empty());

    frame_error ill = parse_error(R"({"type":7,"id":"c-10"})");
    EXPECT_EQ(ill.field, "type");
    EXPECT_EQ(ill.request_id, "c-10");

    frame_error unreadable = parse_error(R"({"id":12})");
    EXPECT_TRUE(unreadable.request_id.empty());
    json long_id = {{"id", std::string(65, 'x')}};
    EXPECT_TRUE(parse_error(long_id.dump()).request_id.empty());
}

TEST(InboundFrame, UnknownTypeWithJunkIsNotEchoed) {
    json frame = {{"type", std::string(1000, 'x')}};
    frame_error e = parse_error(frame.dump());
    EXPECT_EQ(e.field, "type");
    EXPECT_LT(e.message.size(), 200u);

    EXPECT_TRUE(e.request_type.empty());

    frame_error ctl = parse_error(R"({"type":"a\u0001b"})");
    EXPECT_EQ(ctl.message.find('\x01'), std::string::npos);
    EXPECT_TRUE(ctl.request_type.empty());
}

TEST(InboundFrame, TypeIsCaseSensitive) {
    frame_error e = parse_error(R"({"type":"LIST"})");
    EXPECT_EQ(e.field, "type");
}

TEST(InboundFrame, BinaryLookingJunkIsRefused) {
    std::string junk;
    for (int i = 0; i < 512; ++i) junk.push_back(static_cast<char>((i * 37 + 11) & 0xff));
    frame_error e = parse_error(junk);
    EXPECT_EQ(e.code, error_code::bad_request);

    frame_error nul = parse_error("\0\0\0\0"s);
    EXPECT_EQ(nul.code, error_code::bad_request);

    frame_error embedded = parse_error("{\"type\":\"list\"}\0garbage"s);
    EXPECT_EQ(embedded.code, error_code::bad_request);
}

TEST(InboundFrame, InvalidUtf8IsRefused) {
    frame_error e = parse_error("{\"type\":\"message\",\"to\":\"a\",\"payload\":\"\xff\xfe\"}");
    EXPECT_EQ(e.code, error_code::bad_request);
    frame_error overlong = parse_error("{\"type\":\"event\",\"name\":\"\xc0\xaf\"}");
    EXPECT_EQ(overlong.code, error_code::bad_request);
    frame_error truncated = parse_error("{\"type\":\"event\",\"name\":\"\xe2\x82\"}");
    EXPECT_EQ(truncated.code, error_code::bad_request);
}

TEST(InboundFrame, ValidUtf8InPayloadIsKept) {
    auto f = parse_ok<message_request>(R"({"type":"message","to":"a","payload":"Grüße ✓"})");
    EXPECT_EQ(json::parse(f.payload_json), "Grüße ✓");
}

TEST(InboundFrame, NestingAtTheLimitIsAccepted) {
    // The frame object itself is one level; payload adds the rest.
    std::string payload =
        std::string(max_json_depth - 1, '[') + std::string(max_json_depth - 1, ']');
    auto f = parse_ok<message_request>(R"({"type":"message","to":"a","payload":)" + payload + "}");
    EXPECT_EQ(f.payload_json, payload);
}

TEST(InboundFrame, NestingOverTheLimitIsRefused) {
    std::string payload = std::string(max_json_depth, '[') + std::string(max_json_depth, ']');
    frame_error e = parse_error(R"({"type":"message","to":"a","payload":)" + payload + "}");
    EXPECT_EQ(e.code, error_code::bad_request);
    EXPECT_NE(e.message.find("nested"), std::string::npos) << e.message;
}

TEST(InboundFrame, HugeNestingIsRefusedWithoutCrashing) {
    frame_error brackets = parse_error(std::string(100000, '['));
    EXPECT_EQ(brackets.code, error_code::bad_request);

    frame_error objects = parse_error(std::string(100000, '{'));
    EXPECT_EQ(objects.code, error_code::bad_request);

    std::string balanced = std::string(50000, '[') + std::string(50000, ']');
    frame_error closed = parse_error(balanced);
    EXPECT_EQ(closed.code, error_code::bad_request);

    std::string inside = R"({"type":"message","to":"a","payload":)" + std::string(100000, '[') +
                         std::string(100000, ']') + "}";
    EXPECT_EQ(parse_error(inside).code, error_code::bad_request);
}

TEST(InboundFrame, BracketsInsideStringsDoNotCountAsNesting) {
    std::string text = std::string(1000, '[') + "\\\"{{{";
    json frame = {{"type", "message"}, {"to", "a"}, {"payload", text}};
    auto f = parse_ok<message_request>(frame.dump());
    EXPECT_EQ(json::parse(f.payload_json), text);
}

TEST(InboundFrame, ClientFromIsIgnored) {
    auto c = parse_ok<command_request>(
        R"({"type":"command","from":"someone-else","to":"p","id":"1","name":"stop"})");
    EXPECT_EQ(c.to, "p");
    EXPECT_EQ(c.args_json.find("someone-else"), std::string::npos);
    // A `from` of any type, even an invalid one, does not fail the frame.
    auto m =
        parse_ok<message_request>(R"({"type":"message","from":{"x":1},"to":"a","payload":"p"})");
    EXPECT_EQ(m.payload_json.find('x'), std::string::npos);
}

TEST(InboundFrame, UnknownFieldsAreIgnored) {
    auto f = parse_ok<event_request>(
        R"({"type":"event","name":"temp","v":2,"extra":{"deep":[1,2,3]},"x-vendor":null})");
    EXPECT_EQ(f.name, "temp");
    EXPECT_TRUE(f.data_json.empty());
}

// --- required fields, one at a time ---

TEST(InboundFrame, RegisterMissingOrIllTypedFields) {
    json ok = {{"type", "register"}, {"id", "pump-1"}, {"role", "device"}};
    for (const char* field : {"id", "role"}) {
        json f = ok;
        f.erase(field);
        expect_field_error(f, field);
        f[field] = 7;
        expect_field_error(f, field);
    }
    json bad_role = ok;
    bad_role["role"] = "admin";
    expect_field_error(bad_role, "role");
    json bad_token = ok;
    bad_token["token"] = 123;
    expect_field_error(bad_token, "token");
    json bad_meta = ok;
    bad_meta["meta"] = "model X";
    expect_field_error(bad_meta, "meta");
    bad_meta["meta"] = json::array({1});
    expect_field_error(bad_meta, "meta");
}

TEST(InboundFrame, RegisterInvalidIdNamesTheField) {
    for (std::string id :
         {""s, "a/b"s, "a+b"s, "#"s, "a b"s, "$SYS"s, std::string(129, 'a'), "a\0b"s, "pömpe"s}) {
        json f = {{"type", "register"}, {"id", id}, {"role", "device"}};
        expect_field_error(f, "id");
    }
    auto ok = parse_ok<register_request>(
        json({{"type", "register"}, {"id", std::string(128, 'a')}, {"role", "device"}}).dump());
    EXPECT_EQ(ok.id.size(), 128u);
}

TEST(InboundFrame, CommandMissingRequiredFields) {
    for (const char* field : {"to", "id", "name"}) {
        json f = command_frame();
        f.erase(field);
        expect_field_error(f, field);
    }
}

TEST(InboundFrame, CommandIllTypedFields) {
    std::vector<std::pair<const char*, json>> cases = {
        {"to", 12},
        {"to", nullptr},
        {"id", 17},
        {"id", json::array()},
        {"name", true},
        {"name", ""},
        {"timeout_ms", "5000"},
        {"timeout_ms", 0},
        {"timeout_ms", -1},
        {"timeout_ms", 1.5},
        {"timeout_ms", nullptr},
        {"ttl_ms", 0},
        {"ttl_ms", -5},
        {"ttl_ms", 2.5},
        {"ttl_ms", 86400001},
        {"ttl_ms", "60000"},
        {"ack", "true"},
        {"ack", 1},
        {"ack", nullptr},
    };
    for (const auto& [field, value] : cases) {
        json f = command_frame();
        f[field] = value;
        expect_field_error(f, field);
    }
}

TEST(InboundFrame, CommandTimeoutOverflowingInt64IsRefused) {
    frame_error e = parse_error(
        R"({"type":"command","to":"p","id":"1","name":"n","timeout_ms":18446744073709551615})");
    EXPECT_EQ(e.field, "timeout_ms");
}

TEST(InboundFrame, CommandInvalidTargetIdNamesTo) {
    for (std::string to : {""s, "pump/1"s, "pump+"s, "pump#"s, "a b"s, std::string(129, 'p')}) {
        json f = command_frame();
        f["to"] = to;
        expect_field_error(f, "to");
    }
}

TEST(InboundFrame, CorrelationIdLimits) {
    json f = command_frame();
    f["id"] = std::string(64, 'c');
    EXPECT_EQ(parse_ok<command_request>(f.dump()).id.size(), 64u);
    f["id"] = std::string(65, 'c');
    expect_field_error(f, "id");
    f["id"] = "";
    expect_field_error(f, "id");
    // Any characters, as long as it is 1-64 bytes.
    f["id"] = "c 17/#+";
    EXPECT_EQ(parse_ok<command_request>(f.dump()).id, "c 17/#+");
}

TEST(InboundFrame, CommandNameLongerThan128IsRefused) {
    json f = command_frame();
    f["name"] = std::string(129, 'n');
    expect_field_error(f, "name");
}

TEST(InboundFrame, ResponseMissingOrIllTypedFields) {
    for (const char* field : {"to", "id", "ok"}) {
        json f = response_frame();
        f.erase(field);
        expect_field_error(f, field);
    }
    std::vector<std::pair<const char*, json>> cases = {
        {"ok", "true"},
        {"ok", 1},
        {"ok", nullptr},
        {"error", "boom"},
        {"error", json::array()},
        {"to", "x/y"},
        {"id", std::string(65, 'i')},
    };
    for (const auto& [field, value] : cases) {
        json f = response_frame();
        f[field] = value;
        expect_field_error(f, field);
    }
}

TEST(InboundFrame, MessageMissingOrIllTypedFields) {
    json ok = {{"type", "message"}, {"to", "ops"}, {"payload", "hi"}};
    for (const char* field : {"to", "payload"}) {
        json f = ok;
        f.erase(field);
        expect_field_error(f, field);
    }
    json bad_to = ok;
    bad_to["to"] = "o ps";
    expect_field_error(bad_to, "to");
    json bad_id = ok;
    bad_id["id"] = 5;
    expect_field_error(bad_id, "id");
    bad_id["id"] = std::string(65, 'm');
    expect_field_error(bad_id, "id");
}

TEST(InboundFrame, EventMissingOrIllTypedName) {
    expect_field_error({{"type", "event"}, {"data", 1}}, "name");
    expect_field_error({{"type", "event"}, {"name", 1}}, "name");
    expect_field_error({{"type", "event"}, {"name", ""}}, "name");
    expect_field_error({{"type", "event"}, {"name", std::string(129, 'e')}}, "name");
}

TEST(InboundFrame, SubscribeIdsMustBeNonEmptyArrayOfPatterns) {
    expect_field_error({{"type", "subscribe"}}, "ids");
    expect_field_error({{"type", "subscribe"}, {"ids", "pump-1"}}, "ids");
    expect_field_error({{"type", "subscribe"}, {"ids", json::array()}}, "ids");
    expect_field_error({{"type", "subscribe"}, {"ids", {"pump-1", 2}}}, "ids");
    expect_field_error({{"type", "subscribe"}, {"ids", {"a*b"}}}, "ids");
    expect_field_error({{"type", "subscribe"}, {"ids", {"a/b"}}}, "ids");
    expect_field_error({{"type", "unsubscribe"}, {"ids", {"#"}}}, "ids");
}

TEST(InboundFrame, ListIllTypedFields) {
    std::vector<std::pair<const char*, json>> cases = {
        {"role", "admin"}, {"role", 1},  {"prefix", 3}, {"prefix", std::string(129, 'p')},
        {"after", false},  {"limit", 0}, {"limit", -1}, {"limit", "10"},
        {"limit", 2.5},    {"id", 9},
    };
    for (const auto& [field, value] : cases) {
        json f = {{"type", "list"}};
        f[field] = value;
        expect_field_error(f, field);
    }
}

// --- what an error carries back ---

TEST(InboundFrame, ErrorCarriesRequestTypeAndIdWhenReadable) {
    json f = command_frame();
    f["to"] = "bad/id";
    frame_error e = parse_error(f.dump());
    EXPECT_EQ(e.request_type, "command");
    EXPECT_EQ(e.request_id, "c-17");

    json m = {{"type", "message"}, {"id", "m-9"}, {"to", "ops"}};
    frame_error em = parse_error(m.dump());
    EXPECT_EQ(em.request_type, "message");
    EXPECT_EQ(em.request_id, "m-9");
    EXPECT_EQ(em.field, "payload");
}

TEST(InboundFrame, ErrorLeavesRequestIdEmptyWhenUnreadable) {
    json f = command_frame();
    f["id"] = 17;
    frame_error e = parse_error(f.dump());
    EXPECT_EQ(e.request_type, "command");
    EXPECT_TRUE(e.request_id.empty());

    f["id"] = std::string(65, 'x');
    EXPECT_TRUE(parse_error(f.dump()).request_id.empty());

    frame_error envelope = parse_error("{nope");
    EXPECT_TRUE(envelope.request_type.empty());
    EXPECT_TRUE(envelope.request_id.empty());
}

TEST(InboundFrame, FirstProblemWins) {
    json f = {{"type", "command"}, {"id", "c-1"}, {"to", 5}, {"name", 6}};
    frame_error e = parse_error(f.dump());
    EXPECT_EQ(e.field, "to");
}

}  // namespace
}  // namespace switchboard
