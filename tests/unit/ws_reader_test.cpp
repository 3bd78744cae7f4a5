// The gateway's own WebSocket reading (ws_reader) and the pieces under it:
// frame layout, UTF-8, the handshake's accept key. RFC 6455 section numbers
// name the rule each test holds the code to.
#include "core/ws_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/utf8.hpp"
#include "core/ws_frame.hpp"
#include "core/ws_handshake.hpp"

namespace switchboard {
namespace {

using ws_frame::opcode;
using kind = ws_reader::event::kind;

std::string masked(opcode op, std::string_view payload, bool fin = true) {
    std::string out;
    ws_frame::append_masked(out, op, payload, 0x1234abcd);
    if (!fin) out[0] = static_cast<char>(out[0] & 0x7F);
    return out;
}

std::string unmasked(opcode op, std::string_view payload) {
    unsigned char header[ws_frame::max_header_bytes];
    std::size_t n = ws_frame::write_header(header, op, payload.size());
    return std::string(reinterpret_cast<char*>(header), n) + std::string(payload);
}

struct seen {
    kind what;
    std::string payload;
    std::uint16_t code;
};

// Feeds `wire` as a socket would, `chunk` bytes at a time, keeping what was
// not consumed the way raw_wire does, until need_more with nothing left, fail or close.
std::vector<seen> read_all(ws_reader& reader, const std::string& wire, std::size_t chunk) {
    std::vector<seen> out;
    std::string pending;
    for (std::size_t fed = 0; fed < wire.size();) {
        std::size_t n = std::min(chunk, wire.size() - fed);
        pending.append(wire, fed, n);
        fed += n;
        std::size_t pos = 0;
        while (pos < pending.size()) {
            auto e = reader.next(pending.data() + pos, pending.size() - pos);
            pos += e.consumed;
            if (e.what == kind::need_more) break;
            out.push_back({e.what, std::string(e.payload), e.code});
            if (e.what == kind::fail || e.what == kind::close) return out;
        }
        pending.erase(0, pos);
    }
    return out;
}

TEST(WsReader, EveryFrameInOneReadComesOutInOrderWhateverTheChunking) {
    const std::string big(70000, 'x');  // a 64-bit length
    const std::string wire =
        masked(opcode::text, R"({"type":"list"})") + masked(opcode::ping, "p1") +
        masked(opcode::text, std::string(300, 'a')) + masked(opcode::binary, "\x01\x02") +
        masked(opcode::text, big) + masked(opcode::pong, "");
    for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{512}, wire.size()}) {
        ws_reader reader(1 << 20);
        auto events = read_all(reader, wire, chunk);
        ASSERT_EQ(events.size(), 6u) << "chunk " << chunk;
        EXPECT_EQ(events[0].what, kind::text);
        EXPECT_EQ(events[0].payload, R"({"type":"list"})");
        EXPECT_EQ(events[1].what, kind::ping);
        EXPECT_EQ(events[1].payload, "p1");
        EXPECT_EQ(events[2].payload, std::string(300, 'a'));
        EXPECT_EQ(events[3].what, kind::binary);
        EXPECT_EQ(events[4].payload, big);
        EXPECT_EQ(events[5].what, kind::pong);
    }
}

TEST(WsReader, FragmentsAreAssembledWithControlFramesBetweenThem) {
    // §5.4: control frames may be injected in the middle of a fragmented message.
    const std::string wire =
        masked(opcode::text, R"({"type":)", false) + masked(opcode::ping, "mid") +
        masked(opcode::continuation, R"("li)", false) + masked(opcode::continuation, R"(st"})");
    ws_reader reader(1024);
    auto events = read_all(reader, wire, 3);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].what, kind::ping);
    EXPECT_EQ(events[1].what, kind::text);
    EXPECT_EQ(events[1].payload, R"({"type":"list"})");
}

TEST(WsReader, A4ByteCharacterSplitAcrossFragmentsIsValid) {
    const std::string clef = "\xF0\x9D\x84\x9E";  // U+1D11E
    const std::string wire = masked(opcode::text, "\"" + clef.substr(0, 2), false) +
                             masked(opcode::continuation, clef.substr(2) + "\"");
    ws_reader reader(1024);
    auto events = read_all(reader, wire, wire.size());
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].what, kind::text);
    EXPECT_EQ(events[0].payload, "\"" + clef + "\"");
}

struct failing_case {
    const char* name;
    std::string wire;
    std::uint16_t code;
};

