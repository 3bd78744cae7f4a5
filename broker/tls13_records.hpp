#pragma once
// TLS 1.3's record layer (RFC 8446 §5) once the handshake is done: the
// traffic keys of each direction and their sequence numbers, the AEAD
// itself being OpenSSL's (EVP). What tls_codec keeps of a TLS 1.3
// connection after OpenSSL's handshake, instead of the SSL object: ~2 KiB
// against ~14 KiB, and a record sealed or opened in ~3,000 instructions
// against ~8,000 through libssl (docs/architecture.md, "TLS").
// Post-handshake, a client may only send KeyUpdate (answered as §4.6.3 asks)
// and alerts; anything else ends the connection with the alert it calls for.
// Plain logic, no socket: bytes in, bytes out. Used by one connection on its
// I/O thread.

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "tls13_key_schedule.hpp"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace switchboard {

// Why a TLS 1.3 connection ended: an alert we send (its value is the
// alert's description, RFC 8446 §6), or one the peer sent (peer_alert + its
// description).
enum class tls13_error {
    unexpected_message = 10,
    bad_record_mac = 20,
    record_overflow = 22,
    illegal_parameter = 47,
    decode_error = 50,
    internal_error = 80,
    peer_alert = 1000,
};
boost::system::error_code make_error_code(tls13_error e);

class tls13_records {
public:
    // The largest plaintext of one record (2^14).
    static constexpr std::size_t max_record_plaintext = 16384;
    // Records sealed under one key before we update it ourselves: AES-GCM's
    // safety margin is 2^24.5 records per key (RFC 8446 §5.5).
    static constexpr std::uint64_t default_records_per_write_key = std::uint64_t{1} << 24;
    // KeyUpdates a peer may send in a row with no application data between
    // them (OpenSSL's own cap, MAX_KEY_UPDATE_MESSAGES): more is a flood.
    static constexpr unsigned max_key_updates_in_a_row = 32;

    // Where a direction stands when the handshake hands over: its current
    // traffic secret and the sequence number of its next record.
    struct direction_start {
        tls13_secret secret{};
        std::uint64_t sequence = 0;
    };
    // Null if OpenSSL cannot set up the cipher contexts.
    static std::unique_ptr<tls13_records> make(
        const tls13_suite& suite, const direction_start& read, const direction_start& write,
        std::uint64_t records_per_write_key = default_records_per_write_key);
    ~tls13_records();
    tls13_records(const tls13_records&) = delete;
    tls13_records& operator=(const tls13_records&) = delete;

    struct opened {
        std::size_t bytes = 0;         // plaintext written
        boost::system::error_code ec;  // eof on the peer's close_notify, or why it failed
    };
    // Opens every whole record of what was kept from before and `ciphertext`
    // into `plaintext` (room for ciphertext.size() + 2 * max_record_plaintext
    // bytes) and keeps a record cut by the read for the next call.
    opened open(std::span<const char> ciphertext, std::span<char> plaintext);
    // Appends our own records waiting to go (a KeyUpdate, an alert), then
    // records of up to 16 KiB carrying `plaintext`, to `sealed`.
    boost::system::error_code seal(std::span<const boost::asio::const_buffer> plaintext,
                                   std::string& sealed);
    bool has_pending() const noexcept { return !pending_.empty(); }
    // Queues our close_notify for the next seal().
    void close_notify();

private:
    struct direction {
        EVP_CIPHER_CTX* context = nullptr;
        tls13_secret secret{};
        std::array<unsigned char, 12> iv{};
        std::uint64_t sequence = 0;
        bool encrypt = false;
    };
    tls13_records(const tls13_suite& suite, std::uint64_t records_per_write_key);
    bool set_keys(direction& d);
    bool update_keys(direction& d);
    void nonce_of(const direction& d, unsigned char* nonce) const;
    // Seals one record of `type` whose content is `content_length` bytes
    // taken from `pieces` from (piece, offset) on, advancing them.
    bool seal_record(unsigned char type, std::span<const boost::asio::const_buffer> pieces,
                     std::size_t& piece, std::size_t& offset, std::size_t content_length,
                     std::string& out);
    // Seals one record of ours (an alert, a KeyUpdate) to `out`.
    bool seal_own(unsigned char type, std::span<const unsigned char> content, std::string& out);
    boost::system::error_code fail(tls13_error why);
    // Opens one whole record (header included) into `out`; the application
    // data it carried is added to `bytes`.
    boost::system::error_code open_record(const unsigned char* record, std::size_t length,
                                          char* out, std::size_t room, std::size_t& bytes);
    boost::system::error_code on_handshake(const unsigned char* data, std::size_t size);

    tls13_suite suite_;
    std::uint64_t records_per_write_key_;
    direction read_;
    direction write_;
    std::string partial_;                       // a record cut by a read, until its rest comes
    std::string pending_;                       // our own records, for the next seal()
    std::array<unsigned char, 5> handshake_{};  // a KeyUpdate cut across records
    std::size_t handshake_size_ = 0;
    bool closed_ = false;  // the peer's close_notify or a failure: nothing more opens
    // KeyUpdates since the last application data: each costs us key
    // derivations (and a record when asked), so a run of them is capped.
    unsigned key_updates_in_a_row_ = 0;
};

}  // namespace switchboard

template <>
struct boost::system::is_error_code_enum<switchboard::tls13_error> : std::true_type {};
