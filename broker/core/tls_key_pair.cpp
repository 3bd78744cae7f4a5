#include "tls_key_pair.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "config_reader.hpp"  // config_error

namespace switchboard {
namespace {

struct bio_free {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct x509_free {
    void operator()(X509* x) const noexcept { X509_free(x); }
};
struct pkey_free {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};

// OpenSSL's reason for the last failure, or `fallback`.
std::string openssl_reason(const char* fallback) {
    unsigned long e = ERR_peek_last_error();
    ERR_clear_error();
    if (e == 0) return fallback;
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

std::unique_ptr<BIO, bio_free> open_file(const std::string& file, const std::string& key) {
    std::unique_ptr<BIO, bio_free> bio(BIO_new_file(file.c_str(), "r"));
    if (!bio) {
        ERR_clear_error();
        throw config_error("'" + key + "': " + file + ": cannot be read");
    }
    return bio;
}

}  // namespace

void check_tls_key_pair(const std::string& cert_file, const std::string& key_file,
                        const std::string& cert_key, const std::string& key_key,
                        const std::string& key_password) {
    ERR_clear_error();
    auto cert_bio = open_file(cert_file, cert_key);
    std::unique_ptr<X509, x509_free> cert(
        PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        throw config_error("'" + cert_key + "': " + cert_file + ": no PEM certificate (" +
                           openssl_reason("unreadable") + ")");
    }
    auto key_bio = open_file(key_file, key_key);
    std::string password = key_password;
    std::unique_ptr<EVP_PKEY, pkey_free> key(PEM_read_bio_PrivateKey(
        key_bio.get(), nullptr, nullptr, password.empty() ? nullptr : password.data()));
    if (!key) {
        throw config_error("'" + key_key + "': " + key_file + ": no PEM private key (" +
                           openssl_reason("unreadable") + ")");
    }
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
        ERR_clear_error();
        throw config_error("'" + key_key + "': " + key_file +
                           ": does not match the certificate in " + cert_file);
    }
}

}  // namespace switchboard
