#include "jwt_signer.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/outbound_frame.hpp"

namespace switchboard::client {

jwt_signer::jwt_signer(std::string secret, std::chrono::seconds lifetime)
    : secret_(std::move(secret)), lifetime_(lifetime) {}

std::string jwt_signer::base64url(std::string_view in) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto byte = [&](std::size_t k) {
        return static_cast<unsigned>(static_cast<unsigned char>(in[k]));
    };
    for (; i + 3 <= in.size(); i += 3) {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        for (int s = 18; s >= 0; s -= 6) out.push_back(alphabet[(v >> s) & 63]);
    }
    std::size_t left = in.size() - i;
    if (left > 0) {
        unsigned v = byte(i) << 16 | (left == 2 ? byte(i + 1) << 8 : 0u);
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        if (left == 2) out.push_back(alphabet[(v >> 6) & 63]);
    }
    return out;
}

std::string jwt_signer::mint(std::string_view id, std::string_view role, std::int64_t now) const {
    std::string claims = "{\"sub\":";
    append_json_string(claims, id);
    claims += ",\"role\":";
    append_json_string(claims, role);
    claims += ",\"exp\":" + std::to_string(now + lifetime_.count()) + "}";
    std::string token = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(claims);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &length);
    token += '.';
    token += base64url(std::string_view(reinterpret_cast<const char*>(mac), length));
    return token;
}

std::string jwt_signer::mint(std::string_view id, std::string_view role) const {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    return mint(id, role, now);
}

}  // namespace switchboard::client
