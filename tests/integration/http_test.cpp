// The plain HTTP side of the listener: the dashboard's files and what is
// not there (operations_test.cpp covers /healthz, /readyz, /metrics).

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>

#include "http_get.hpp"
#include "raw_connection.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
auto get(unsigned short port, const std::string& target, http::verb verb = http::verb::get) {
    return http_get(port, target, verb);
}
}  // namespace

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

TEST(Http, EveryAnswerCarriesTheSecurityHeaders) {
    auto dir = std::filesystem::temp_directory_path() / ("sb-headers-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "index.html") << "<!doctype html><title>x</title>";
    running_gateway gw([&](gateway_config& c) { c.dashboard_dir = dir.string(); });
    auto head_of = [&](const std::string& request) {
        raw_connection c(gw.port());
        c.send(request);
        return c.read_head();
    };
    const std::string upgrade_from_elsewhere =
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    for (const std::string& request :
         {std::string("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
          std::string("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
          std::string("GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
          std::string("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
          std::string("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"),
          std::string("GET /a b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), upgrade_from_elsewhere}) {
        std::string head = head_of(request);
        SCOPED_TRACE(request.substr(0, request.find('\r')) + " -> " +
                     head.substr(0, head.find('\r')));
        ASSERT_FALSE(head.empty());
        EXPECT_NE(head.find("Content-Security-Policy: "), std::string::npos);
        EXPECT_NE(head.find("frame-ancestors 'none'"), std::string::npos);
        EXPECT_NE(head.find("default-src 'self'"), std::string::npos);
        EXPECT_NE(head.find("connect-src 'self' ws: wss:"), std::string::npos);
        EXPECT_NE(head.find("X-Content-Type-Options: nosniff"), std::string::npos);
        EXPECT_NE(head.find("Referrer-Policy: no-referrer"), std::string::npos);
        EXPECT_NE(head.find("X-Frame-Options: DENY"), std::string::npos);
    }
    std::filesystem::remove_all(dir);
}
