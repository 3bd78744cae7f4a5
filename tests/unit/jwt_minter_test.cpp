// What `switchboard token` mints, the verifier accepts; and nothing else.

#include "core/jwt_minter.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/duration_text.hpp"
#include "core/jwt_verifier.hpp"

namespace switchboard {
namespace {

using namespace std::chrono_literals;

const std::string secret = "a-secret-of-at-least-thirty-two-bytes!";
constexpr std::int64_t now = 1'800'000'000;

TEST(JwtMinter, VerifierAcceptsWhatItMints) {
    jwt_verifier verifier(secret, 30s);
    std::string why;
    for (client_role role : {client_role::device, client_role::controller}) {
        std::string token = jwt_minter(secret).mint("pump-12", role, now, 24h);
        auto claims = verifier.verify(token, now + 3600, why);
        ASSERT_TRUE(claims) << why;
        EXPECT_EQ(claims->subject, "pump-12");
        EXPECT_EQ(claims->role, role);
        EXPECT_EQ(claims->expires, now + 24 * 3600);
    }
}

TEST(JwtMinter, AudienceAndIssuerAreClaimedWhenConfigured) {
    jwt_verifier verifier(secret, 30s, "switchboard", "https://auth.example.com");
    std::string why;
    std::string with = jwt_minter(secret).mint("pump-12", client_role::device, now, 1h,
                                               "switchboard", "https://auth.example.com");
    EXPECT_TRUE(verifier.verify(with, now, why)) << why;
    std::string without = jwt_minter(secret).mint("pump-12", client_role::device, now, 1h);
    EXPECT_FALSE(verifier.verify(without, now, why));
}

TEST(JwtMinter, TokenExpiresAfterItsTtl) {
    jwt_verifier verifier(secret, 0s);
    std::string token = jwt_minter(secret).mint("pump-12", client_role::device, now, 60s);
    std::string why;
    EXPECT_TRUE(verifier.verify(token, now + 60, why));
    EXPECT_FALSE(verifier.verify(token, now + 61, why));
    EXPECT_EQ(why, "token expired");
}

TEST(JwtMinter, AnotherSecretDoesNotVerify) {
    jwt_verifier verifier(secret, 30s);
    std::string token = jwt_minter("another-secret-of-at-least-thirty-two-bytes")
                            .mint("a", client_role::device, now, 1h);
    std::string why;
    EXPECT_FALSE(verifier.verify(token, now, why));
    EXPECT_EQ(why, "token signature does not verify");
}

TEST(JwtMinter, ClaimsAreTheDocumentedOnes) {
    std::string token = jwt_minter(secret).mint("ctl-1", client_role::controller, now, 2h);
    auto dot1 = token.find('.');
    auto dot2 = token.find('.', dot1 + 1);
    auto header = nlohmann::json::parse(*jwt_verifier::base64url_decode(token.substr(0, dot1)));
    auto claims = nlohmann::json::parse(
        *jwt_verifier::base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1)));
    EXPECT_EQ(header, (nlohmann::json{{"alg", "HS256"}, {"typ", "JWT"}}));
    EXPECT_EQ(claims,
              (nlohmann::json{
                  {"sub", "ctl-1"}, {"role", "controller"}, {"iat", now}, {"exp", now + 7200}}));
}

TEST(JwtMinter, Base64urlRoundTripsEveryLength) {
    std::string bytes;
    for (int i = 0; i < 40; ++i) {
        bytes.push_back(static_cast<char>(i * 37 + 200));
        std::string encoded = jwt_minter::base64url_encode(bytes);
        EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos) << encoded;
        EXPECT_EQ(jwt_verifier::base64url_decode(encoded), bytes) << i;
    }
    EXPECT_EQ(jwt_minter::base64url_encode("hi"), "aGk");
    EXPECT_EQ(jwt_minter::base64url_encode(std::string("\xfb\xff", 2)), "-_8");
}

TEST(DurationText, UnitsPeopleType) {
    std::chrono::milliseconds d{};
    EXPECT_TRUE(parse_duration("24h", d));
    EXPECT_EQ(d, 24h);
    EXPECT_TRUE(parse_duration("7d", d));
    EXPECT_EQ(d, 7 * 24h);
    EXPECT_TRUE(parse_duration("30m", d));
    EXPECT_EQ(d, 30min);
    EXPECT_TRUE(parse_duration("90", d));
    EXPECT_EQ(d, 90s);
    EXPECT_TRUE(parse_duration("250ms", d));
    EXPECT_EQ(d, 250ms);
    for (const char* bad : {"", "h", "-1h", "1y", "24 h", "1e300d", "nan", "inf"}) {
        EXPECT_FALSE(parse_duration(bad, d)) << bad;
    }
}

}  // namespace
}  // namespace switchboard
