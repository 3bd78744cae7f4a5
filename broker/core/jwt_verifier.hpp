#pragma once
// Verifies HS256 JSON Web Tokens (RFC 7519) signed with one shared secret.
// Only HS256 is accepted: the header's `alg` must be exactly "HS256", so
// `none` and algorithm-confusion tokens fail. Claims used: `sub` (the ID),
// `role`, `exp` (required), `nbf` (optional), both checked with a leeway;
// `aud` and `iss` when an audience or issuer is configured.
// Immutable after construction; shared read-only by all threads.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client_record.hpp"

namespace switchboard {

struct jwt_claims {
    std::string subject;
    client_role role = client_role::device;
    std::int64_t expires = 0;  // unix seconds
};

class jwt_verifier {
public:
    // Longer tokens are refused before any decoding.
    static constexpr std::size_t max_token_bytes = 4096;

    // A non-empty `audience` must be the token's `aud` (or one of them); a
    // non-empty `issuer` must be its `iss`. Empty: the claim is not checked.
    jwt_verifier(std::string secret, std::chrono::seconds leeway, std::string audience = {},
                 std::string issuer = {});

    std::int64_t leeway_seconds() const noexcept { return leeway_; }

    // The claims of a valid token at `now` (unix seconds), or nullopt with
    // `why` set to a reason fit for the client and the log (never the token).
    std::optional<jwt_claims> verify(std::string_view token, std::int64_t now,
                                     std::string& why) const;

    // Base64url without padding (RFC 4648 §5), as JWTs use it; nullopt on any
    // byte outside the alphabet.
    static std::optional<std::string> base64url_decode(std::string_view in);

private:
    std::string secret_;
    std::int64_t leeway_;
    std::string audience_;
    std::string issuer_;
};

}  // namespace switchboard
