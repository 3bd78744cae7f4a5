// TLS 1.3 after the hand-over (tls13_records behind tls_codec): OpenSSL's
// own client reads every record we seal and seals every record we open,
// for each suite, across KeyUpdates either side starts, and with the
// sequence numbers the handshake and the upgrade left. Without sockets.

#include "tls13_records.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>
#include <string>
#include <vector>

#include "tls_codec.hpp"
#include "tls_handover.hpp"
#include "tls_memory_pair.hpp"

using namespace switchboard;
using namespace switchboard::test;
namespace asio = boost::asio;

namespace {

std::vector<char> room_for(const std::string& ciphertext) {
    return std::vector<char>(ciphertext.size() + 2 * tls_codec::max_record_plaintext);
}

// What `codec` opens of `records`, failing the test on an error.
std::string opened_text(tls_codec& codec, const std::string& records) {
    auto plaintext = room_for(records);
    auto opened = codec.open(records, plaintext);
    EXPECT_FALSE(opened.ec) << opened.ec.message();
    return std::string(plaintext.data(), opened.bytes);
}

std::string sealed_text(tls_codec& codec, const std::string& plaintext) {
    const asio::const_buffer one = asio::buffer(plaintext);
    std::string sealed;
    EXPECT_FALSE(codec.seal({&one, 1}, sealed));
    return sealed;
}

// The upgrade as the gateway runs it: OpenSSL reads the request and writes
// the 101, then the codec takes over.
std::unique_ptr<tls_codec> upgraded(tls_pair& pair) {
    const std::string request = "GET /ws HTTP/1.1\r\nHost: localhost\r\n\r\n";
    EXPECT_EQ(pair.server_reads_through_openssl(pair.client_writes(request)), request);
    pair.server_writes_through_openssl("HTTP/1.1 101 Switching Protocols\r\n\r\n");
    EXPECT_EQ(pair.client_reads(""), "HTTP/1.1 101 Switching Protocols\r\n\r\n");
    return pair.take_over();
}

}  // namespace

// The SSL is gone after the upgrade; records go on both ways from the
// sequence numbers OpenSSL left (2 tickets and the 101 written, the request read).
TEST(Tls13Records, AfterTheUpgradeOnlyTheKeysAreKeptAndRecordsGoOnBothWays) {
    tls_pair pair;
    ASSERT_EQ(SSL_version(pair.client), TLS1_3_VERSION);
    auto codec = upgraded(pair);
    ASSERT_TRUE(codec);
    EXPECT_TRUE(codec->keeps_keys_only());
    EXPECT_EQ(codec->native_handle(), nullptr);
    for (int i = 0; i < 3; ++i) {
        const std::string up = "from the client " + std::to_string(i);
        EXPECT_EQ(opened_text(*codec, pair.client_writes(up)), up);
        const std::string down = "from the gateway " + std::to_string(i);
        EXPECT_EQ(pair.client_reads(sealed_text(*codec, down)), down);
    }
}

TEST(Tls13Records, EachSuiteCarriesSmallAndLargePayloadsBothWays) {
    for (const char* suite :
         {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}) {
        SCOPED_TRACE(suite);
        tls_pair pair({.client_suites = suite});
        EXPECT_STREQ(SSL_CIPHER_get_name(SSL_get_current_cipher(pair.client)), suite);
        auto codec = upgraded(pair);
        ASSERT_TRUE(codec);
        ASSERT_TRUE(codec->keeps_keys_only());
        const std::string large(70000, 'L');
        EXPECT_EQ(opened_text(*codec, pair.client_writes("small")), "small");
        EXPECT_EQ(opened_text(*codec, pair.client_writes(large)), large);
        EXPECT_EQ(pair.client_reads(sealed_text(*codec, "small")), "small");
        const std::string sealed = sealed_text(*codec, large);
        EXPECT_EQ(count_records(sealed), 5);
        EXPECT_EQ(pair.client_reads(sealed), large);
    }
}

// A KeyUpdate the peer asks us to answer (RFC 8446 §4.6.3), then one it
// does not: our answer leaves before our next data, and both directions go on.
TEST(Tls13Records, KeyUpdatesFromThePeerAreFollowedAndAnsweredWhenAsked) {
    tls_pair pair;
    auto codec = upgraded(pair);
    ASSERT_TRUE(codec && codec->keeps_keys_only());
    ASSERT_EQ(SSL_key_update(pair.client, SSL_KEY_UPDATE_REQUESTED), 1);
    EXPECT_EQ(opened_text(*codec, pair.client_writes("after the update")), "after the update");
    EXPECT_TRUE(codec->has_pending());
    std::string sealed = sealed_text(*codec, "reply");
    EXPECT_EQ(count_records(sealed), 2);  // our KeyUpdate, then the reply
    EXPECT_EQ(pair.client_reads(sealed), "reply");
    EXPECT_EQ(opened_text(*codec, pair.client_writes("and again")), "and again");

    ASSERT_EQ(SSL_key_update(pair.client, SSL_KEY_UPDATE_NOT_REQUESTED), 1);
    EXPECT_EQ(opened_text(*codec, pair.client_writes("quietly")), "quietly");
    EXPECT_FALSE(codec->has_pending());
    sealed = sealed_text(*codec, "same key");
    EXPECT_EQ(count_records(sealed), 1);
    EXPECT_EQ(pair.client_reads(sealed), "same key");
}

