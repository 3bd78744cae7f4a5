// The simulator's JWTs are the ones the gateway's verifier accepts.

#include "client/jwt_signer.hpp"

#include <gtest/gtest.h>

#include "core/jwt_verifier.hpp"

using namespace switchboard;
using switchboard::client::jwt_signer;

TEST(JwtSigner, TheGatewaysVerifierAcceptsWhatItMints) {
    const std::string secret = "a-secret-of-at-least-32-bytes-0123456789";
    jwt_signer signer(secret, std::chrono::seconds(600));
    std::int64_t now = 1'800'000'000;
    auto token = signer.mint("pump-\"7\"", client_role::controller, now);

    jwt_verifier verifier(secret, std::chrono::seconds(0));
    std::string why;
    auto claims = verifier.verify(token, now + 10, why);
    ASSERT_TRUE(claims) << why;
    EXPECT_EQ(claims->subject, "pump-\"7\"");
    EXPECT_EQ(claims->role, client_role::controller);
    EXPECT_EQ(claims->expires, now + 600);

    EXPECT_FALSE(verifier.verify(token, now + 601, why)) << "expired";
    jwt_verifier other("another-secret-of-at-least-32-bytes-012345", std::chrono::seconds(0));
    EXPECT_FALSE(other.verify(token, now, why)) << "signed with another secret";
}
