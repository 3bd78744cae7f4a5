#include "jwt_minter.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace switchboard {

jwt_minter::jwt_minter(std::string secret) : secret_(std::move(secret)) {}

std::string jwt_minter::base64url_encode(std::string_view in) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::uint32_t bits = 0;
    int count = 0;
    for (unsigned char c : in) {
        bits = (bits << 8) | c;
        count += 8;
        while (count >= 6) {
            count -= 6;
            out.push_back(alphabet[(bits >> count) & 63]);
        }
    }
    if (count > 0) out.push_back(alphabet[(bits << (6 - count)) & 63]);
    return out;
}

std::string jwt_minter::hs256(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
             &mac_len) == nullptr) {
        return {};
    }
    return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

std::string jwt_minter::sign(std::string_view header_json, std::string_view payload_json) const {
    std::string signed_part = base64url_encode(header_json) + "." + base64url_encode(payload_json);
    std::string signature = hs256(secret_, signed_part);
    if (signature.empty()) throw std::runtime_error("HMAC-SHA256 failed");
    return signed_part + "." + base64url_encode(signature);
}

std::string jwt_minter::mint(std::string_view subject, client_role role, std::int64_t now,
                             std::chrono::seconds ttl, std::string_view audience,
                             std::string_view issuer) const {
    nlohmann::ordered_json claims = {
        {"sub", subject}, {"role", to_string(role)}, {"iat", now}, {"exp", now + ttl.count()}};
    if (!audience.empty()) claims["aud"] = audience;
    if (!issuer.empty()) claims["iss"] = issuer;
    return sign(R"({"alg":"HS256","typ":"JWT"})", claims.dump());
}

}  // namespace switchboard
