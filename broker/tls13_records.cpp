#include "tls13_records.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <cstring>

namespace switchboard {

namespace asio = boost::asio;
using sys_error = boost::system::error_code;

namespace {

constexpr std::size_t header_length = 5;
constexpr std::size_t tag_length = 16;  // both AES-GCM and ChaCha20-Poly1305
// The largest ciphertext a peer may send in one record (RFC 8446 §5.2).
constexpr std::size_t max_record_body = tls13_records::max_record_plaintext + 256;

constexpr unsigned char type_alert = 21;
constexpr unsigned char type_handshake = 22;
constexpr unsigned char type_application_data = 23;
constexpr unsigned char handshake_key_update = 24;
// A KeyUpdate of ours: its header (type, 3-byte length 1), update_not_requested.
constexpr unsigned char key_update_not_requested[5] = {handshake_key_update, 0, 0, 1, 0};
constexpr unsigned char alert_close_notify = 0;
constexpr unsigned char alert_user_canceled = 90;

class tls13_category : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "tls13"; }
    std::string message(int value) const override {
        if (value >= static_cast<int>(tls13_error::peer_alert)) {
            return "the peer sent TLS alert " +
                   std::to_string(value - static_cast<int>(tls13_error::peer_alert));
        }
        switch (static_cast<tls13_error>(value)) {
            case tls13_error::unexpected_message:
                return "unexpected TLS message";
            case tls13_error::bad_record_mac:
                return "TLS record failed authentication";
            case tls13_error::record_overflow:
                return "TLS record too large";
            case tls13_error::illegal_parameter:
                return "illegal TLS parameter";
            case tls13_error::decode_error:
                return "malformed TLS message";
            case tls13_error::internal_error:
                return "TLS internal error";
            default:
                return "TLS error " + std::to_string(value);
        }
    }
};

void put_header(unsigned char* header, unsigned char type, std::size_t length) {
    header[0] = type;
    header[1] = 0x03;  // legacy_record_version: TLS 1.2, as RFC 8446 §5.1 asks
    header[2] = 0x03;
    header[3] = static_cast<unsigned char>(length >> 8);
    header[4] = static_cast<unsigned char>(length);
}

std::size_t body_length(const unsigned char* header) {
    return static_cast<std::size_t>(header[3]) << 8 | header[4];
}

}  // namespace

sys_error make_error_code(tls13_error e) {
    static const tls13_category category;
    return {static_cast<int>(e), category};
}

std::unique_ptr<tls13_records> tls13_records::make(const tls13_suite& suite,
                                                   const direction_start& read,
                                                   const direction_start& write,
                                                   std::uint64_t records_per_write_key) {
    std::unique_ptr<tls13_records> records(new tls13_records(suite, records_per_write_key));
    records->read_.secret = read.secret;
    records->read_.sequence = read.sequence;
    records->write_.secret = write.secret;
    records->write_.sequence = write.sequence;
    records->write_.encrypt = true;
    if (!records->set_keys(records->read_) || !records->set_keys(records->write_)) return nullptr;
    return records;
}

tls13_records::tls13_records(const tls13_suite& suite, std::uint64_t records_per_write_key)
    : suite_(suite), records_per_write_key_(std::max<std::uint64_t>(records_per_write_key, 1)) {}

tls13_records::~tls13_records() {
    EVP_CIPHER_CTX_free(read_.context);
    EVP_CIPHER_CTX_free(write_.context);
    OPENSSL_cleanse(read_.secret.data(), read_.secret.size());
    OPENSSL_cleanse(write_.secret.data(), write_.secret.size());
}

bool tls13_records::set_keys(direction& d) {
    tls13_traffic_keys keys;
    bool ok = derive_traffic_keys(suite_, {d.secret.data(), suite_.secret_length}, keys);
    if (ok && d.context == nullptr) ok = (d.context = EVP_CIPHER_CTX_new()) != nullptr;
    // The key is set once; each record sets only its nonce.
    if (ok) {
        ok = (d.encrypt
                  ? EVP_EncryptInit_ex2(d.context, suite_.cipher, keys.key.data(), nullptr, nullptr)
                  : EVP_DecryptInit_ex2(d.context, suite_.cipher, keys.key.data(), nullptr,
                                        nullptr)) == 1;
    }
    d.iv = keys.iv;
    OPENSSL_cleanse(keys.key.data(), keys.key.size());
    return ok;
}

bool tls13_records::update_keys(direction& d) {
    d.sequence = 0;
    return next_traffic_secret(suite_, {d.secret.data(), suite_.secret_length}) && set_keys(d);
}

void tls13_records::nonce_of(const direction& d, unsigned char* nonce) const {
    // The sequence number, big-endian and left-padded to the IV's length,
    // XORed with the IV (RFC 8446 §5.3).
    std::memcpy(nonce, d.iv.data(), d.iv.size());
    for (int i = 0; i < 8; ++i) {
        nonce[d.iv.size() - 1 - static_cast<std::size_t>(i)] ^=
            static_cast<unsigned char>(d.sequence >> (8 * i));
    }
}