// A flood of KeyUpdates, each asking for ours, costs us key derivations
// and a record apiece: 32 in a row are followed and answered (OpenSSL's
// own cap), the 33rd with no data between ends the connection; data
// between them starts the count again.
TEST(Tls13Records, AFloodOfKeyUpdatesWithNoDataBetweenIsCut) {
    tls_pair pair;
    auto codec = pair.take_over();
    ASSERT_TRUE(codec && codec->keeps_keys_only());
    auto updates = [&](int n) {
        std::string records;
        for (int i = 0; i < n; ++i) {
            EXPECT_EQ(SSL_key_update(pair.client, SSL_KEY_UPDATE_NOT_REQUESTED), 1);
            EXPECT_EQ(SSL_do_handshake(pair.client), 1);  // sends it now
            records += pair.client_output();
        }
        return records;
    };
    auto plaintext = room_for(std::string(100000, '\0'));
    for (int round = 0; round < 2; ++round) {
        auto opened = codec->open(updates(32), plaintext);
        ASSERT_FALSE(opened.ec) << opened.ec.message();
        EXPECT_EQ(opened_text(*codec, pair.client_writes("data between")), "data between");
    }
    auto opened = codec->open(updates(33), plaintext);
    EXPECT_EQ(opened.ec, make_error_code(tls13_error::unexpected_message));
}

// Before a write key has carried too many records we update it ourselves;
// the client follows every update (here every 3 records).
TEST(Tls13Records, OurOwnKeyUpdateComesBeforeTheKeyHasCarriedTooMuch) {
    tls_pair pair;
    auto handover = take_handover(pair.server);
    ASSERT_TRUE(handover);
    auto records = tls13_records::make(handover->suite, handover->read, handover->write, 3);
    ASSERT_TRUE(records);
    std::string all;
    std::string expected;
    for (int i = 0; i < 10; ++i) {
        const std::string text = "record " + std::to_string(i);
        const asio::const_buffer one = asio::buffer(text);
        ASSERT_FALSE(records->seal({&one, 1}, all));
        expected += text;
    }
    EXPECT_EQ(count_records(all), 10 + 3);  // a KeyUpdate before the 4th, 7th and 10th
    EXPECT_EQ(pair.client_reads(all), expected);
}

// A record changed on the way fails authentication: the connection ends
// with bad_record_mac, which the client reads as that alert, and nothing
// more opens.
TEST(Tls13Records, ATamperedRecordEndsTheConnectionWithBadRecordMac) {
    tls_pair pair;
    auto codec = pair.take_over();
    ASSERT_TRUE(codec && codec->keeps_keys_only());
    std::string record = pair.client_writes("genuine");
    record[record.size() / 2] ^= 1;
    auto plaintext = room_for(record);
    auto opened = codec->open(record, plaintext);
    EXPECT_EQ(opened.ec, make_error_code(tls13_error::bad_record_mac));
    EXPECT_EQ(opened.bytes, 0u);
    ASSERT_TRUE(codec->has_pending());
    std::string sealed;
    ASSERT_FALSE(codec->seal({}, sealed));
    EXPECT_EQ(pair.client_reads(sealed), "");
    EXPECT_EQ(SSL_get_error(pair.client, 0), SSL_ERROR_SSL);
    EXPECT_EQ(ERR_GET_REASON(ERR_peek_last_error()), SSL_R_SSLV3_ALERT_BAD_RECORD_MAC);
    ERR_clear_error();
    EXPECT_EQ(codec->open(record, plaintext).ec, asio::error::eof);
}

// A header is judged before its body is awaited: a length over 2^14 + 256
// or a type other than application_data ends the connection at once.
TEST(Tls13Records, ABadHeaderIsRefusedBeforeItsBodyComes) {
    {
        tls_pair pair;
        auto codec = pair.take_over();
        ASSERT_TRUE(codec && codec->keeps_keys_only());
        const std::string header = {23, 3, 3, 0x41, 0x01};  // 16,641 bytes to come
        auto plaintext = room_for(header);
        EXPECT_EQ(codec->open(header, plaintext).ec, make_error_code(tls13_error::record_overflow));
    }
    {
        tls_pair pair;
        auto codec = pair.take_over();
        ASSERT_TRUE(codec && codec->keeps_keys_only());
        // Cut inside the header: judged once all five bytes are in.
        const std::string change_cipher_spec = {20, 3, 3, 0, 1, 1};
        auto plaintext = room_for(change_cipher_spec);
        EXPECT_FALSE(codec->open(change_cipher_spec.substr(0, 3), plaintext).ec);
        EXPECT_EQ(codec->open(change_cipher_spec.substr(3), plaintext).ec,
                  make_error_code(tls13_error::unexpected_message));
    }
}

// TLS 1.2 keeps OpenSSL's record layer, and so does a TLS 1.3 connection
// whose key changed before the hand-over (its sequence numbers restarted).
TEST(Tls13Records, Tls12AndAnEarlyKeyUpdateStayWithOpenSsl) {
    {
        tls_pair pair({.client_max_version = TLS1_2_VERSION});
        ASSERT_EQ(SSL_version(pair.client), TLS1_2_VERSION);
        auto codec = upgraded(pair);
        ASSERT_TRUE(codec);
        EXPECT_FALSE(codec->keeps_keys_only());
        EXPECT_EQ(opened_text(*codec, pair.client_writes("over 1.2")), "over 1.2");
        EXPECT_EQ(pair.client_reads(sealed_text(*codec, "back")), "back");
    }
    {
        tls_pair pair;
        ASSERT_EQ(SSL_key_update(pair.client, SSL_KEY_UPDATE_NOT_REQUESTED), 1);
        auto codec = upgraded(pair);
        ASSERT_TRUE(codec);
        EXPECT_FALSE(codec->keeps_keys_only());
        EXPECT_EQ(opened_text(*codec, pair.client_writes("still")), "still");
        EXPECT_EQ(pair.client_reads(sealed_text(*codec, "fine")), "fine");
    }
}