TEST(WsReader, EachBrokenFrameFailsWithTheRightCode) {
    std::string rsv = masked(opcode::text, "x");
    rsv[0] = static_cast<char>(rsv[0] | 0x40);
    std::string bad_op = masked(opcode::text, "x");
    bad_op[0] = static_cast<char>((bad_op[0] & 0xF0) | 0x3);
    // 126-form length carrying 5: must have been the 7-bit form (§5.2).
    const std::string long_form = std::string("\x81\xFE\x00\x05", 4) + "\x00\x00\x00\x00" + "hello";
    std::vector<failing_case> cases = {
        {"unmasked client frame (5.1)", unmasked(opcode::text, "{}"), 1002},
        {"reserved bit without an extension (5.2)", rsv, 1002},
        {"unknown opcode (5.2)", bad_op, 1002},
        {"length not in its shortest form (5.2)", long_form, 1002},
        {"control frame over 125 bytes (5.5)", masked(opcode::ping, std::string(126, 'p')), 1002},
        {"fragmented control frame (5.5)", masked(opcode::ping, "p", false), 1002},
        {"continuation outside a message (5.4)", masked(opcode::continuation, "x"), 1002},
        {"new message inside a fragmented one (5.4)",
         masked(opcode::text, "a", false) + masked(opcode::text, "b"), 1002},
        {"invalid UTF-8 text (8.1)", masked(opcode::text, "\xC0\xAF"), 1007},
        {"close with a one-byte payload (5.5.1)", masked(opcode::close, "\x03"), 1002},
        {"close with code 1005, never sent (7.4.1)",
         masked(opcode::close, ws_frame::close_payload(1005, "")), 1002},
        {"close with code 999 (7.4.2)", masked(opcode::close, ws_frame::close_payload(999, "")),
         1002},
        {"close reason not UTF-8 (5.5.1)",
         masked(opcode::close, ws_frame::close_payload(1000, "\xFF")), 1007},
        {"message over the limit (10.4)", masked(opcode::text, std::string(101, 'x')), 1009},
        {"fragments adding up past the limit (10.4)",
         masked(opcode::text, std::string(60, 'x'), false) +
             masked(opcode::continuation, std::string(60, 'x')),
         1009},
    };
    for (const auto& c : cases) {
        ws_reader reader(100);
        auto events = read_all(reader, c.wire, c.wire.size());
        ASSERT_FALSE(events.empty()) << c.name;
        EXPECT_EQ(events.back().what, kind::fail) << c.name;
        EXPECT_EQ(events.back().code, c.code) << c.name;
    }
}

TEST(WsReader, AnOversizedFrameFailsOnItsHeaderAlone) {
    // Only the header has arrived: nothing of the payload needs buffering.
    std::string header = masked(opcode::text, std::string(1 << 20, 'x')).substr(0, 14);
    ws_reader reader(65536);
    auto e = reader.next(header.data(), header.size());
    EXPECT_EQ(e.what, kind::fail);
    EXPECT_EQ(e.code, 1009);
}

TEST(WsReader, CloseCarriesCodeAndReasonOr1005) {
    ws_reader reader(100);
    std::string with = masked(opcode::close, ws_frame::close_payload(4003, "replaced"));
    auto e = reader.next(with.data(), with.size());
    EXPECT_EQ(e.what, kind::close);
    EXPECT_EQ(e.code, 4003);
    EXPECT_EQ(e.payload, "replaced");
    ws_reader other(100);
    std::string without = masked(opcode::close, "");
    auto f = other.next(without.data(), without.size());
    EXPECT_EQ(f.what, kind::close);
    EXPECT_EQ(f.code, 1005);
}

TEST(WsReader, LimitRaisedAfterRegisterLetsLargerMessagesIn) {
    ws_reader reader(10);
    std::string frame = masked(opcode::text, std::string(50, 'x'));
    EXPECT_EQ(reader.next(frame.data(), frame.size()).what, kind::fail);
    ws_reader raised(10);
    raised.set_max_message_bytes(100);
    std::string again = masked(opcode::text, std::string(50, 'x'));
    EXPECT_EQ(raised.next(again.data(), again.size()).what, kind::text);
}

TEST(WsReader, ClientSideReaderTakesUnmaskedServerFramesWithTheSameRules) {
    // The simulator's ws_transport reads the gateway's frames with masks_required = false.
    const std::string wire = unmasked(opcode::text, R"({"type":"registered"})") +
                             unmasked(opcode::ping, "k") + unmasked(opcode::text, "\xC0\xAF");
    ws_reader client_side(1024, false);
    auto events = read_all(client_side, wire, 5);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].payload, R"({"type":"registered"})");
    EXPECT_EQ(events[1].what, kind::ping);
    EXPECT_EQ(events[2].what, kind::fail);
    EXPECT_EQ(events[2].code, 1007);
    ws_reader server_side(1024);
    auto refused = read_all(server_side, wire, wire.size());
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused[0].code, 1002);
}

TEST(WsFrame, ServerHeadersUseTheShortestLength) {
    unsigned char h[ws_frame::max_header_bytes];
    EXPECT_EQ(ws_frame::write_header(h, opcode::text, 125), 2u);
    EXPECT_EQ(h[0], 0x81);
    EXPECT_EQ(h[1], 125);
    EXPECT_EQ(ws_frame::write_header(h, opcode::text, 126), 4u);
    EXPECT_EQ(h[1], 126);
    EXPECT_EQ(ws_frame::write_header(h, opcode::pong, 65536), 10u);
    EXPECT_EQ(h[0], 0x8A);
    EXPECT_EQ(h[1], 127);
    EXPECT_EQ(h[7], 1);  // 65536 = 0x00010000
}

TEST(Utf8, AcceptsWhatRfc3629AllowsAndNothingElse) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain ascii, long enough for the eight-byte path"));
    EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x92\xA1 \xF4\x8F\xBF\xBF"));
    EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));   // U+D7FF, just below the surrogates
    EXPECT_FALSE(is_valid_utf8("\xC0\x80"));      // overlong NUL
    EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));  // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // U+D800, a surrogate
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
    EXPECT_FALSE(is_valid_utf8("\x80"));          // a lone continuation byte
    EXPECT_FALSE(is_valid_utf8("abc\xE2\x82"));   // cut short
    EXPECT_FALSE(is_valid_utf8("\xE2\x28\xA1"));  // bad continuation
    EXPECT_FALSE(is_valid_utf8("12345678\xFF"));  // after an ASCII run
}

TEST(WsHandshake, AcceptKeyIsTheRfcExample) {
    // RFC 6455 §1.3.
    EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    EXPECT_TRUE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=="));
    EXPECT_FALSE(is_valid_websocket_key(""));
    EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ="));  // 15 bytes
    EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ!="));
    EXPECT_FALSE(
        is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZR=="));  // stray bits in the last character
}

}  // namespace
}  // namespace switchboard
