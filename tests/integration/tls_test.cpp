// wss:// and https:// on the gateway's one port, with a self-signed pair
// made by scripts/make-dev-cert.sh; plain ws:// on the same port; TLS below
// 1.2 refused.

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <filesystem>

#include "child_process.hpp"
#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

// Makes the pair once per test run, in the build's temporary folder.
std::string cert_dir() {
    static const std::string dir = [] {
        auto d = std::filesystem::temp_directory_path() /
                 ("switchboard-tls-test-" + std::to_string(::getpid()));
        auto r = run_program(
            {std::string(SWITCHBOARD_SOURCE_DIR) + "/scripts/make-dev-cert.sh", d.string()});
        EXPECT_EQ(r.status, 0) << r.output;
        return d.string();
    }();
    return dir;
}

void with_tls(gateway_config& c) {
    c.tls.enabled = true;
    c.tls.cert_file = cert_dir() + "/cert.pem";
    c.tls.key_file = cert_dir() + "/key.pem";
}

// A client context that trusts only the dev certificate and checks the name.
ssl::context client_context(int max_version = 0) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file(cert_dir() + "/cert.pem");
    ctx.set_verify_mode(ssl::verify_peer);
    if (max_version != 0) {
        SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
        SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
        SSL_CTX_set_security_level(ctx.native_handle(), 0);  // let the old version be offered
    }
    return ctx;
}

using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

void connect_tls(beast::ssl_stream<beast::tcp_stream>& s, unsigned short port) {
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(5));
    beast::get_lowest_layer(s).connect({asio::ip::make_address("127.0.0.1"), port});
    SSL_set_tlsext_host_name(s.native_handle(), "localhost");
    s.set_verify_callback(ssl::host_name_verification("localhost"));
    s.handshake(ssl::stream_base::client);
}

}  // namespace

TEST(Tls, WssRoundTripWithTheSelfSignedCertificate) {
    running_gateway gw(with_tls);
    asio::io_context io;
    ssl::context ctx = client_context();

    tls_ws device(io, ctx), controller(io, ctx);
    for (auto* ws : {&device, &controller}) {
        connect_tls(ws->next_layer(), gw.port());
        ws->handshake("localhost:" + std::to_string(gw.port()), "/ws");
        beast::get_lowest_layer(*ws).expires_after(std::chrono::seconds(5));
    }
    auto read = [](tls_ws& ws) {
        beast::flat_buffer b;
        ws.read(b);
        return json::parse(beast::buffers_to_string(b.data()));
    };
    device.write(
        asio::buffer(json{{"type", "register"}, {"id", "pump-1"}, {"role", "device"}}.dump()));
    EXPECT_EQ(read(device)["type"], "registered");
    controller.write(
        asio::buffer(json{{"type", "register"}, {"id", "dash-1"}, {"role", "controller"}}.dump()));
    EXPECT_EQ(read(controller)["type"], "registered");
    controller.write(asio::buffer(
        json{{"type", "command"}, {"to", "pump-1"}, {"id", "c-1"}, {"name", "ping"}}.dump()));
    auto cmd = read(device);
    EXPECT_EQ(cmd["id"], "c-1");
    device.write(asio::buffer(
        json{{"type", "response"}, {"to", "dash-1"}, {"id", "c-1"}, {"ok", true}}.dump()));
    auto res = read(controller);
    EXPECT_EQ(res["type"], "response");
    EXPECT_EQ(res["from"], "pump-1");
    controller.close(websocket::close_code::normal);
}

TEST(Tls, HttpsServesHealthzAndPlainWsSharesThePort) {
    running_gateway gw(with_tls);
    asio::io_context io;
    ssl::context ctx = client_context();
    beast::ssl_stream<beast::tcp_stream> s(io, ctx);
    connect_tls(s, gw.port());
    http::request<http::empty_body> req{http::verb::get, "/healthz", 11};
    req.set(http::field::host, "localhost");
    http::write(s, req);
    beast::flat_buffer b;
    http::response<http::string_body> res;
    http::read(s, b, res);
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_NE(res[http::field::strict_transport_security], "");

    ws_test_client plain(gw.port());
    EXPECT_TRUE(plain.connected()) << plain.upgrade_error();
}

