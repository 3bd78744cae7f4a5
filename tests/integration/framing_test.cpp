// The gateway's own WebSocket framing (raw_wire), byte by byte from a bare
// socket on plain TCP: what a read returns is handled whole, control frames
// are answered, the close handshake and failures follow RFC 6455. TLS runs
// the same raw_wire through tls_codec (tls_test); only compressed
// connections go through Beast (beast_wire: bad_input_test, control_frames_test).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "raw_connection.hpp"
#include "running_gateway.hpp"

using namespace switchboard;
using namespace switchboard::test;
using namespace std::chrono_literals;
using json = nlohmann::json;
using op = ws_frame::opcode;

namespace {

std::string register_frame(const std::string& id) {
    return raw_connection::text(
        json{{"type", "register"}, {"id", id}, {"role", "controller"}}.dump());
}

// Upgraded and registered as `id`.
void open_as(raw_connection& c, const std::string& id) {
    c.send(websocket_upgrade_request);
    ASSERT_NE(c.read_head().find("101 Switching Protocols"), std::string::npos);
    c.send(register_frame(id));
    auto reg = c.read_text();
    ASSERT_TRUE(reg);
    ASSERT_EQ(json::parse(*reg)["type"], "registered");
}

}  // namespace

TEST(Framing, UpgradeAnswerCarriesTheAcceptKeyAndOurSubprotocol) {
    running_gateway gw;
    raw_connection c(gw.port());
    std::string request = websocket_upgrade_request;
    request.insert(request.size() - 2, "Sec-WebSocket-Protocol: other, switchboard.v1\r\n");
    c.send(request);
    std::string head = c.read_head();
    EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
              std::string::npos)
        << head;
    EXPECT_NE(head.find("Sec-WebSocket-Protocol: switchboard.v1\r\n"), std::string::npos) << head;
}

TEST(Framing, WrongVersionGets426AndBadKeyGets400) {
    running_gateway gw;
    std::string old_version = websocket_upgrade_request;
    old_version.replace(old_version.find("Version: 13"), 11, "Version: 8");
    raw_connection a(gw.port());
    a.send(old_version);
    std::string head = a.read_head();
    EXPECT_EQ(head.rfind("HTTP/1.1 426", 0), 0u) << head;
    EXPECT_NE(head.find("Sec-WebSocket-Version: 13"), std::string::npos) << head;
    EXPECT_TRUE(a.closed_by_server());

    std::string bad_key = websocket_upgrade_request;
    bad_key.replace(bad_key.find("dGhl"), 4, "!!!!");
    raw_connection b(gw.port());
    b.send(bad_key);
    EXPECT_EQ(b.read_head().rfind("HTTP/1.1 400", 0), 0u);
    EXPECT_TRUE(b.closed_by_server());
}

TEST(Framing, ManyFramesInOneSegmentAreAllAnsweredInOrder) {
    running_gateway gw;
    raw_connection c(gw.port());
    // Upgrade, register and 50 requests in a single write: the frames that
    // came with the upgrade request and every frame of one read are handled.
    std::string burst = websocket_upgrade_request + register_frame("dash-1");
    for (int i = 0; i < 50; ++i) {
        burst += raw_connection::text(json{
            {"type", "command"},
            {"to", "nobody"},
            {"id", "c" + std::to_string(i)},
            {"name", "x"}}.dump());
    }
    c.send(burst);
    ASSERT_NE(c.read_head().find("101"), std::string::npos);
    auto reg = c.read_text();
    ASSERT_TRUE(reg);
    EXPECT_EQ(json::parse(*reg)["type"], "registered");
    for (int i = 0; i < 50; ++i) {
        auto answer = c.read_text();
        ASSERT_TRUE(answer) << i;
        auto f = json::parse(*answer);
        EXPECT_EQ(f["id"], "c" + std::to_string(i));
        EXPECT_EQ(f["type"], "error");
        EXPECT_EQ(f["code"], "offline");
    }
}

TEST(Framing, FragmentedMessageWithAPingInsideIsAssembledAndThePingAnswered) {
    running_gateway gw;
    raw_connection c(gw.port());
    c.send(websocket_upgrade_request);
    ASSERT_NE(c.read_head().find("101"), std::string::npos);
    std::string reg = json{{"type", "register"}, {"id", "dash-2"}, {"role", "controller"}}.dump();
    c.send(raw_connection::frame(op::text, reg.substr(0, 10), false) +
           raw_connection::frame(op::ping, "are you there") +
           raw_connection::frame(op::continuation, reg.substr(10, 5), false));
    c.send(raw_connection::frame(op::continuation, reg.substr(15)));
    auto pong = c.read_frame();
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->op, op::pong);
    EXPECT_EQ(pong->payload, "are you there");
    auto registered = c.read_text();
    ASSERT_TRUE(registered);
    EXPECT_EQ(json::parse(*registered)["type"], "registered");
}

