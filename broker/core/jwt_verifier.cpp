#include "jwt_verifier.hpp"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "jwt_minter.hpp"

namespace switchboard {
namespace {

using json = nlohmann::json;

int base64url_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

// A NumericDate: an integer, or a number with a fraction (truncated).
std::optional<std::int64_t> numeric_date(const json& claims, const char* name) {
    auto it = claims.find(name);
    if (it == claims.end()) return std::nullopt;
    if (it->is_number_integer()) return it->get<std::int64_t>();
    if (it->is_number_float()) {
        double d = it->get<double>();
        if (d > -1e15 && d < 1e15) return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

// Whether `aud` (a string or an array of strings, RFC 7519 §4.1.3) names `audience`.
bool names_audience(const json& aud, const std::string& audience) {
    if (aud.is_string()) return aud.get_ref<const std::string&>() == audience;
    if (!aud.is_array()) return false;
    for (const auto& a : aud) {
        if (a.is_string() && a.get_ref<const std::string&>() == audience) return true;
    }
    return false;
}

}  // namespace

jwt_verifier::jwt_verifier(std::string secret, std::chrono::seconds leeway, std::string audience,
                           std::string issuer)
    : secret_(std::move(secret)),
      leeway_(leeway.count()),
      audience_(std::move(audience)),
      issuer_(std::move(issuer)) {}

std::optional<std::string> jwt_verifier::base64url_decode(std::string_view in) {
    if (in.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(in.size() * 3 / 4);
    std::uint32_t bits = 0;
    int count = 0;
    for (char c : in) {
        int v = base64url_value(c);
        if (v < 0) return std::nullopt;
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<char>((bits >> count) & 0xFF));
        }
    }
    // Leftover bits must be zero, or two spellings would decode alike.
    if ((bits & ((1u << count) - 1)) != 0) return std::nullopt;
    return out;
}

std::optional<jwt_claims> jwt_verifier::verify(std::string_view token, std::int64_t now,
                                               std::string& why) const {
    why = "invalid token";
    if (secret_.empty() || token.size() > max_token_bytes) return std::nullopt;
    std::size_t dot1 = token.find('.');
    if (dot1 == std::string_view::npos) return std::nullopt;
    std::size_t dot2 = token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view signed_part = token.substr(0, dot2);
    auto header_text = base64url_decode(token.substr(0, dot1));
    auto payload_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
    auto signature = base64url_decode(token.substr(dot2 + 1));
    if (!header_text || !payload_text || !signature) return std::nullopt;

    json header = json::parse(*header_text, nullptr, false);
    if (!header.is_object()) return std::nullopt;
    auto alg = header.find("alg");
    if (alg == header.end() || !alg->is_string() || alg->get<std::string>() != "HS256") {
        why = "token algorithm must be HS256";
        return std::nullopt;
    }

    // The signature is checked before any claim is believed.
    std::string mac = jwt_minter::hs256(secret_, signed_part);
    if (mac.empty()) return std::nullopt;
    if (signature->size() != mac.size() ||
        CRYPTO_memcmp(signature->data(), mac.data(), mac.size()) != 0) {
        why = "token signature does not verify";
        return std::nullopt;
    }

    json claims = json::parse(*payload_text, nullptr, false);
    if (!claims.is_object()) return std::nullopt;
    jwt_claims out;
    auto sub = claims.find("sub");
    auto role = claims.find("role");
    if (sub == claims.end() || !sub->is_string() || role == claims.end() || !role->is_string()) {
        why = "token lacks sub or role";
        return std::nullopt;
    }
    auto parsed_role = parse_role(role->get<std::string>());
    if (!parsed_role) {
        why = "token role is not device or controller";
        return std::nullopt;
    }
    auto exp = numeric_date(claims, "exp");
    if (!exp) {
        why = "token lacks exp";
        return std::nullopt;
    }
    if (now > *exp + leeway_) {
        why = "token expired";
        return std::nullopt;
    }
    if (claims.contains("nbf")) {
        auto nbf = numeric_date(claims, "nbf");
        if (!nbf || now + leeway_ < *nbf) {
            why = "token not yet valid";
            return std::nullopt;
        }
    }
    if (!audience_.empty()) {
        auto aud = claims.find("aud");
        if (aud == claims.end() || !names_audience(*aud, audience_)) {
            why = "token is not for this audience";
            return std::nullopt;
        }
    }
    if (!issuer_.empty()) {
        auto iss = claims.find("iss");
        if (iss == claims.end() || !iss->is_string() ||
            iss->get_ref<const std::string&>() != issuer_) {
            why = "token is not from the expected issuer";
            return std::nullopt;
        }
    }
    out.subject = sub->get<std::string>();
    out.role = *parsed_role;
    out.expires = *exp;
    why.clear();
    return out;
}

}  // namespace switchboard
