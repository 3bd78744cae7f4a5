// wss:// and https:// on the gateway's one port, with a self-signed pair
// made by scripts/make-dev-cert.sh; plain ws:// on the same port; TLS below
// 1.2 refused. The TLS wire (raw_wire over tls_codec): its records without
// sockets (TlsCodec), then over wss://.

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <filesystem>
#include <thread>

#include "child_process.hpp"
#include "dev_cert.hpp"
#include "eventually.hpp"
#include "running_gateway.hpp"
#include "tls_codec.hpp"
#include "tls_memory_pair.hpp"
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

void with_tls(gateway_config& c) {
    c.tls.enabled = true;
    c.tls.cert_file = dev_cert_dir() + "/cert.pem";
    c.tls.key_file = dev_cert_dir() + "/key.pem";
}

// A client context that trusts only the dev certificate and checks the name.
ssl::context client_context(int max_version = 0) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file(dev_cert_dir() + "/cert.pem");
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

// The SHA-256 of a certificate, as a PEM file holds it or as a peer shows it.
std::string fingerprint(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    X509_digest(cert, EVP_sha256(), md, &size);
    return std::string(reinterpret_cast<char*>(md), size);
}

std::string fingerprint_of_file(const std::filesystem::path& pem) {
    FILE* f = std::fopen(pem.c_str(), "r");
    if (f == nullptr) return {};
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    std::string out = cert ? fingerprint(cert) : std::string();
    X509_free(cert);
    return out;
}

std::string peer_fingerprint(beast::ssl_stream<beast::tcp_stream>& s) {
    X509* cert = SSL_get1_peer_certificate(s.native_handle());
    std::string out = cert ? fingerprint(cert) : std::string();
    X509_free(cert);
    return out;
}

// A WebSocket over TLS to the gateway, upgraded, with a 5 s deadline.
void open_wss(tls_ws& ws, unsigned short port) {
    connect_tls(ws.next_layer(), port);
    ws.handshake("localhost:" + std::to_string(port), "/ws");
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(5));
}

void send_json(tls_ws& ws, const json& frame) { ws.write(asio::buffer(frame.dump())); }

json read_json(tls_ws& ws) {
    beast::flat_buffer b;
    ws.read(b);
    return json::parse(beast::buffers_to_string(b.data()));
}

void register_as(tls_ws& ws, const std::string& id, const char* role) {
    send_json(ws, {{"type", "register"}, {"id", id}, {"role", role}});
    EXPECT_EQ(read_json(ws)["type"], "registered") << id;
}

// A command from `controller` (registered as `from`) to the device pump-1
// and its answer back.
void round_trip(tls_ws& controller, const std::string& from, tls_ws& device,
                const std::string& id) {
    send_json(controller, {{"type", "command"}, {"to", "pump-1"}, {"id", id}, {"name", "ping"}});
    EXPECT_EQ(read_json(device)["id"], id);
    send_json(device, {{"type", "response"}, {"to", from}, {"id", id}, {"ok", true}});
    auto res = read_json(controller);
    EXPECT_EQ(res["type"], "response");
    EXPECT_EQ(res["from"], "pump-1");
}

// The device pump-1 and the controller dash-1, registered over wss://.
struct wss_pair {
    asio::io_context io;
    ssl::context ctx = client_context();
    tls_ws device{io, ctx};
    tls_ws controller{io, ctx};

    explicit wss_pair(unsigned short port) {
        open_wss(device, port);
        open_wss(controller, port);
        register_as(device, "pump-1", "device");
        register_as(controller, "dash-1", "controller");
    }
};

}  // namespace

TEST(Tls, WssRoundTripWithTheSelfSignedCertificate) {
    running_gateway gw(with_tls);
    wss_pair wss(gw.port());
    round_trip(wss.controller, "dash-1", wss.device, "c-1");
    wss.controller.close(websocket::close_code::normal);
}

