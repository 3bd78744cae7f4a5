#pragma once
// Mints HS256 JSON Web Tokens for simulated devices and controllers, the
// kind the gateway's auth.jwt verifies (docs/security.md): header
// {"alg":"HS256","typ":"JWT"}, claims `sub` = the ID, `role`, `exp`. The
// simulator makes one per ID from the shared secret (`--jwt-secret`), as a
// backend issuing device credentials would.
// Immutable after construction; usable from any thread.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::client {

class jwt_signer {
public:
    // Tokens minted at t expire at t + lifetime.
    jwt_signer(std::string secret, std::chrono::seconds lifetime);

    // A token for `id` in `role`, issued at `now` (unix seconds).
    std::string mint(std::string_view id, std::string_view role, std::int64_t now) const;
    // The same, issued now.
    std::string mint(std::string_view id, std::string_view role) const;

    // Base64url without padding (RFC 4648 §5).
    static std::string base64url(std::string_view in);

private:
    std::string secret_;
    std::chrono::seconds lifetime_;
};

}  // namespace switchboard::client
