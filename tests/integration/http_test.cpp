// The plain HTTP side of the listener: /healthz, the dashboard's files,
// and what is not there.

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>

#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
http::response<http::string_body> get(unsigned short port, const std::string& target,
                                      http::verb verb = http::verb::get) {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    http::request<http::empty_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.skip(verb == http::verb::head);
    http::read(stream, buffer, parser);
    return parser.release();
}
}  // namespace

TEST(Http, HealthzReportsStatusAndCounts) {
    running_gateway gw;
    ws_test_client c(gw.port());
    c.register_as("pump-1", "device");
    auto res = get(gw.port(), "/healthz");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res[http::field::content_type], "application/json");
    auto body = nlohmann::json::parse(res.body());
    EXPECT_EQ(body["status"], "ok");
    EXPECT_EQ(body["registered"], 1);
    EXPECT_EQ(body["node"], "gw-test");
}

TEST(Http, UnknownPathIs404AndPlainGetOfWsIs426) {
    running_gateway gw;
    EXPECT_EQ(get(gw.port(), "/nope").result_int(), 404);
    EXPECT_EQ(get(gw.port(), "/ws").result_int(), 426);
    EXPECT_EQ(get(gw.port(), "/healthz", http::verb::post).result_int(), 405);
}

TEST(Http, UpgradeOnAnotherPathIsRefused) {
    running_gateway gw;
    ws_test_client c(gw.port(), {.target = "/elsewhere"});
    EXPECT_FALSE(c.connected());
}

TEST(Http, DashboardFilesAreServedWithTypesAndNothingOutsideTheirFolder) {
    auto dir = std::filesystem::temp_directory_path() / ("sb-dash-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir / "js");
    std::ofstream(dir / "index.html") << "<!doctype html><title>x</title>";
    std::ofstream(dir / "js" / "app.js") << "export const x = 1;";
    running_gateway gw([&](gateway_config& c) { c.dashboard_dir = dir.string(); });

    auto index = get(gw.port(), "/");
    EXPECT_EQ(index.result_int(), 200);
    EXPECT_EQ(index[http::field::content_type], "text/html; charset=utf-8");
    EXPECT_EQ(index[http::field::cache_control], "no-cache");
    EXPECT_NE(index.body().find("<title>x</title>"), std::string::npos);

    auto js = get(gw.port(), "/js/app.js?v=1");
    EXPECT_EQ(js.result_int(), 200);
    EXPECT_EQ(js[http::field::content_type], "text/javascript; charset=utf-8");

    auto head = get(gw.port(), "/js/app.js", http::verb::head);
    EXPECT_EQ(head.result_int(), 200);

    EXPECT_EQ(get(gw.port(), "/../../etc/passwd").result_int(), 404);
    EXPECT_EQ(get(gw.port(), "/js/..%2f..%2fetc/passwd").result_int(), 404);
    std::filesystem::remove_all(dir);
}