// A TLS 1.3 connection keeps only its traffic keys after the upgrade
// (tls13_records); a TLS 1.2 one stays with OpenSSL's records. Both route,
// across each other, and /stats counts each kind.
TEST(Tls, Tls13ConnectionsKeepOnlyTheirKeysAndTls12OnesStayWithOpenSsl) {
    running_gateway gw(with_tls);
    asio::io_context io;
    ssl::context tls13 = client_context();
    ssl::context tls12 = client_context(TLS1_2_VERSION);
    tls_ws device(io, tls13), controller(io, tls12);
    open_wss(device, gw.port());
    open_wss(controller, gw.port());
    EXPECT_EQ(SSL_version(device.next_layer().native_handle()), TLS1_3_VERSION);
    EXPECT_EQ(SSL_version(controller.next_layer().native_handle()), TLS1_2_VERSION);
    register_as(device, "pump-1", "device");
    register_as(controller, "dash-1", "controller");
    for (int i = 0; i < 3; ++i) round_trip(controller, "dash-1", device, "c-" + std::to_string(i));
    EXPECT_EQ(gw.stats().tls_keys_only.load(), 1u);
    EXPECT_EQ(gw.stats().tls_openssl_records.load(), 1u);
    // A KeyUpdate the client asks us to answer, mid-session: both go on.
    ASSERT_EQ(SSL_key_update(device.next_layer().native_handle(), SSL_KEY_UPDATE_REQUESTED), 1);
    round_trip(controller, "dash-1", device, "after-update");
    round_trip(controller, "dash-1", device, "after-update-2");
}