sys_error tls13_records::fail(tls13_error why) {
    closed_ = true;
    // The alert goes out with whatever the caller sends next (RFC 8446 §6.2).
    const unsigned char alert[2] = {2, static_cast<unsigned char>(why)};
    seal_own(type_alert, alert, pending_);
    return why;
}

// ---- open ----

tls13_records::opened tls13_records::open(std::span<const char> ciphertext,
                                          std::span<char> plaintext) {
    opened result;
    if (closed_) {
        result.ec = asio::error::eof;
        return result;
    }
    const auto* in = reinterpret_cast<const unsigned char*>(ciphertext.data());
    std::size_t left = ciphertext.size();
    auto room = [&] { return plaintext.size() - result.bytes; };
    auto refuse_header = [this](const unsigned char* header) -> sys_error {
        // After the handshake every record is protected, so its outer type is
        // application_data whatever it carries (RFC 8446 §5.2).
        if (header[0] != type_application_data) return fail(tls13_error::unexpected_message);
        if (body_length(header) > max_record_body) return fail(tls13_error::record_overflow);
        return {};
    };

    // The rest of a record cut by the last read first.
    if (!partial_.empty()) {
        if (partial_.size() < header_length) {
            const std::size_t n = std::min(left, header_length - partial_.size());
            partial_.append(reinterpret_cast<const char*>(in), n);
            in += n;
            left -= n;
            if (partial_.size() < header_length) return result;
        }
        const auto* header = reinterpret_cast<const unsigned char*>(partial_.data());
        if ((result.ec = refuse_header(header))) return result;
        const std::size_t whole = header_length + body_length(header);
        const std::size_t n = std::min(left, whole - partial_.size());
        partial_.append(reinterpret_cast<const char*>(in), n);
        in += n;
        left -= n;
        if (partial_.size() < whole) return result;
        result.ec = open_record(reinterpret_cast<const unsigned char*>(partial_.data()), whole,
                                plaintext.data() + result.bytes, room(), result.bytes);
        // An idle connection keeps no record buffer.
        std::string().swap(partial_);
        if (result.ec) return result;
    }

    while (left >= header_length) {
        if ((result.ec = refuse_header(in))) return result;
        const std::size_t whole = header_length + body_length(in);
        if (left < whole) break;
        result.ec = open_record(in, whole, plaintext.data() + result.bytes, room(), result.bytes);
        if (result.ec) return result;
        in += whole;
        left -= whole;
    }
    if (left > 0) {
        if (left >= header_length) {
            // A header that passed the checks above: its record is at most ~16 KiB.
            partial_.reserve(header_length + body_length(in));
        }
        partial_.assign(reinterpret_cast<const char*>(in), left);
    }
    return result;
}

sys_error tls13_records::open_record(const unsigned char* record, std::size_t length, char* out,
                                     std::size_t room, std::size_t& bytes) {
    const std::size_t body = length - header_length;
    // The smallest record holds the content type and the tag.
    if (body < tag_length + 1) return fail(tls13_error::bad_record_mac);
    const std::size_t sealed = body - tag_length;
    if (sealed > room)
        return asio::error::no_buffer_space;  // cannot happen with the room asked for
    if (read_.sequence == UINT64_MAX) return fail(tls13_error::internal_error);

    unsigned char nonce[12];
    nonce_of(read_, nonce);
    auto* plain = reinterpret_cast<unsigned char*>(out);
    int n = 0;
    int ok = EVP_DecryptInit_ex2(read_.context, nullptr, nullptr, nonce, nullptr);
    ok = ok && EVP_DecryptUpdate(read_.context, nullptr, &n, record, header_length);
    ok = ok && EVP_DecryptUpdate(read_.context, plain, &n, record + header_length,
                                 static_cast<int>(sealed));
    ok = ok && EVP_CIPHER_CTX_ctrl(read_.context, EVP_CTRL_AEAD_SET_TAG, tag_length,
                                   const_cast<unsigned char*>(record + length - tag_length));
    ok = ok && EVP_DecryptFinal_ex(read_.context, plain + sealed, &n);
    if (!ok) return fail(tls13_error::bad_record_mac);
    ++read_.sequence;

    // TLSInnerPlaintext: content, its real type, then zeros (RFC 8446 §5.4).
    std::size_t content = sealed;
    while (content > 0 && plain[content - 1] == 0) --content;
    if (content == 0) return fail(tls13_error::unexpected_message);
    const unsigned char type = plain[--content];
    if (content > max_record_plaintext) return fail(tls13_error::record_overflow);

    switch (type) {
        case type_application_data:
            if (handshake_size_ != 0) return fail(tls13_error::unexpected_message);
            key_updates_in_a_row_ = 0;
            bytes += content;
            return {};
        case type_handshake:
            if (content == 0) return fail(tls13_error::unexpected_message);
            return on_handshake(plain, content);
        case type_alert:
            if (content != 2) return fail(tls13_error::decode_error);
            if (plain[1] == alert_user_canceled) return {};  // a close_notify follows
            closed_ = true;
            if (plain[1] == alert_close_notify) return asio::error::eof;
            return {static_cast<int>(tls13_error::peer_alert) + plain[1],
                    make_error_code(tls13_error::peer_alert).category()};
        default:
            return fail(tls13_error::unexpected_message);
    }
}

