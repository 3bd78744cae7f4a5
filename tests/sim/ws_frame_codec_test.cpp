// ws_frame_codec: RFC 6455 client framing, checked by decoding what it
// encodes and by hand-made server frames.

#include "client/ws_frame_codec.hpp"

#include <gtest/gtest.h>

using switchboard::client::ws_frame_codec;
namespace ws_frame = switchboard::ws_frame;
using op = ws_frame_codec::opcode;
using status = ws_frame::decoded::status;

namespace {
std::string server_frame(op code, const std::string& payload, bool fin = true) {
    std::string f;
    f.push_back(static_cast<char>((fin ? 0x80 : 0) | static_cast<int>(code)));
    if (payload.size() < 126) {
        f.push_back(static_cast<char>(payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        f.push_back(126);
        f.push_back(static_cast<char>(payload.size() >> 8));
        f.push_back(static_cast<char>(payload.size() & 0xFF));
    } else {
        f.push_back(127);
        for (int s = 56; s >= 0; s -= 8)
            f.push_back(static_cast<char>((payload.size() >> s) & 0xFF));
    }
    return f + payload;
}
}  // namespace

TEST(WsFrameCodec, EncodedFramesAreMaskedAndDecodeBack) {
    ws_frame_codec codec(42);
    for (std::size_t n : {0u, 1u, 7u, 8u, 125u, 126u, 127u, 1000u, 65535u, 65536u, 200000u}) {
        std::string payload(n, '\0');
        for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + i % 26);
        std::string wire;
        codec.encode(wire, op::text, payload);
        ASSERT_NE(static_cast<unsigned char>(wire[1]) & 0x80, 0) << "client frames must be masked";
        auto d = ws_frame::decode(wire.data(), wire.size(), 1 << 20);
        ASSERT_EQ(d.state, status::complete) << n;
        EXPECT_EQ(d.op, op::text);
        EXPECT_TRUE(d.fin);
        EXPECT_EQ(d.frame_bytes, wire.size());
        EXPECT_EQ(d.payload, payload) << n;
    }
}

TEST(WsFrameCodec, ManyFramesInOneBufferAndAPartialOne) {
    std::string buffer = server_frame(op::text, "{\"a\":1}") + server_frame(op::ping, "p") +
                         server_frame(op::text, std::string(300, 'x'));
    std::string partial = server_frame(op::text, "tail");
    buffer += partial.substr(0, 3);
    std::size_t pos = 0;
    std::vector<std::string> seen;
    for (;;) {
        auto d = ws_frame::decode(buffer.data() + pos, buffer.size() - pos, 1 << 20);
        if (d.state != status::complete) {
            EXPECT_EQ(d.state, status::incomplete);
            break;
        }
        seen.emplace_back(d.payload);
        pos += d.frame_bytes;
    }
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0], "{\"a\":1}");
    EXPECT_EQ(seen[1], "p");
    EXPECT_EQ(seen[2].size(), 300u);
    EXPECT_EQ(buffer.size() - pos, 3u);
}

TEST(WsFrameCodec, EveryPrefixOfAFrameIsIncomplete) {
    std::string f = server_frame(op::text, std::string(70000, 'z'));
    for (std::size_t cut : {0u, 1u, 2u, 5u, 9u, 10u, 100u, 69999u}) {
        EXPECT_EQ(ws_frame::decode(f.data(), cut, 1 << 20).state, status::incomplete) << cut;
    }
}

TEST(WsFrameCodec, RefusesBrokenFrames) {
    std::string reserved = server_frame(op::text, "x");
    reserved[0] = static_cast<char>(reserved[0] | 0x40);
    EXPECT_EQ(ws_frame::decode(reserved.data(), reserved.size(), 100).state, status::invalid);
    std::string bad_op = server_frame(op::text, "x");
    bad_op[0] = static_cast<char>(0x83);
    EXPECT_EQ(ws_frame::decode(bad_op.data(), bad_op.size(), 100).state, status::invalid);
    std::string long_ping = server_frame(op::ping, std::string(126, 'p'));
    EXPECT_EQ(ws_frame::decode(long_ping.data(), long_ping.size(), 1000).state, status::invalid);
    std::string big = server_frame(op::text, std::string(101, 'b'));
    EXPECT_EQ(ws_frame::decode(big.data(), big.size(), 100).state, status::invalid);
}

TEST(WsFrameCodec, CloseCarriesCodeAndReason) {
    ws_frame_codec codec;
    std::string wire;
    codec.encode_close(wire, 4003, "replaced");
    auto d = ws_frame::decode(wire.data(), wire.size(), 1000);
    ASSERT_EQ(d.state, status::complete);
    EXPECT_EQ(d.op, op::close);
    ASSERT_EQ(d.payload.size(), 10u);
    EXPECT_EQ(
        (static_cast<unsigned char>(d.payload[0]) << 8) | static_cast<unsigned char>(d.payload[1]),
        4003);
    EXPECT_EQ(d.payload.substr(2), "replaced");
}