// Beast's own idle timer counts every byte read, pings too; the TLS path
// keeps core's keep_alive rule instead: a client that pings every 100 ms and
// never reads (so never answers the server's ping) is cut at idle.
TEST(Tls, PingsAloneDoNotKeepAWssConnectionPastTheIdleTimeout) {
    running_gateway gw([](gateway_config& c) {
        with_tls(c);
        c.session.idle_timeout = std::chrono::milliseconds(1000);
    });
    asio::io_context io;
    ssl::context ctx = client_context();
    tls_ws ws(io, ctx);
    connect_tls(ws.next_layer(), gw.port());
    ws.handshake("localhost:" + std::to_string(gw.port()), "/ws");
    beast::get_lowest_layer(ws).expires_never();
    ws.write(asio::buffer(json{{"type", "register"}, {"id", "pump-1"}, {"role", "device"}}.dump()));
    beast::flat_buffer b;
    ws.read(b);
    ASSERT_NE(beast::buffers_to_string(b.data()).find("registered"), std::string::npos);
    const auto start = std::chrono::steady_clock::now();
    bool closed = false;
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(6)) {
        boost::system::error_code ec;
        ws.ping("still here", ec);
        if (ec) {
            closed = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the client's pace
    }
    EXPECT_TRUE(closed);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
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
    auto other = std::filesystem::path(dev_cert_dir()) / "other";
    make_dev_cert(other);
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

// A reload (SIGHUP) with a renewed certificate: a new wss:// client sees the
// new one, while connections made before keep theirs and go on routing.
TEST(Tls, ReloadedCertificateServesNewHandshakesWhileOpenConnectionsKeepRouting) {
    auto dir = std::filesystem::path(dev_cert_dir()) / "reload";
    auto renewed = std::filesystem::path(dev_cert_dir()) / "renewed";
    make_dev_cert(dir);
    make_dev_cert(renewed);
    const std::string old_print = fingerprint_of_file(dir / "cert.pem");
    const std::string new_print = fingerprint_of_file(renewed / "cert.pem");
    ASSERT_NE(old_print, new_print);
    auto tune = [&](gateway_config& c) {
        c.tls.enabled = true;
        c.tls.cert_file = (dir / "cert.pem").string();
        c.tls.key_file = (dir / "key.pem").string();
    };
    running_gateway gw(tune);
    asio::io_context io;
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file((dir / "cert.pem").string());
    ctx.load_verify_file((renewed / "cert.pem").string());
    ctx.set_verify_mode(ssl::verify_peer);
    tls_ws device(io, ctx), controller(io, ctx);
    open_wss(device, gw.port());
    open_wss(controller, gw.port());
    register_as(device, "pump-1", "device");
    register_as(controller, "dash-1", "controller");
    EXPECT_EQ(peer_fingerprint(device.next_layer()), old_print);

    // Renewed in place, as certbot or an operator would: same paths.
    std::filesystem::copy_file(renewed / "cert.pem", dir / "cert.pem",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(renewed / "key.pem", dir / "key.pem",
                               std::filesystem::copy_options::overwrite_existing);
    gateway_config next = test_config();
    tune(next);
    reload_plan plan = gw.get().reload(next);
    EXPECT_FALSE(plan.refused()) << plan.refusal();
    EXPECT_EQ(plan.summary(), "tls certificate");

    tls_ws fresh(io, ctx);
    open_wss(fresh, gw.port());
    register_as(fresh, "dash-2", "controller");
    EXPECT_EQ(peer_fingerprint(fresh.next_layer()), new_print);
    EXPECT_EQ(peer_fingerprint(device.next_layer()), old_print);
    round_trip(controller, "dash-1", device, "c-1");
    round_trip(fresh, "dash-2", device, "c-2");
    EXPECT_EQ(gw.stats().connections_accepted.load(), 3u);
    controller.close(websocket::close_code::normal);
}

// A reload whose key does not match its certificate, or that moves the
// listener, changes nothing: not the certificate, not the rest of the file.
TEST(Tls, RefusedReloadChangesNothing) {
    auto dir = std::filesystem::path(dev_cert_dir()) / "refused";
    auto other = std::filesystem::path(dev_cert_dir()) / "refused-other";
    make_dev_cert(dir);
    make_dev_cert(other);
    auto tune = [&](gateway_config& c) {
        c.tls.enabled = true;
        c.tls.cert_file = (dir / "cert.pem").string();
        c.tls.key_file = (dir / "key.pem").string();
    };
    running_gateway gw(tune);
    gateway_config next = test_config();
    tune(next);
    next.routing.access.rules.push_back({.allow = false, .from = "*", .to = "*"});
    next.tls.key_file = (other / "key.pem").string();
    try {
        gw.get().reload(next);
        ADD_FAILURE() << "a key of another pair was accepted";
    } catch (const config_error& e) {
        EXPECT_NE(std::string(e.what()).find("does not match"), std::string::npos) << e.what();
    }
    next.tls.key_file = (dir / "key.pem").string();
    next.listen_port = 1;
    next.threads = 7;
    reload_plan plan = gw.get().reload(next);
    ASSERT_TRUE(plan.refused());
    EXPECT_EQ(plan.refusal(),
              "'threads', 'listen.port' cannot change while running (restart to change them)");

    // Still the old pair, and the deny-all rule never came into force.
    asio::io_context io;
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file((dir / "cert.pem").string());
    ctx.set_verify_mode(ssl::verify_peer);
    tls_ws device(io, ctx), controller(io, ctx);
    open_wss(device, gw.port());
    open_wss(controller, gw.port());
    EXPECT_EQ(peer_fingerprint(device.next_layer()), fingerprint_of_file(dir / "cert.pem"));
    register_as(device, "pump-1", "device");
    register_as(controller, "dash-1", "controller");
    round_trip(controller, "dash-1", device, "c-1");
    EXPECT_EQ(gw.get().running_config().listen_port, 0);
}

// TlsCodec: OpenSSL's record layer, as a connection keeps it when it does
// not hand over to tls13_records (TLS 1.2; here a context not watched).

// An idle connection must hold no record buffers: OpenSSL frees them when
// this mode is on (19,000 idle TLS devices, docs/architecture.md).
TEST(TlsCodec, TakesOverWithBuffersReleasedWhileIdle) {
    tls_pair pair({.watched = false});
    auto codec = pair.take_over();
    ASSERT_TRUE(codec);
    EXPECT_NE(SSL_get_mode(codec->native_handle()) & SSL_MODE_RELEASE_BUFFERS, 0u);
}

// The tests below run on both record layers: OpenSSL's and, after a TLS
// 1.3 hand-over, ours (tls13_records).
class TlsCodecEitherRecordLayer : public ::testing::TestWithParam<bool> {
protected:
    std::unique_ptr<tls_codec> taken_over(tls_pair& pair) {
        auto codec = pair.take_over();
        if (codec) {
            EXPECT_EQ(codec->keeps_keys_only(), GetParam());
        }
        return codec;
    }
};
INSTANTIATE_TEST_SUITE_P(Layers, TlsCodecEitherRecordLayer, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "KeysOnly" : "OpenSsl"; });

// 300 frames of 100 bytes in one flush: two records, not 300 (one per frame
// was Beast's way), and the client reads them back intact.
TEST_P(TlsCodecEitherRecordLayer, AFlushOfManyFramesLeavesInFewRecords) {
    tls_pair pair({.watched = GetParam()});
    auto codec = taken_over(pair);
    ASSERT_TRUE(codec);
    std::vector<std::string> frames;
    std::vector<asio::const_buffer> buffers;
    std::string expected;
    for (int i = 0; i < 300; ++i) frames.push_back(std::string(99, 'a' + i % 26) + "\n");
    frames.insert(frames.begin() + 7, std::string());  // an empty piece changes nothing
    for (const auto& f : frames) {
        buffers.push_back(asio::buffer(f));
        expected += f;
    }
    std::string sealed;
    ASSERT_FALSE(codec->seal(buffers, sealed));
    EXPECT_EQ(count_records(sealed), 2);  // 30,000 bytes: 16,384 + 13,616
    EXPECT_EQ(pair.client_reads(sealed), expected);

    // A payload larger than a record goes out in full records too.
    const std::string large(70000, 'z');
    const asio::const_buffer one = asio::buffer(large);
    sealed.clear();
    ASSERT_FALSE(codec->seal({&one, 1}, sealed));
    EXPECT_EQ(count_records(sealed), 5);
    EXPECT_EQ(pair.client_reads(sealed), large);
}

// The client's records, fed a byte at a time: OpenSSL keeps a partial
// record between reads, and a close_notify reads as the end.
TEST_P(TlsCodecEitherRecordLayer, OpensRecordsSplitAnywhereAndSeesTheEnd) {
    tls_pair pair({.watched = GetParam()});
    auto codec = taken_over(pair);
    ASSERT_TRUE(codec);
    std::string expected;
    std::string records;
    for (int i = 0; i < 5; ++i) {
        const std::string part = "frame " + std::to_string(i) + std::string(3000, 'x');
        records += pair.client_writes(part);
        expected += part;
    }
    std::vector<char> plaintext(records.size() + 2 * tls_codec::max_record_plaintext);
    std::string got;
    for (char byte : records) {
        auto opened = codec->open({&byte, 1}, plaintext);
        ASSERT_FALSE(opened.ec) << opened.ec.message();
        got.append(plaintext.data(), opened.bytes);
    }
    EXPECT_EQ(got, expected);

    SSL_shutdown(pair.client);
    std::string notify(static_cast<std::size_t>(BIO_ctrl_pending(pair.client_out)), '\0');
    BIO_read(pair.client_out, notify.data(), static_cast<int>(notify.size()));
    auto opened = codec->open(notify, plaintext);
    EXPECT_EQ(opened.ec, asio::error::eof);

    // Ours goes out with the next seal and the client reads it as the end.
    codec->close_notify();
    EXPECT_TRUE(codec->has_pending());
    std::string sealed;
    ASSERT_FALSE(codec->seal({}, sealed));
    EXPECT_EQ(pair.client_reads(sealed), "");
    EXPECT_EQ(SSL_get_error(pair.client, 0), SSL_ERROR_ZERO_RETURN);
    // Nothing opens after the end.
    EXPECT_EQ(codec->open(records, plaintext).ec, asio::error::eof);
}

// Whole records open without a last call that only hears "want read" (it
// cost OpenSSL a record buffer's malloc and free per read, ~3 % of a wss
// round trip); a record cut by a read still waits for its rest.
TEST(TlsCodec, WholeRecordsOpenWithoutAskingForMore) {
    tls_pair pair({.watched = false});
    auto codec = pair.take_over();
    ASSERT_TRUE(codec);
    std::vector<char> plaintext(4 * 65536);
    std::string records;
    std::string expected;
    for (int i = 0; i < 3; ++i) {
        // One record at a time, as a device's command arrives.
        const std::string part = "small " + std::to_string(i);
        auto opened = codec->open(pair.client_writes(part), plaintext);
        ASSERT_FALSE(opened.ec) << opened.ec.message();
        EXPECT_EQ(std::string(plaintext.data(), opened.bytes), part);
    }
    // Several records in one read, one of them spanning five.
    for (int i = 0; i < 3; ++i) {
        const std::string part = "batched " + std::to_string(i);
        records += pair.client_writes(part);
        expected += part;
    }
    const std::string large(70000, 'L');
    records += pair.client_writes(large);
    expected += large;
    auto opened = codec->open(records, plaintext);
    ASSERT_FALSE(opened.ec) << opened.ec.message();
    EXPECT_EQ(std::string(plaintext.data(), opened.bytes), expected);
    EXPECT_EQ(codec->starved_reads(), 0u);

    // A record cut in two: the first half is kept, the second completes it.
    const std::string cut = pair.client_writes("cut in two");
    const std::size_t half = cut.size() / 2;
    opened = codec->open({cut.data(), half}, plaintext);
    ASSERT_FALSE(opened.ec) << opened.ec.message();
    EXPECT_EQ(opened.bytes, 0u);
    EXPECT_EQ(codec->starved_reads(), 1u);
    opened = codec->open({cut.data() + half, cut.size() - half}, plaintext);
    ASSERT_FALSE(opened.ec) << opened.ec.message();
    EXPECT_EQ(std::string(plaintext.data(), opened.bytes), "cut in two");
    EXPECT_EQ(codec->starved_reads(), 1u);
    // Nothing is left behind in OpenSSL, so no record buffer stays either.
    EXPECT_EQ(SSL_has_pending(codec->native_handle()), 0);
}

// A TLS 1.3 key update the peer asks for, right before its data: the data
// opens, our answering KeyUpdate goes out with the next seal, before its
// data (OpenSSL sends it with its next write, as RFC 8446 §4.6.3 allows),
// and both directions go on under the new keys.
TEST(TlsCodec, KeyUpdateFromThePeerIsAnsweredAndBothDirectionsGoOn) {
    tls_pair pair({.watched = false});
    auto codec = pair.take_over();
    ASSERT_TRUE(codec);
    ASSERT_EQ(SSL_version(pair.client), TLS1_3_VERSION);
    ASSERT_EQ(SSL_key_update(pair.client, SSL_KEY_UPDATE_REQUESTED), 1);
    std::vector<char> plaintext(65536 + 2 * tls_codec::max_record_plaintext);
    const std::string records = pair.client_writes("after the update");
    auto opened = codec->open(records, plaintext);
    ASSERT_FALSE(opened.ec) << opened.ec.message();
    EXPECT_EQ(std::string(plaintext.data(), opened.bytes), "after the update");

    const std::string reply = "reply";
    const asio::const_buffer one = asio::buffer(reply);
    std::string sealed;
    ASSERT_FALSE(codec->seal({&one, 1}, sealed));
    EXPECT_EQ(count_records(sealed), 2);  // our KeyUpdate, then the reply
    EXPECT_EQ(pair.client_reads(sealed), reply);

    opened = codec->open(pair.client_writes("and again"), plaintext);
    ASSERT_FALSE(opened.ec) << opened.ec.message();
    EXPECT_EQ(std::string(plaintext.data(), opened.bytes), "and again");
}

// Ciphertext the handshake's stream holds undecrypted cannot be moved: the
// stream keeps the connection (Beast's wire serves it).
TEST(TlsCodec, RefusesToTakeOverWithBytesInFlight) {
    tls_pair pair({.watched = false});
    const std::string early = pair.client_writes("sent before the 101");
    ASSERT_EQ(BIO_write(pair.server_outside, early.data(), static_cast<int>(early.size())),
              static_cast<int>(early.size()));
    EXPECT_FALSE(pair.take_over());
}

// Many frames queued for one wss client while it does not read, some larger
// than a TLS record: every one arrives, in order, intact.
TEST(Tls, ManyFramesOfOneFlushArriveIntactOverWss) {
    running_gateway gw([](gateway_config& c) {
        with_tls(c);
        c.session.outbound_queue_bytes = 8 << 20;
        c.session.rate.frames_per_second = 0;
    });
    wss_pair wss(gw.port());
    tls_ws& device = wss.device;
    tls_ws& controller = wss.controller;
    auto payload_of = [](int i) {
        return std::string(static_cast<std::size_t>(i * 211 % 30000),
                           static_cast<char>('a' + i % 26));
    };
    constexpr int count = 300;
    for (int i = 0; i < count; ++i) {
        send_json(controller, {{"type", "message"},
                               {"to", "pump-1"},
                               {"payload", payload_of(i)},
                               {"id", "m" + std::to_string(i)}});
    }
    for (int i = 0; i < count; ++i) {
        json m = read_json(device);
        ASSERT_EQ(m["type"], "message") << m.dump();
        ASSERT_EQ(m["id"], "m" + std::to_string(i));
        ASSERT_EQ(m["payload"], payload_of(i)) << i;
    }
    // And the connection goes on both ways.
    round_trip(controller, "dash-1", device, "c-1");
    controller.close(websocket::close_code::normal);
}

// A wss client that stops reading is cut at its outbound bound like a plain
// one (docs/protocol.md: no close frame; its sender hears `overloaded`).
TEST(Tls, SlowWssReaderIsCutAtItsOutboundBound) {
    running_gateway gw([](gateway_config& c) {
        with_tls(c);
        c.session.outbound_queue_bytes = 256 * 1024;
        c.session.rate.frames_per_second = 0;
    });
    asio::io_context io;
    ssl::context ctx = client_context();
    tls_ws slow(io, ctx);
    connect_tls(slow.next_layer(), gw.port());
    beast::get_lowest_layer(slow).socket().set_option(asio::socket_base::receive_buffer_size(4096));
    slow.handshake("localhost:" + std::to_string(gw.port()), "/ws");
    register_as(slow, "slow-reader", "controller");
    ws_test_client flooder(gw.port());  // plain ws:// shares the port
    flooder.register_as("flooder", "controller");
    const std::string payload(8192, 'x');
    bool refused = false;
    for (int i = 0; i < 4000 && !refused; ++i) {
        flooder.send({{"type", "message"}, {"to", "slow-reader"}, {"payload", payload}});
        while (auto f = flooder.receive(0ms)) {
            if ((*f)["type"] == "error") {
                EXPECT_TRUE((*f)["code"] == "overloaded" || (*f)["code"] == "offline") << f->dump();
                refused = true;
            }
        }
    }
    if (!refused) {
        ASSERT_TRUE(flooder.receive_type("error", 5s)) << "the flooder was never told";
    }
    EXPECT_TRUE(eventually([&] { return !gw.get().routing().clients().find("slow-reader"); }));
    EXPECT_EQ(gw.stats().slow_consumers_closed.load(), 1u);
    EXPECT_FALSE(flooder.closed());
}

// permessage-deflate over TLS stays on Beast's stream: offered, agreed, and
// a large compressible frame goes both ways.
TEST(Tls, DeflateOverWssIsAgreedAndCarriesLargeFrames) {
    running_gateway gw([](gateway_config& c) {
        with_tls(c);
        c.session.permessage_deflate = true;
    });
    asio::io_context io;
    ssl::context ctx = client_context();
    tls_ws device(io, ctx), controller(io, ctx);
    websocket::permessage_deflate pmd;
    pmd.client_enable = true;
    device.set_option(pmd);
    connect_tls(device.next_layer(), gw.port());
    websocket::response_type res;
    device.handshake(res, "localhost:" + std::to_string(gw.port()), "/ws");
    EXPECT_NE(std::string(res[http::field::sec_websocket_extensions]).find("permessage-deflate"),
              std::string::npos);
    open_wss(controller, gw.port());
    register_as(device, "pump-1", "device");
    register_as(controller, "dash-1", "controller");
    const std::string payload(40000, 'q');
    send_json(controller, {{"type", "message"}, {"to", "pump-1"}, {"payload", payload}});
    EXPECT_EQ(read_json(device)["payload"], payload);
    send_json(device, {{"type", "message"}, {"to", "dash-1"}, {"payload", payload}});
    EXPECT_EQ(read_json(controller)["payload"], payload);
    round_trip(controller, "dash-1", device, "c-1");
}

// wss:// without compression runs the gateway's own wire, as ws:// does
// (docs/protocol.md): a ping over the frame rate goes unanswered, and of
// pings not yet answered only the latest is. Beast's stream, which served
// TLS before, answers every ping.
TEST(Tls, WssPingsOverTheRateGoUnansweredAsOnPlainWs) {
    running_gateway gw([](gateway_config& c) {
        with_tls(c);
        c.session.rate = {.frames_per_second = 0.5, .burst = 3, .close_after = 1000};
    });
    asio::io_context io;
    ssl::context ctx = client_context();
    tls_ws ws(io, ctx);
    open_wss(ws, gw.port());
    int pongs = 0;
    ws.control_callback([&](websocket::frame_type kind, beast::string_view) {
        if (kind == websocket::frame_type::pong) ++pongs;
    });
    register_as(ws, "pump-1", "device");
    constexpr int pings = 10;
    for (int i = 0; i < pings; ++i) ws.ping(websocket::ping_data(std::to_string(i)));
    // Its refusal (or, on a machine slow enough to refill the bucket, the
    // message itself) comes after every pong the pings got.
    send_json(ws, {{"type", "message"}, {"to", "pump-1"}, {"payload", 1}});
    json after = read_json(ws);
    EXPECT_TRUE(after["code"] == "rate_limited" || after["type"] == "message") << after.dump();
    EXPECT_GE(pongs, 1);
    EXPECT_LT(pongs, pings);
}
