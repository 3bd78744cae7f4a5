#pragma once
// Builds HS256 JWTs for tests (valid, expired, forged, other algorithms) with
// core's jwt_minter, so the verifier is checked against tokens made here
// rather than captured ones.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/jwt_minter.hpp"

namespace switchboard::test {

inline std::string base64url(std::string_view in) { return jwt_minter::base64url_encode(in); }

inline std::string make_jwt(std::string_view secret, const nlohmann::json& claims,
                            const nlohmann::json& header = {{"alg", "HS256"}, {"typ", "JWT"}}) {
    return jwt_minter(std::string(secret)).sign(header.dump(), claims.dump());
}

}  // namespace switchboard::test
