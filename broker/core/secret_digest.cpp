#include "secret_digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace switchboard {

secret_digest digest_of(std::string_view secret) noexcept {
    secret_digest out{};
    unsigned int len = 0;
    EVP_Digest(secret.data(), secret.size(), out.data(), &len, EVP_sha256(), nullptr);
    return out;
}

bool same_digest(const secret_digest& a, const secret_digest& b) noexcept {
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace switchboard
