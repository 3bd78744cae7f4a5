#include "tls_codec.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cstring>
#include <optional>

#include "tls_handover.hpp"

namespace switchboard {

namespace asio = boost::asio;
using sys_error = boost::system::error_code;

namespace {

// One method for every connection's BIO; made once, kept for the process.
BIO_METHOD* wire_bio_method(int (*read)(BIO*, char*, int), int (*write)(BIO*, const char*, int),
                            long (*ctrl)(BIO*, int, long, void*), int (*create)(BIO*)) {
    static BIO_METHOD* method = [&] {
        BIO_METHOD* m =
            BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "switchboard wire");
        if (m != nullptr) {
            BIO_meth_set_read(m, read);
            BIO_meth_set_write(m, write);
            BIO_meth_set_ctrl(m, ctrl);
            BIO_meth_set_create(m, create);
        }
        return m;
    }();
    return method;
}

// OpenSSL's reason for the last failure (and an empty queue for the next call).
sys_error last_tls_error() {
    const unsigned long e = ERR_peek_last_error();
    ERR_clear_error();
    if (e == 0) return asio::ssl::error::stream_truncated;
    return {static_cast<int>(e), asio::error::get_ssl_category()};
}

}  // namespace

std::unique_ptr<tls_codec> tls_codec::take_over(ssl_st* ssl,
                                                std::shared_ptr<asio::ssl::context> context) {
    BIO* stream_bio = SSL_get_rbio(ssl);
    // Ciphertext the stream has not decrypted yet, or records not yet sent.
    if (stream_bio == nullptr || BIO_ctrl_pending(stream_bio) != 0 ||
        BIO_ctrl_wpending(stream_bio) != 0) {
        forget_handover(ssl);
        return nullptr;
    }
    if (std::optional<tls_handover> handover = take_handover(ssl)) {
        auto records = tls13_records::make(handover->suite, handover->read, handover->write);
        OPENSSL_cleanse(&*handover, sizeof *handover);
        // The stream frees the SSL when it goes.
        if (records) return std::unique_ptr<tls_codec>(new tls_codec(std::move(records)));
    }
    BIO_METHOD* method = wire_bio_method(&bio_read, &bio_write, &bio_ctrl, &bio_create);
    if (method == nullptr) return nullptr;
    BIO* bio = BIO_new(method);
    if (bio == nullptr) return nullptr;
    std::unique_ptr<tls_codec> codec(new tls_codec(ssl, std::move(context)));
    BIO_set_data(bio, codec.get());
    // Frees the stream's end of its BIO pair; the stream frees the other end
    // and drops its reference to `ssl` when it goes.
    SSL_set_bio(ssl, bio, bio);
    return codec;
}

tls_codec::tls_codec(ssl_st* ssl, std::shared_ptr<asio::ssl::context> context)
    : ssl_(ssl), context_(std::move(context)), out_(&pending_) {
    SSL_up_ref(ssl_);
    // Asio sets it on every SSL it makes and the gateway's context sets it
    // too; this connection's idle memory depends on it, so say it here.
    SSL_set_mode(ssl_, SSL_MODE_RELEASE_BUFFERS);
}

tls_codec::tls_codec(std::unique_ptr<tls13_records> records) : records_(std::move(records)) {}

tls_codec::~tls_codec() {
    if (ssl_ != nullptr) SSL_free(ssl_);
}

int tls_codec::bio_create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

int tls_codec::bio_read(BIO* bio, char* out, int size) {
    auto* self = static_cast<tls_codec*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    if (self->in_.empty()) {
        // All read: OpenSSL keeps what it has of a record until open() brings the rest.
        ++self->starved_reads_;
        BIO_set_retry_read(bio);
        return -1;
    }
    const std::size_t n = std::min(self->in_.size(), static_cast<std::size_t>(size));
    std::memcpy(out, self->in_.data(), n);
    self->in_ = self->in_.subspan(n);
    return static_cast<int>(n);
}

int tls_codec::bio_write(BIO* bio, const char* in, int size) {
    auto* self = static_cast<tls_codec*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    self->out_->append(in, static_cast<std::size_t>(size));
    return size;
}

long tls_codec::bio_ctrl(BIO*, int cmd, long, void*) {
    // Writes land in memory at once: a flush has nothing left to do.
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

tls_codec::opened tls_codec::open(std::span<const char> ciphertext, std::span<char> plaintext) {
    if (records_) return records_->open(ciphertext, plaintext);
    opened result;
    in_ = ciphertext;
    while (true) {
        if (result.bytes == plaintext.size()) {
            // Cannot happen with the room asked for: each byte of plaintext
            // came with a byte of ciphertext or from one record kept before.
            result.ec = asio::error::no_buffer_space;
            break;
        }
        std::size_t got = 0;
        if (SSL_read_ex(ssl_, plaintext.data() + result.bytes, plaintext.size() - result.bytes,
                        &got) == 1) {
            result.bytes += got;
            // All read and nothing kept: no call only to hear "want read",
            // which costs OpenSSL a record buffer's malloc and free.
            if (in_.empty() && SSL_has_pending(ssl_) == 0) break;
            continue;
        }
        const int why = SSL_get_error(ssl_, 0);
        if (why == SSL_ERROR_WANT_READ) break;  // all of `ciphertext` is in
        if (why == SSL_ERROR_ZERO_RETURN) {
            result.ec = asio::error::eof;  // the peer's close_notify
            ERR_clear_error();
        } else {
            result.ec = last_tls_error();
        }
        break;
    }
    in_ = {};
    return result;
}

sys_error tls_codec::flush(const char* data, std::size_t size) {
    while (size > 0) {
        std::size_t written = 0;
        if (SSL_write_ex(ssl_, data, size, &written) != 1) return last_tls_error();
        data += written;
        size -= written;
    }
    return {};
}

sys_error tls_codec::seal(std::span<const asio::const_buffer> plaintext, std::string& sealed) {
    if (records_) return records_->seal(plaintext, sealed);
    sealed.append(pending_);
    std::string().swap(pending_);
    out_ = &sealed;
    // Small frames are gathered into records of up to 16 KiB: one record
    // (and one MAC) per flush, not per frame. Per thread: used within this call only.
    thread_local std::array<char, max_record_plaintext> chunk;
    std::size_t used = 0;
    sys_error ec;
    for (const asio::const_buffer& piece : plaintext) {
        const char* data = static_cast<const char*>(piece.data());
        std::size_t size = piece.size();
        while (size > 0 && !ec) {
            if (used == 0 && size >= chunk.size()) {
                // A large payload goes to OpenSSL as it is.
                const std::size_t whole = size - size % chunk.size();
                ec = flush(data, whole);
                data += whole;
                size -= whole;
                continue;
            }
            const std::size_t n = std::min(size, chunk.size() - used);
            std::memcpy(chunk.data() + used, data, n);
            used += n;
            data += n;
            size -= n;
            if (used == chunk.size()) {
                ec = flush(chunk.data(), used);
                used = 0;
            }
        }
    }
    if (used > 0 && !ec) ec = flush(chunk.data(), used);
    out_ = &pending_;
    return ec;
}

void tls_codec::close_notify() {
    if (records_) return records_->close_notify();
    SSL_shutdown(ssl_);  // writes close_notify into pending_; the peer's answer is not awaited
    ERR_clear_error();
}

}  // namespace switchboard