sys_error tls13_records::on_handshake(const unsigned char* data, std::size_t size) {
    // Only KeyUpdate may come from a client now (no post-handshake
    // authentication is asked for): 4 bytes of header and 1 of body.
    for (std::size_t i = 0; i < size; ++i) {
        handshake_[handshake_size_++] = data[i];
        if (handshake_size_ == 1 && handshake_[0] != handshake_key_update)
            return fail(tls13_error::unexpected_message);
        if (handshake_size_ == 4 &&
            (handshake_[1] != 0 || handshake_[2] != 0 || handshake_[3] != 1))
            return fail(tls13_error::decode_error);
        if (handshake_size_ < handshake_.size()) continue;

        handshake_size_ = 0;
        if (++key_updates_in_a_row_ > max_key_updates_in_a_row)
            return fail(tls13_error::unexpected_message);
        const unsigned char request_update = handshake_[4];
        if (request_update > 1) return fail(tls13_error::illegal_parameter);
        // A key change ends its record (RFC 8446 §5.1).
        if (i + 1 != size) return fail(tls13_error::unexpected_message);
        if (!update_keys(read_)) return fail(tls13_error::internal_error);
        if (request_update == 1) {
            // Ours, under the key it retires, before any data (§4.6.3).
            if (!seal_own(type_handshake, key_update_not_requested, pending_) ||
                !update_keys(write_))
                return fail(tls13_error::internal_error);
        }
    }
    return {};
}

// ---- seal ----

bool tls13_records::seal_record(unsigned char type, std::span<const asio::const_buffer> pieces,
                                std::size_t& piece, std::size_t& offset, std::size_t content_length,
                                std::string& out) {
    const std::size_t body = content_length + 1 + tag_length;
    const std::size_t start = out.size();
    out.resize(start + header_length + body);
    auto* record = reinterpret_cast<unsigned char*>(out.data() + start);
    put_header(record, type_application_data, body);

    unsigned char nonce[12];
    nonce_of(write_, nonce);
    unsigned char* sealed = record + header_length;
    int n = 0;
    int ok = EVP_EncryptInit_ex2(write_.context, nullptr, nullptr, nonce, nullptr);
    ok = ok && EVP_EncryptUpdate(write_.context, nullptr, &n, record, header_length);
    // Straight from the frames into the record: no copy to gather them first.
    std::size_t left = content_length;
    while (ok && left > 0) {
        const asio::const_buffer& from = pieces[piece];
        const std::size_t take = std::min(left, from.size() - offset);
        ok = EVP_EncryptUpdate(write_.context, sealed, &n,
                               static_cast<const unsigned char*>(from.data()) + offset,
                               static_cast<int>(take));
        sealed += take;
        left -= take;
        offset += take;
        if (offset == from.size()) {
            ++piece;
            offset = 0;
        }
    }
    ok = ok && EVP_EncryptUpdate(write_.context, sealed, &n, &type, 1);
    sealed += 1;
    ok = ok && EVP_EncryptFinal_ex(write_.context, sealed, &n);
    ok = ok && EVP_CIPHER_CTX_ctrl(write_.context, EVP_CTRL_AEAD_GET_TAG, tag_length, sealed);
    if (!ok) {
        out.resize(start);
        return false;
    }
    ++write_.sequence;
    return true;
}

bool tls13_records::seal_own(unsigned char type, std::span<const unsigned char> content,
                             std::string& out) {
    const asio::const_buffer one(content.data(), content.size());
    std::size_t piece = 0;
    std::size_t offset = 0;
    return seal_record(type, {&one, 1}, piece, offset, content.size(), out);
}

sys_error tls13_records::seal(std::span<const asio::const_buffer> plaintext, std::string& sealed) {
    sealed.append(pending_);
    std::string().swap(pending_);
    std::size_t total = 0;
    for (const auto& piece : plaintext) total += piece.size();
    const std::size_t records = (total + max_record_plaintext - 1) / max_record_plaintext;
    sealed.reserve(sealed.size() + total + records * (header_length + 1 + tag_length));

    std::size_t piece = 0;
    std::size_t offset = 0;
    while (total > 0) {
        if (write_.sequence >= records_per_write_key_) {
            // Our own key update before the key has carried too much (§5.5).
            if (!seal_own(type_handshake, key_update_not_requested, sealed) || !update_keys(write_))
                return fail(tls13_error::internal_error);
        }
        const std::size_t n = std::min(total, max_record_plaintext);
        if (!seal_record(type_application_data, plaintext, piece, offset, n, sealed))
            return fail(tls13_error::internal_error);
        total -= n;
    }
    return {};
}

void tls13_records::close_notify() {
    const unsigned char alert[2] = {1, alert_close_notify};
    seal_own(type_alert, alert, pending_);
}

}  // namespace switchboard