TEST(Framing, ClientCloseIsEchoedThenTheServerEndsTcp) {
    running_gateway gw;
    raw_connection c(gw.port());
    open_as(c, "dash-3");
    c.send(raw_connection::frame(op::close, ws_frame::close_payload(1000, "done")));
    auto echo = c.read_frame();
    ASSERT_TRUE(echo);
    EXPECT_EQ(echo->op, op::close);
    EXPECT_EQ(echo->code(), 1000u);
    EXPECT_TRUE(c.closed_by_server());
}

struct broken_case {
    const char* name;
    std::string bytes;
    unsigned code;
};

TEST(Framing, BrokenFramesFailTheConnectionWithTheRfcCode) {
    running_gateway gw;
    unsigned char header[ws_frame::max_header_bytes];
    std::string unmasked(reinterpret_cast<char*>(header),
                         ws_frame::write_header(header, op::text, 2));
    unmasked += "{}";
    std::string reserved = raw_connection::text("{}");
    reserved[0] = static_cast<char>(reserved[0] | 0x20);
    std::vector<broken_case> cases = {
        {"unmasked", unmasked, 1002},
        {"reserved bit", reserved, 1002},
        {"continuation first", raw_connection::frame(op::continuation, "{}"), 1002},
        {"invalid UTF-8", raw_connection::text("\"\xF5\x80\""), 1007},
        {"over the limit", raw_connection::text(std::string(70000, ' ')), 1009},
    };
    int n = 0;
    for (const auto& k : cases) {
        raw_connection c(gw.port());
        open_as(c, "dash-b" + std::to_string(n++));
        c.send(k.bytes);
        auto close = c.read_frame();
        ASSERT_TRUE(close) << k.name;
        EXPECT_EQ(close->op, op::close) << k.name;
        EXPECT_EQ(close->code(), k.code) << k.name;
        EXPECT_TRUE(c.closed_by_server()) << k.name;
    }
}

TEST(Framing, QuietConnectionIsPingedAndDroppedIfItNeverAnswers) {
    running_gateway gw([](gateway_config& c) { c.session.idle_timeout = 400ms; });
    raw_connection c(gw.port());
    open_as(c, "dash-4");
    // Bounded by the read timeout of raw_connection, not asserted as a time.
    auto ping = c.read_frame();
    ASSERT_TRUE(ping);
    EXPECT_EQ(ping->op, op::ping);
    EXPECT_TRUE(c.closed_by_server());
}

// The keep-alive runs on one clock per I/O thread (keep_alive_sweep), not a
// timer per connection; each connection still counts from its own start: a
// quiet one is pinged no sooner than half the idle period after it opened
// and cut off no sooner than the whole period, whenever it opened against
// the clock's steps. Lower bounds only (a loaded machine makes both later);
// the waits are bounded by raw_connection's read timeout.
TEST(Framing, QuietConnectionsArePingedAndCutCountingFromTheirOwnStart) {
    running_gateway gw([](gateway_config& c) { c.session.idle_timeout = 1000ms; });
    using clock = std::chrono::steady_clock;
    const auto start_a = clock::now();
    raw_connection a(gw.port());
    open_as(a, "dash-6");
    auto ping_a = a.read_frame();
    ASSERT_TRUE(ping_a);
    EXPECT_EQ(ping_a->op, op::ping);
    EXPECT_GE(clock::now() - start_a, 500ms);
    // B opens out of step with A's start, while A's ping is unanswered.
    const auto start_b = clock::now();
    raw_connection b(gw.port());
    open_as(b, "dash-7");
    auto ping_b = b.read_frame();
    ASSERT_TRUE(ping_b);
    EXPECT_EQ(ping_b->op, op::ping);
    EXPECT_GE(clock::now() - start_b, 500ms);
    EXPECT_TRUE(a.closed_by_server());
    EXPECT_GE(clock::now() - start_a, 1000ms);
    EXPECT_TRUE(b.closed_by_server());
    EXPECT_GE(clock::now() - start_b, 1000ms);
}

TEST(Framing, QuietConnectionThatAnswersPingsStaysOpen) {
    running_gateway gw([](gateway_config& c) { c.session.idle_timeout = 400ms; });
    raw_connection c(gw.port());
    open_as(c, "dash-5");
    for (int i = 0; i < 3; ++i) {
        auto ping = c.read_frame();
        ASSERT_TRUE(ping) << i;
        ASSERT_EQ(ping->op, op::ping) << i;
        c.send(raw_connection::frame(op::pong, ping->payload));
    }
    c.send(raw_connection::text(R"({"type":"list"})"));
    auto list = c.read_text();
    ASSERT_TRUE(list);
    EXPECT_EQ(json::parse(*list)["type"], "list");
}
