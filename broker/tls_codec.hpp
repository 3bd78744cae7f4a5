#pragma once
// TLS once the handshake is done, as a transform on bytes, so raw_wire runs
// the same over TLS as over plain TCP: the ciphertext it read from its
// socket goes in and plaintext comes out; the frames of a flush go in and
// records of up to 16 KiB come out, appended to the one buffer it then
// writes in one send. OpenSSL reads and writes through a BIO of ours that
// points at those buffers while a call lasts, so between reads and writes a
// connection holds no TLS buffer at all: OpenSSL frees its own
// (SSL_MODE_RELEASE_BUFFERS) and asio's ssl::stream, which keeps 2 x 17 KiB
// for a connection's life, is gone after the upgrade (docs/architecture.md).
// Taken over from the stream that ran the handshake and read the upgrade
// request. A TLS 1.3 connection keeps only its traffic keys from then on
// (tls13_records) and its SSL is freed; TLS 1.2 stays with OpenSSL's record
// layer. Used by one raw_wire, on its I/O thread.

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "tls13_records.hpp"

struct ssl_st;
struct bio_st;

namespace boost::asio::ssl {
class context;
}

namespace switchboard {

class tls_codec {
public:
    // The largest plaintext of one TLS record (2^14), on either record layer.
    static constexpr std::size_t max_record_plaintext = tls13_records::max_record_plaintext;

    // Takes `ssl` over from the stream that made it: its traffic keys
    // (TLS 1.3, a context watch_handshakes() watched), or else a reference
    // of its own, with our BIO in place of the stream's. Null when that
    // stream still holds bytes in flight, which only a client sending before
    // it has our answer to its upgrade can cause; the caller keeps that
    // stream then.
    static std::unique_ptr<tls_codec> take_over(ssl_st* ssl,
                                                std::shared_ptr<boost::asio::ssl::context> context);
    ~tls_codec();
    tls_codec(const tls_codec&) = delete;
    tls_codec& operator=(const tls_codec&) = delete;

    using opened = tls13_records::opened;
    // Decrypts all of `ciphertext` (and what OpenSSL kept from before: a
    // record not yet complete, plaintext not yet read) into `plaintext`,
    // which must hold ciphertext.size() + 2 * max_record_plaintext bytes.
    opened open(std::span<const char> ciphertext, std::span<char> plaintext);
    // Appends the records that carry `plaintext` to `sealed`, after any that
    // OpenSSL wrote on its own since the last call (an alert, a key update).
    boost::system::error_code seal(std::span<const boost::asio::const_buffer> plaintext,
                                   std::string& sealed);
    // Records of our own written while reading (an alert, a key update), waiting for seal().
    bool has_pending() const noexcept {
        return records_ ? records_->has_pending() : !pending_.empty();
    }
    // Queues our close_notify for the next seal().
    void close_notify();

    // OpenSSL's connection while it runs the records; null once only the keys are kept.
    ssl_st* native_handle() const noexcept { return ssl_; }
    bool keeps_keys_only() const noexcept { return records_ != nullptr; }
    // How often OpenSSL asked for ciphertext that open() did not have: once
    // per record cut by a read, never for whole records (tests check it).
    std::uint64_t starved_reads() const noexcept { return starved_reads_; }

private:
    tls_codec(ssl_st* ssl, std::shared_ptr<boost::asio::ssl::context> context);
    explicit tls_codec(std::unique_ptr<tls13_records> records);
    static int bio_read(bio_st* bio, char* out, int size);
    static int bio_write(bio_st* bio, const char* in, int size);
    static long bio_ctrl(bio_st* bio, int cmd, long num, void* ptr);
    static int bio_create(bio_st* bio);
    boost::system::error_code flush(const char* data, std::size_t size);

    ssl_st* ssl_ = nullptr;
    std::unique_ptr<tls13_records> records_;  // TLS 1.3 after the hand-over: ssl_ is null
    // Keeps the certificate a reload may replace, as tls_stream did.
    std::shared_ptr<boost::asio::ssl::context> context_;
    std::span<const char> in_;    // ciphertext for OpenSSL to read, during open()
    std::string* out_ = nullptr;  // where OpenSSL's records go: pending_ or seal's buffer
    std::string pending_;
    std::uint64_t starved_reads_ = 0;
};

}  // namespace switchboard
