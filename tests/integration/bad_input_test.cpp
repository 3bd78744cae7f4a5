// Bad input gets a precise error, the connection carries on, and nobody
// else notices. Oversized frames close with 1009.

#include <gtest/gtest.h>

#include "eventually.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {
struct bad_case {
    std::string text;
    std::string field;  // expected `field`, empty when none
};

// After any bad frame the connection still routes a command.
void expect_still_routes(ws_test_client& ctl, ws_test_client& dev, const std::string& id) {
    ctl.send({{"type", "command"}, {"to", "pump-1"}, {"id", id}, {"name", "ping"}});
    auto cmd = dev.receive_type("command");
    ASSERT_TRUE(cmd) << "after " << id;
    EXPECT_EQ((*cmd)["id"], id);
}
}  // namespace

TEST(BadInput, EachMalformedFrameGetsAPreciseErrorAndTheConnectionCarriesOn) {
    running_gateway gw;
    ws_test_client dev(gw.port()), ctl(gw.port());
    dev.register_as("pump-1", "device");
    ctl.register_as("dash", "controller");

    std::vector<bad_case> cases = {
        {"{not json", ""},
        {"", ""},
        {"[1,2,3]", ""},
        {"\"just a string\"", ""},
        {"42", ""},
        {"{}", "type"},
        {R"({"type":7})", "type"},
        {R"({"type":"teleport"})", "type"},
        {R"({"type":"command","id":"c","name":"x"})", "to"},
        {R"({"type":"command","to":"pump-1","name":"x"})", "id"},
        {R"({"type":"command","to":"pump-1","id":"c"})", "name"},
        {R"({"type":"command","to":5,"id":"c","name":"x"})", "to"},
        {R"({"type":"command","to":"a/b","id":"c","name":"x"})", "to"},
        {R"({"type":"command","to":"pump-1","id":"c","name":"x","timeout_ms":"soon"})",
         "timeout_ms"},
        {R"({"type":"command","to":"pump-1","id":"c","name":"x","timeout_ms":-1})", "timeout_ms"},
        {R"({"type":"command","to":"pump-1","id":"c","name":"x","ack":"yes"})", "ack"},
        {R"({"type":"command","to":"pump-1","id":"","name":"x"})", "id"},
        {R"({"type":"response","to":"dash","id":"c"})", "ok"},
        {R"({"type":"response","to":"dash","id":"c","ok":true,"error":"bad"})", "error"},
        {R"({"type":"message","to":"pump-1"})", "payload"},
        {R"({"type":"event"})", "name"},
        {R"({"type":"subscribe","ids":"pump-1"})", "ids"},
        {R"({"type":"subscribe","ids":["a/b"]})", "ids"},
        {R"({"type":"list","role":"admin"})", "role"},
        {R"({"type":"list","limit":0})", "limit"},
        {std::string(100, '[') + std::string(100, ']'), ""},
    };
    int n = 0;
    for (const auto& c : cases) {
        ctl.send_text(c.text);
        auto e = ctl.receive();
        ASSERT_TRUE(e) << c.text;
        EXPECT_EQ((*e)["type"], "error") << c.text;
        EXPECT_EQ((*e)["code"], "bad_request") << c.text;
        EXPECT_FALSE((*e)["message"].get<std::string>().empty());
        if (!c.field.empty()) {
            EXPECT_EQ((*e).value("field", ""), c.field) << c.text;
            EXPECT_NE((*e)["message"].get<std::string>().find(c.field), std::string::npos)
                << c.text;
        }
        if (++n % 9 == 0) expect_still_routes(ctl, dev, "ok-" + std::to_string(n));
    }
    expect_still_routes(ctl, dev, "ok-final");
    EXPECT_EQ(gw.stats().bad_frames.load(), cases.size());
}

TEST(BadInput, InvalidUtf8TextFrameFailsTheConnectionWith1007) {
    // RFC 6455 §8.1: a text frame must be UTF-8; the endpoint fails the connection.
    running_gateway gw;
    ws_test_client ctl(gw.port()), bystander(gw.port());
    ctl.register_as("dash", "controller");
    bystander.register_as("dash-2", "controller");
    ctl.send_text("{\"type\":\"list\",\"prefix\":\"\xff\xfe\"}");
    EXPECT_EQ(ctl.wait_closed(), 1007);
    bystander.send({{"type", "list"}});
    EXPECT_EQ((*bystander.receive())["type"], "list");
}

TEST(BadInput, BinaryFrameIsRefusedWithBadRequest) {
    running_gateway gw;
    ws_test_client ctl(gw.port());
    ctl.register_as("dash", "controller");
    ctl.send_binary(std::string("\x00\x01\x02", 3));
    auto e = ctl.receive();
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["code"], "bad_request");
    EXPECT_NE((*e)["message"].get<std::string>().find("binary"), std::string::npos);
    ctl.send({{"type", "list"}});
    EXPECT_EQ((*ctl.receive())["type"], "list");
}

TEST(BadInput, FrameAtTheLimitPassesAndOneByteMoreClosesWith1009) {
    running_gateway gw([](gateway_config& c) { c.session.max_message_bytes = 4096; });
    ws_test_client dev(gw.port()), ctl(gw.port()), bystander(gw.port());
    dev.register_as("pump-1", "device");
    ctl.register_as("dash", "controller");
    bystander.register_as("dash-2", "controller");

    json frame = {{"type", "message"}, {"to", "pump-1"}, {"payload", ""}};
    std::size_t overhead = frame.dump().size();
    frame["payload"] = std::string(4096 - overhead, 'x');
    ASSERT_EQ(frame.dump().size(), 4096u);
    ctl.send(frame);
    auto m = dev.receive();
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["payload"].get<std::string>().size(), 4096 - overhead);

    frame["payload"] = std::string(4097 - overhead, 'x');
    ctl.send(frame);
    EXPECT_EQ(ctl.wait_closed(), 1009);
    // The client may see the close before the session has counted it.
    EXPECT_TRUE(eventually([&] { return gw.stats().oversized_frames.load() == 1u; }));
    bystander.send({{"type", "list"}});
    EXPECT_EQ((*bystander.receive())["type"], "list");
}

TEST(BadInput, HugeFrameClosesWith1009WithoutBufferingIt) {
    running_gateway gw;
    ws_test_client ctl(gw.port());
    ctl.register_as("dash", "controller");
    ctl.send_text(std::string(8 << 20, ' '));
    // 1009 although the client is still writing when the gateway decides:
    // the lingering close reads and drops the rest instead of resetting.
    EXPECT_EQ(ctl.wait_closed(), 1009);
    EXPECT_TRUE(eventually([&] { return gw.stats().oversized_frames.load() == 1u; }));
    ws_test_client after(gw.port());
    EXPECT_EQ(after.register_as("dash-2", "controller")["type"], "registered");
}
