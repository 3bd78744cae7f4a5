// core/trace_context: the W3C traceparent, parsed as Trace Context §3.2 and
// §3.3 say, and written back in version 00; and the frame fields it becomes.

#include "core/trace_context.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/inbound_frame.hpp"
#include "core/outbound_frame.hpp"

namespace switchboard {
namespace {

using namespace std::string_literals;

// The spec's own example.
const std::string example = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

std::string problem_of(std::string_view text) {
    traceparent_parse p = parse_traceparent(text);
    EXPECT_FALSE(p.context) << text;
    return std::string(p.problem);
}

TEST(TraceContext, SpecExampleParsesAndWritesBackUnchanged) {
    traceparent_parse p = parse_traceparent(example);
    ASSERT_TRUE(p.context) << p.problem;
    EXPECT_EQ(p.context->trace_id_view(), "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(p.context->parent_id_view(), "00f067aa0ba902b7");
    EXPECT_EQ(p.context->flags, 0x01);
    EXPECT_EQ(p.context->text().view(), example);
}

TEST(TraceContext, Version00FlagsAreKeptAsSent) {
    auto p = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    ASSERT_TRUE(p.context);
    EXPECT_EQ(p.context->flags, 0x00);
    p = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03");
    ASSERT_TRUE(p.context);
    EXPECT_EQ(p.context->text().view().substr(53), "03");
}

TEST(TraceContext, Version00IsExactly55Characters) {
    EXPECT_EQ(problem_of(example + "-"), "version 00 is exactly 55 characters");
    EXPECT_EQ(problem_of(example + "-00"), "version 00 is exactly 55 characters");
    EXPECT_EQ(problem_of(example.substr(0, 54)), "version 00 is exactly 55 characters");
    EXPECT_EQ(problem_of(""), "the version is not two lowercase hex digits");
    EXPECT_EQ(problem_of("0"), "the version is not two lowercase hex digits");
}

TEST(TraceContext, UppercaseHexIsRefused) {
    EXPECT_EQ(problem_of("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),
              "the trace-id is not 32 lowercase hex digits");
    EXPECT_EQ(problem_of("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01"),
              "the parent-id is not 16 lowercase hex digits");
    EXPECT_EQ(problem_of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A"),
              "the flags are not two lowercase hex digits");
    EXPECT_EQ(problem_of("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
              "the version is not two lowercase hex digits");
}

TEST(TraceContext, AllZeroIdsAreInvalid) {
    EXPECT_EQ(problem_of("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
              "the trace-id is all zeros");
    EXPECT_EQ(problem_of("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
              "the parent-id is all zeros");
}

TEST(TraceContext, VersionFfIsInvalid) {
    EXPECT_EQ(problem_of("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
              "version ff is invalid");
}

TEST(TraceContext, DashesMustSeparateTheFields) {
    EXPECT_EQ(problem_of("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
              "the fields are not separated by dashes at 2, 35 and 52");
    EXPECT_EQ(problem_of("00-4bf92f3577b34da6a3ce929d0e0e4736000f067aa0ba902b7-01"),
              "the fields are not separated by dashes at 2, 35 and 52");
    // A dash in a field shifts everything: caught as a bad field or separator.
    EXPECT_FALSE(
        parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01").context);
    EXPECT_FALSE(
        parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7- 1").context);
}

TEST(TraceContext, ALaterVersionIsReadForItsVersion00Prefix) {
    // §3.3: a higher version is parsed as far as version 00 goes, and what
    // follows the flags must begin with a dash.
    auto p = parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    ASSERT_TRUE(p.context) << p.problem;
    EXPECT_EQ(p.context->trace_id_view(), "4bf92f3577b34da6a3ce929d0e0e4736");
    p = parse_traceparent(
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds");
    ASSERT_TRUE(p.context) << p.problem;
    // Written back as version 00, the only one this gateway speaks.
    EXPECT_EQ(p.context->text().view(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    EXPECT_EQ(problem_of("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.x"),
              "a later version's flags must be followed by a dash");
    EXPECT_EQ(problem_of("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0"),
              "a traceparent is at least 55 characters");
}

TEST(TraceContext, ALaterVersionKeepsOnlyTheSampledFlag) {
    auto p = parse_traceparent("02-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff");
    ASSERT_TRUE(p.context);
    EXPECT_EQ(p.context->flags, 0x01);
    p = parse_traceparent("02-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-fe");
    ASSERT_TRUE(p.context);
    EXPECT_EQ(p.context->flags, 0x00);
}

TEST(TraceContext, WithParentKeepsTraceAndFlagsAndNeverWritesAZeroSpan) {
    auto p = parse_traceparent(example);
    ASSERT_TRUE(p.context);
    trace_context child = p.context->with_parent(0x0123456789abcdefULL);
    EXPECT_EQ(child.text().view(), "00-4bf92f3577b34da6a3ce929d0e0e4736-0123456789abcdef-01");
    EXPECT_TRUE(child.same_trace(*p.context));
    EXPECT_EQ(p.context->with_parent(0).parent_id_view(), "0000000000000001");
    // What with_parent writes is itself a valid traceparent.
    EXPECT_TRUE(parse_traceparent(child.text().view()).context);
}

TEST(TraceContext, SpanIdsAreNeverZeroAndDoNotRepeat) {
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 1000; ++i) {
        std::uint64_t id = next_span_id();
        EXPECT_NE(id, 0u);
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 1000u);
}

// --- as frame fields ---

TEST(TraceContext, CommandAndResponseCarryTheField) {
    auto parsed =
        parse_frame(R"({"type":"command","to":"pump-1","id":"c1","name":"go","traceparent":")" +
                    example + "\"}");
    ASSERT_TRUE(std::holds_alternative<inbound_frame>(parsed));
    const auto& c = std::get<command_request>(std::get<inbound_frame>(parsed));
    ASSERT_TRUE(c.trace);
    EXPECT_EQ(c.trace->text().view(), example);

    parsed = parse_frame(R"({"type":"response","to":"dash-1","id":"c1","ok":true,"traceparent":")" +
                         example + "\"}");
    ASSERT_TRUE(std::holds_alternative<inbound_frame>(parsed));
    EXPECT_TRUE(std::get<response_request>(std::get<inbound_frame>(parsed)).trace);
}

TEST(TraceContext, ACommandWithoutTheFieldHasNoTrace) {
    auto parsed = parse_frame(R"({"type":"command","to":"pump-1","id":"c1","name":"go"})");
    ASSERT_TRUE(std::holds_alternative<inbound_frame>(parsed));
    EXPECT_FALSE(std::get<command_request>(std::get<inbound_frame>(parsed)).trace);
}

TEST(TraceContext, ABadFieldIsABadRequestNamingIt) {
    for (const std::string& value :
         {"\"\""s, "\"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01\""s,
          "\"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\""s, "17"s, "null"s,
          "\"" + std::string(5000, 'a') + "\""}) {
        auto parsed =
            parse_frame(R"({"type":"command","to":"pump-1","id":"c1","name":"go","traceparent":)" +
                        value + "}");
        ASSERT_TRUE(std::holds_alternative<frame_error>(parsed)) << value;
        const auto& e = std::get<frame_error>(parsed);
        EXPECT_EQ(e.code, error_code::bad_request);
        EXPECT_EQ(e.field, "traceparent");
        EXPECT_EQ(e.request_id, "c1");
        EXPECT_NE(e.message.find("traceparent"), std::string::npos) << e.message;
        // The message never echoes what the client sent.
        EXPECT_LT(e.message.size(), 200u);
    }
}

TEST(TraceContext, AnEscapedButValidFieldIsAccepted) {
    // JSON text may spell a character as \u0030; the value is what counts.
    auto parsed = parse_frame(
        R"({"type":"command","to":"pump-1","id":"c1","name":"go","traceparent":"\u00300-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})");
    ASSERT_TRUE(std::holds_alternative<inbound_frame>(parsed));
    EXPECT_TRUE(std::get<command_request>(std::get<inbound_frame>(parsed)).trace);
}

TEST(TraceContext, ACarriedTraceparentFillsInOnlyWhereTheFieldIsMissing) {
    const std::string other = "00-11111111111111111111111111111111-2222222222222222-00";
    inbound_frame f = std::get<inbound_frame>(
        parse_frame(R"({"type":"response","to":"dash-1","id":"c1","ok":true})"));
    EXPECT_FALSE(adopt_carried_traceparent(f, example));
    EXPECT_EQ(std::get<response_request>(f).trace->text().view(), example);
    // The field wins over the property.
    EXPECT_FALSE(adopt_carried_traceparent(f, other));
    EXPECT_EQ(std::get<response_request>(f).trace->text().view(), example);
    // Frames that carry no trace ignore it.
    inbound_frame e = std::get<inbound_frame>(parse_frame(R"({"type":"event","name":"x"})"));
    EXPECT_FALSE(adopt_carried_traceparent(e, "nonsense"));
}

TEST(TraceContext, ABadCarriedTraceparentIsABadRequestNamingIt) {
    inbound_frame f = std::get<inbound_frame>(
        parse_frame(R"({"type":"command","to":"pump-1","id":"c9","name":"go"})"));
    auto error = adopt_carried_traceparent(f, "00-nope");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->field, "traceparent");
    EXPECT_EQ(error->request_type, "command");
    EXPECT_EQ(error->request_id, "c9");
}

TEST(TraceContext, OutboundFramesWriteTheGivenContext) {
    auto ctx = *parse_traceparent(example).context;
    command_request c;
    c.id = "c1";
    c.name = "go";
    c.trace = ctx.with_parent(7);  // what was received is not what is written
    auto frame = make_command("dash-1", c, &ctx);
    EXPECT_NE(frame->find("\"traceparent\":\"" + example + "\""), std::string::npos) << *frame;
    EXPECT_EQ(make_command("dash-1", c)->find("traceparent"), std::string::npos);
    auto timeout = make_failed_response("pump-1", "c1", error_code::timeout, "late", &ctx);
    EXPECT_NE(timeout->find(example), std::string::npos) << *timeout;
}

}  // namespace
}  // namespace switchboard
