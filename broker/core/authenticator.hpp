#pragma once
// Decides whether a `register` may claim its ID and role: by a static token
// from the config (token -> ID glob + role) or an HS256 JWT (`sub` = ID).
// Tokens are compared in constant time and never logged or echoed.
// Owned by the gateway; immutable after construction, shared read-only by
// every session's thread.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client_record.hpp"
#include "jwt_verifier.hpp"
#include "secret_digest.hpp"

namespace switchboard {

struct static_token {
    std::string token;
    std::string id = "*";  // glob of the IDs it may register
    client_role role = client_role::device;

    bool operator==(const static_token&) const = default;
};

struct auth_options {
    // false only by an explicit setting: anyone may then claim any ID.
    bool required = true;
    std::vector<static_token> tokens;
    std::string jwt_secret;  // empty: JWTs not accepted
    std::chrono::seconds jwt_leeway{30};
    std::string jwt_audience;  // non-empty: a JWT's `aud` must name it
    std::string jwt_issuer;    // non-empty: a JWT's `iss` must equal it
    // A session registered with a JWT is closed (4001, "token expired") when
    // the token's `exp` plus the leeway passes.
    bool close_on_expiry = true;

    bool operator==(const auth_options&) const = default;
};

class authenticator {
public:
    explicit authenticator(const auth_options& options);

    struct result {
        bool ok = false;
        std::string reason;  // for the client and the log; never holds the credential
        // Unix seconds after which the credential no longer holds (a JWT's
        // `exp` plus the leeway) when close_on_expiry is set; 0: never.
        std::int64_t expires_at = 0;
    };

    // Whether `credential` lets a client register as `id` with `role` at
    // `now` (unix seconds).
    result check(const std::optional<std::string>& credential, std::string_view id,
                 client_role role, std::int64_t now) const;

    bool required() const noexcept { return required_; }

private:
    struct entry {
        secret_digest hash;
        std::string id;
        client_role role;
    };

    bool required_;
    bool close_on_expiry_;
    std::vector<entry> tokens_;
    std::optional<jwt_verifier> jwt_;
};

}  // namespace switchboard
