#include "tls13_key_schedule.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <cstring>
#include <string_view>

namespace switchboard {

namespace {

const EVP_CIPHER* fetched(const char* name) {
    // Fetched once: an implicit fetch per record would cost a lookup each time.
    return EVP_CIPHER_fetch(nullptr, name, nullptr);
}

// HKDF-Expand-Label(secret, label, "", out.size()) (RFC 8446 §7.1).
bool expand_label(const char* digest, std::span<const unsigned char> secret, std::string_view label,
                  std::span<unsigned char> out) {
    static constexpr std::string_view prefix = "tls13 ";
    // struct { uint16 length; opaque label<7..255>; opaque context<0..255>; }
    std::array<unsigned char, 2 + 1 + 255 + 1> info{};
    std::size_t n = 0;
    info[n++] = static_cast<unsigned char>(out.size() >> 8);
    info[n++] = static_cast<unsigned char>(out.size());
    info[n++] = static_cast<unsigned char>(prefix.size() + label.size());
    std::memcpy(info.data() + n, prefix.data(), prefix.size());
    n += prefix.size();
    std::memcpy(info.data() + n, label.data(), label.size());
    n += label.size();
    info[n++] = 0;  // no context

    static EVP_KDF* hkdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    if (hkdf == nullptr) return false;
    EVP_KDF_CTX* kdf = EVP_KDF_CTX_new(hkdf);
    if (kdf == nullptr) return false;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                          const_cast<unsigned char*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), n),
        OSSL_PARAM_construct_end(),
    };
    const bool ok = EVP_KDF_derive(kdf, out.data(), out.size(), params) == 1;
    EVP_KDF_CTX_free(kdf);
    return ok;
}

}  // namespace

std::optional<tls13_suite> tls13_suite::of(std::uint16_t protocol_id) {
    static const EVP_CIPHER* aes128 = fetched("AES-128-GCM");
    static const EVP_CIPHER* aes256 = fetched("AES-256-GCM");
    static const EVP_CIPHER* chacha = fetched("ChaCha20-Poly1305");
    tls13_suite suite;
    switch (protocol_id) {
        case 0x1301:  // TLS_AES_128_GCM_SHA256
            suite = {aes128, "SHA256", 16, 32};
            break;
        case 0x1302:  // TLS_AES_256_GCM_SHA384
            suite = {aes256, "SHA384", 32, 48};
            break;
        case 0x1303:  // TLS_CHACHA20_POLY1305_SHA256
            suite = {chacha, "SHA256", 32, 32};
            break;
        default:
            return std::nullopt;
    }
    if (suite.cipher == nullptr) return std::nullopt;
    return suite;
}

bool derive_traffic_keys(const tls13_suite& suite, std::span<const unsigned char> secret,
                         tls13_traffic_keys& keys) {
    return expand_label(suite.digest, secret, "key", {keys.key.data(), suite.key_length}) &&
           expand_label(suite.digest, secret, "iv", keys.iv);
}

bool next_traffic_secret(const tls13_suite& suite, std::span<unsigned char> secret) {
    tls13_secret next{};
    if (!expand_label(suite.digest, secret, "traffic upd", {next.data(), suite.secret_length}))
        return false;
    std::memcpy(secret.data(), next.data(), suite.secret_length);
    OPENSSL_cleanse(next.data(), next.size());
    return true;
}

}  // namespace switchboard
