#pragma once
// Mints the simulator's HS256 JSON Web Tokens with core's jwt_minter, the one
// that `switchboard token` uses, so they are what the gateway's auth.jwt
// verifies (docs/security.md): claims `sub` = the ID, `role`, `iat`, `exp`.
// The simulator makes one per ID from the shared secret (`--jwt-secret`), as
// a backend issuing device credentials would; this adds only the lifetime
// and the clock.
// Immutable after construction; usable from any thread.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/jwt_minter.hpp"

namespace switchboard::client {

class jwt_signer {
public:
    // Tokens minted at t expire at t + lifetime.
    jwt_signer(std::string secret, std::chrono::seconds lifetime)
        : minter_(std::move(secret)), lifetime_(lifetime) {}

    // A token for `id` in `role`, issued at `now` (unix seconds).
    std::string mint(std::string_view id, client_role role, std::int64_t now) const {
        return minter_.mint(id, role, now, lifetime_);
    }
    // The same, issued now.
    std::string mint(std::string_view id, client_role role) const {
        auto now = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch());
        return mint(id, role, now.count());
    }

private:
    jwt_minter minter_;
    std::chrono::seconds lifetime_;
};

}  // namespace switchboard::client
