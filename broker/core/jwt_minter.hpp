#pragma once
// Makes HS256 JSON Web Tokens that jwt_verifier accepts: `switchboard token`
// mints them for people from the configured secret. Claims: `sub`, `role`,
// `iat` and `exp`; `aud` and `iss` when the config sets an audience or issuer.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "client_record.hpp"

namespace switchboard {

class jwt_minter {
public:
    explicit jwt_minter(std::string secret);

    // A token for `subject` as `role`, issued at `now` (unix seconds) and
    // valid for `ttl`; an empty `audience` or `issuer` leaves its claim out.
    std::string mint(std::string_view subject, client_role role, std::int64_t now,
                     std::chrono::seconds ttl, std::string_view audience = {},
                     std::string_view issuer = {}) const;

    // header.payload.signature for the given JSON texts, signed with the
    // secret whatever the header says (tests forge tokens with it).
    std::string sign(std::string_view header_json, std::string_view payload_json) const;

    // Base64url without padding (RFC 4648 §5).
    static std::string base64url_encode(std::string_view in);

    // HMAC-SHA256 of `data` under `key`: the HS256 signature (32 bytes).
    static std::string hs256(std::string_view key, std::string_view data);

private:
    std::string secret_;
};

}  // namespace switchboard