TEST(Tls, PlainCanBeRefusedAndOldTlsVersionsAreRefused) {
    running_gateway gw([](gateway_config& c) {
        with_tls(c);
        c.tls.allow_plain = false;
    });
    ws_test_client plain(gw.port());
    EXPECT_FALSE(plain.connected());

    asio::io_context io;
    ssl::context old = client_context(TLS1_1_VERSION);
    beast::ssl_stream<beast::tcp_stream> s(io, old);
    EXPECT_THROW(connect_tls(s, gw.port()), boost::system::system_error);
}

TEST(Tls, Tls12AcceptsOnlyEcdheWithAead) {
    running_gateway gw(with_tls);
    auto handshake_with = [&](const char* ciphers) {
        asio::io_context io;
        ssl::context ctx = client_context(TLS1_2_VERSION);
        SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
        EXPECT_EQ(SSL_CTX_set_cipher_list(ctx.native_handle(), ciphers), 1) << ciphers;
        beast::ssl_stream<beast::tcp_stream> s(io, ctx);
        try {
            connect_tls(s, gw.port());
            return std::string(SSL_get_cipher_name(s.native_handle()));
        } catch (const boost::system::system_error&) {
            return std::string("refused");
        }
    };
    // No forward secrecy (RSA key exchange), CBC with and without ECDHE.
    for (const char* weak : {"AES128-GCM-SHA256:AES256-GCM-SHA384", "AES128-SHA:AES256-SHA256",
                             "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:"
                             "ECDHE-ECDSA-AES256-SHA384",
                             "DHE-RSA-AES128-GCM-SHA256"}) {
        EXPECT_EQ(handshake_with(weak), "refused") << weak;
    }
    std::string good = handshake_with(
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305");
    EXPECT_NE(good, "refused");
    EXPECT_NE(good.find("ECDHE"), std::string::npos) << good;
}

TEST(Tls, CheckFilesLoadsThePairAndNamesTheKeyAtFault) {
    gateway_config c = test_config();
    with_tls(c);
    EXPECT_NO_THROW(check_files(c));
    auto message_of = [](const gateway_config& bad) {
        try {
            check_files(bad);
        } catch (const config_error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    gateway_config missing = c;
    missing.tls.key_file = "/nonexistent/key.pem";
    EXPECT_NE(message_of(missing).find("'tls.key_file': /nonexistent/key.pem"), std::string::npos)
        << message_of(missing);
    gateway_config swapped = c;
    swapped.tls.cert_file = c.tls.key_file;
    EXPECT_NE(message_of(swapped).find("'tls.cert_file'"), std::string::npos)
        << message_of(swapped);
    // A key of another pair does not match the certificate.
    auto other = std::filesystem::path(cert_dir()) / "other";
    auto r = run_program(
        {std::string(SWITCHBOARD_SOURCE_DIR) + "/scripts/make-dev-cert.sh", other.string()});
    ASSERT_EQ(r.status, 0) << r.output;
    gateway_config mismatched = c;
    mismatched.tls.key_file = (other / "key.pem").string();
    EXPECT_NE(message_of(mismatched).find("does not match"), std::string::npos)
        << message_of(mismatched);
    gateway_config no_dashboard = c;
    no_dashboard.dashboard_dir = "/nonexistent/dashboard";
    EXPECT_NE(message_of(no_dashboard).find("'dashboard_dir'"), std::string::npos);
}

TEST(Tls, MissingCertificateStopsStartup) {
    gateway_config c = test_config();
    c.tls.enabled = true;
    c.tls.cert_file = "/nonexistent/cert.pem";
    c.tls.key_file = "/nonexistent/key.pem";
    EXPECT_THROW(gateway{c}, config_error);
}
