#pragma once
// TLS 1.3's traffic keys from a traffic secret (RFC 8446 §7.1, §7.3): what a
// connection keeps once OpenSSL's handshake is done and its SSL is freed
// (tls13_records). HKDF itself is OpenSSL's; only the label is built here.
// Plain logic: no socket, no state; any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

typedef struct evp_cipher_st EVP_CIPHER;

namespace switchboard {

// A TLS 1.3 cipher suite's AEAD and hash, as the record layer needs them.
struct tls13_suite {
    const EVP_CIPHER* cipher = nullptr;  // fetched once per process, never freed
    const char* digest = nullptr;        // HKDF's hash: "SHA256" or "SHA384"
    std::size_t key_length = 0;          // bytes
    std::size_t secret_length = 0;       // the hash's length

    // The suite of an IANA id (SSL_CIPHER_get_protocol_id): AES-128-GCM,
    // AES-256-GCM or ChaCha20-Poly1305; none for the CCM suites, which the
    // gateway does not enable.
    static std::optional<tls13_suite> of(std::uint16_t protocol_id);
};

// A traffic secret of the longest hash a suite may use.
using tls13_secret = std::array<unsigned char, 48>;

struct tls13_traffic_keys {
    std::array<unsigned char, 32> key{};  // key_length bytes used
    std::array<unsigned char, 12> iv{};   // the per-record nonce is iv XOR sequence number
};

// key = HKDF-Expand-Label(secret, "key", "", key_length) and
// iv = HKDF-Expand-Label(secret, "iv", "", 12). False only if OpenSSL fails.
bool derive_traffic_keys(const tls13_suite& suite, std::span<const unsigned char> secret,
                         tls13_traffic_keys& keys);

// The secret after a KeyUpdate: HKDF-Expand-Label(secret, "traffic upd", "",
// secret_length), written over `secret`.
bool next_traffic_secret(const tls13_suite& suite, std::span<unsigned char> secret);

}  // namespace switchboard
