#pragma once
// Two SSLs talking through memory, handshaken: a server on a BIO pair as
// asio's ssl::stream makes it, and an OpenSSL client on memory BIOs. What
// tls_codec and tls13_records are tested against: OpenSSL's own client reads
// what we seal and seals what we open.

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <utility>

#include "dev_cert.hpp"
#include "tls_codec.hpp"
#include "tls_handover.hpp"

namespace switchboard::test {

// Moves what `from` wrote to where `to` reads.
inline void shuttle(BIO* from, BIO* to) {
    char chunk[4096];
    int n = 0;
    while ((n = BIO_read(from, chunk, sizeof chunk)) > 0) ASSERT_EQ(BIO_write(to, chunk, n), n);
}

struct tls_pair_options {
    // Whether the server's context is watched as the gateway's is (TLS 1.3
    // connections then keep only their keys).
    bool watched = true;
    int client_max_version = 0;           // e.g. TLS1_2_VERSION
    const char* client_suites = nullptr;  // TLS 1.3 suites the client offers
};

struct tls_pair {
    boost::asio::ssl::context server_ctx{boost::asio::ssl::context::tls_server};
    boost::asio::ssl::context client_ctx{boost::asio::ssl::context::tls_client};
    SSL* server = nullptr;
    BIO* server_outside = nullptr;  // the pair's other end, as the stream holds it
    SSL* client = nullptr;
    BIO* client_in = BIO_new(BIO_s_mem());
    BIO* client_out = BIO_new(BIO_s_mem());

    explicit tls_pair(tls_pair_options options = {}) {
        server_ctx.use_certificate_chain_file(dev_cert_dir() + "/cert.pem");
        server_ctx.use_private_key_file(dev_cert_dir() + "/key.pem",
                                        boost::asio::ssl::context::pem);
        if (options.watched) watch_handshakes(server_ctx.native_handle());
        client_ctx.load_verify_file(dev_cert_dir() + "/cert.pem");
        client_ctx.set_verify_mode(boost::asio::ssl::verify_peer);
        if (options.client_max_version != 0)
            SSL_CTX_set_max_proto_version(client_ctx.native_handle(), options.client_max_version);
        if (options.client_suites != nullptr)
            SSL_CTX_set_ciphersuites(client_ctx.native_handle(), options.client_suites);
        server = SSL_new(server_ctx.native_handle());
        BIO* inside = nullptr;
        BIO_new_bio_pair(&inside, 0, &server_outside, 0);
        SSL_set_bio(server, inside, inside);
        SSL_set_accept_state(server);
        client = SSL_new(client_ctx.native_handle());
        SSL_set_bio(client, client_in, client_out);
        SSL_set_tlsext_host_name(client, "localhost");
        SSL_set_connect_state(client);
        for (int i = 0; i < 20 && !(SSL_is_init_finished(server) && SSL_is_init_finished(client));
             ++i) {
            SSL_do_handshake(client);
            shuttle(client_out, server_outside);
            SSL_do_handshake(server);
            shuttle(server_outside, client_in);
        }
        EXPECT_TRUE(SSL_is_init_finished(server) && SSL_is_init_finished(client));
    }
    ~tls_pair() {
        SSL_free(client);
        if (server != nullptr) SSL_free(server);
        BIO_free(server_outside);
    }
    tls_pair(const tls_pair&) = delete;
    tls_pair& operator=(const tls_pair&) = delete;

    // Everything `ssl` can read once `records` are where it reads from.
    static std::string reads(SSL* ssl, BIO* in, const std::string& records) {
        BIO_write(in, records.data(), static_cast<int>(records.size()));
        std::string out;
        char chunk[4096];
        int n = 0;
        while ((n = SSL_read(ssl, chunk, sizeof chunk)) > 0) out.append(chunk, n);
        return out;
    }

    // What the stream does when it goes after the codec took over.
    std::unique_ptr<tls_codec> take_over() {
        auto codec = tls_codec::take_over(server, nullptr);
        if (codec) SSL_free(std::exchange(server, nullptr));
        return codec;
    }
    // Everything the client can read of `records`.
    std::string client_reads(const std::string& records) {
        return reads(client, client_in, records);
    }
    // The records carrying `plaintext` from the client.
    std::string client_writes(const std::string& plaintext) {
        EXPECT_EQ(SSL_write(client, plaintext.data(), static_cast<int>(plaintext.size())),
                  static_cast<int>(plaintext.size()));
        return client_output();
    }
    // What the client has written and not yet sent.
    std::string client_output() {
        std::string out(static_cast<std::size_t>(BIO_ctrl_pending(client_out)), '\0');
        BIO_read(client_out, out.data(), static_cast<int>(out.size()));
        return out;
    }
    // The server's stream before the hand-over: it reads the client's
    // request and answers through OpenSSL, as http_session does.
    std::string server_reads_through_openssl(const std::string& records) {
        return reads(server, server_outside, records);
    }
    void server_writes_through_openssl(const std::string& plaintext) {
        EXPECT_EQ(SSL_write(server, plaintext.data(), static_cast<int>(plaintext.size())),
                  static_cast<int>(plaintext.size()));
        shuttle(server_outside, client_in);
    }
};

// The records in `sealed` (TLS record headers walked).
inline int count_records(const std::string& sealed) {
    int records = 0;
    std::size_t pos = 0;
    while (pos + 5 <= sealed.size()) {
        const auto length = static_cast<std::size_t>(static_cast<unsigned char>(sealed[pos + 3]))
                                << 8 |
                            static_cast<unsigned char>(sealed[pos + 4]);
        pos += 5 + length;
        ++records;
    }
    EXPECT_EQ(pos, sealed.size());
    return records;
}

}  // namespace switchboard::test
