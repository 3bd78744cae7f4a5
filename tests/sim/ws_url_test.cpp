// parse_ws_url: the simulator's gateway URLs, and the Socket.IO peer's.

#include <gtest/gtest.h>

#include <stdexcept>

#include "client/ws_transport.hpp"

using namespace switchboard::client;

TEST(WsUrl, GatewayUrlsKeepTheirPathAndOfferTheSubprotocol) {
    auto o = parse_ws_url("ws://127.0.0.1:8080/ws");
    EXPECT_EQ(o.server.port(), 8080);
    EXPECT_EQ(o.server.address().to_string(), "127.0.0.1");
    EXPECT_EQ(o.target, "/ws");
    EXPECT_EQ(o.host_header, "127.0.0.1:8080");
    EXPECT_EQ(o.subprotocol, "switchboard.v1");
    EXPECT_EQ(o.framing, ws_framing::plain);
    EXPECT_EQ(parse_ws_url("ws://127.0.0.1:9").target, "/ws");
    EXPECT_EQ(parse_ws_url("ws://127.0.0.1:9/other").target, "/other");
}

TEST(WsUrl, SocketIoUrlsGoStraightToTheWebSocketTransport) {
    auto o = parse_ws_url("socketio://127.0.0.1:3000");
    EXPECT_EQ(o.target, "/socket.io/?EIO=4&transport=websocket");
    EXPECT_TRUE(o.subprotocol.empty());
    EXPECT_EQ(o.framing, ws_framing::socketio);
}

TEST(WsUrl, BadUrlsAreRefusedSayingWhy) {
    for (const char* url : {"http://127.0.0.1:80/ws", "ws://127.0.0.1", "ws://127.0.0.1:0/ws",
                            "ws://127.0.0.1:70000/ws", "wss://127.0.0.1/ws", "wss://127.0.0.1:/ws",
                            "ws://127.0.0.1:80x/ws", "ws://:80/ws", "socketio://127.0.0.1:/"}) {
        EXPECT_THROW(parse_ws_url(url), std::invalid_argument) << url;
    }
}

TEST(WsUrl, WssUrlsGetATlsContextCheckingTheHost) {
    auto plain = parse_ws_url("ws://127.0.0.1:8080/ws");
    EXPECT_EQ(plain.tls, nullptr);
    auto secure = parse_ws_url("wss://127.0.0.1:8443/ws", tls_trust{{}, true});
    ASSERT_NE(secure.tls, nullptr);
    EXPECT_EQ(secure.tls_host, "127.0.0.1");
    EXPECT_EQ(secure.target, "/ws");
    EXPECT_EQ(secure.server.port(), 8443);
    // A CA file that cannot be read is refused at once, naming it.
    try {
        parse_ws_url("wss://127.0.0.1:8443/ws", tls_trust{"/nonexistent/ca.pem", false});
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/ca.pem"), std::string::npos) << e.what();
    }
}
