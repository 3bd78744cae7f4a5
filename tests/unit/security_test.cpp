// Authentication, authorisation, origins and the per-connection limits of
// switchboard::core: no sockets, no clock (time is passed in).

#include <gtest/gtest.h>

#include "core/access_rules.hpp"
#include "core/authenticator.hpp"
#include "core/connection_limiter.hpp"
#include "core/id_rules.hpp"
#include "core/jwt_verifier.hpp"
#include "core/origin_policy.hpp"
#include "core/rate_limiter.hpp"
#include "jwt_maker.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {
const std::string secret = "0123456789abcdef0123456789abcdef-test-secret";
constexpr std::int64_t now = 1'800'000'000;

json claims(const std::string& sub, const std::string& role, std::int64_t exp = now + 60) {
    return {{"sub", sub}, {"role", role}, {"exp", exp}};
}

authenticator jwt_auth() {
    auth_options o;
    o.jwt_secret = secret;
    o.jwt_leeway = 5s;
    return authenticator(o);
}
}  // namespace

TEST(Glob, StarsQuestionMarksAndLiterals) {
    EXPECT_TRUE(glob_matches("*", ""));
    EXPECT_TRUE(glob_matches("*", "pump-12"));
    EXPECT_TRUE(glob_matches("pump-*", "pump-12"));
    EXPECT_FALSE(glob_matches("pump-*", "xpump-12"));
    EXPECT_TRUE(glob_matches("plant-?:pump-*", "plant-3:pump-12"));
    EXPECT_FALSE(glob_matches("plant-?:pump-*", "plant-33:pump-12"));
    EXPECT_TRUE(glob_matches("*-12", "pump-12"));
    EXPECT_TRUE(glob_matches("a*b*c", "aXXbYYc"));
    EXPECT_FALSE(glob_matches("a*b*c", "aXXbYY"));
    EXPECT_FALSE(glob_matches("pump-12", "pump-123"));
    // Found by the id fuzzer: a `*` in the text was matched as a literal.
    EXPECT_TRUE(glob_matches("*", "**x"));
    EXPECT_TRUE(glob_matches("a*", "a*b"));
    // A hostile pattern finishes quickly (no exponential backtracking).
    EXPECT_FALSE(glob_matches(std::string(60, '*') + "b", std::string(4096, 'a')));
}

TEST(Jwt, ValidTokenGivesItsClaims) {
    jwt_verifier v(secret, 5s);
    std::string why;
    auto c = v.verify(make_jwt(secret, claims("pump-12", "device")), now, why);
    ASSERT_TRUE(c) << why;
    EXPECT_EQ(c->subject, "pump-12");
    EXPECT_EQ(c->role, client_role::device);
}

TEST(Jwt, AudienceAndIssuerAreCheckedWhenConfigured) {
    jwt_verifier v(secret, 5s, "switchboard", "https://idp.example.com");
    auto with = [](json extra) {
        json c = claims("pump-12", "device");
        c.update(extra);
        return make_jwt(secret, c);
    };
    std::string why;
    EXPECT_TRUE(
        v.verify(with({{"aud", "switchboard"}, {"iss", "https://idp.example.com"}}), now, why))
        << why;
    EXPECT_TRUE(v.verify(
        with({{"aud", {"other", "switchboard"}}, {"iss", "https://idp.example.com"}}), now, why))
        << why;
    EXPECT_FALSE(v.verify(with({{"iss", "https://idp.example.com"}}), now, why));
    EXPECT_EQ(why, "token is not for this audience");
    EXPECT_FALSE(v.verify(with({{"aud", "other"}, {"iss", "https://idp.example.com"}}), now, why));
    EXPECT_FALSE(
        v.verify(with({{"aud", {"other"}}, {"iss", "https://idp.example.com"}}), now, why));
    EXPECT_FALSE(v.verify(with({{"aud", 7}, {"iss", "https://idp.example.com"}}), now, why));
    EXPECT_FALSE(v.verify(with({{"aud", "switchboard"}}), now, why));
    EXPECT_EQ(why, "token is not from the expected issuer");
    EXPECT_FALSE(
        v.verify(with({{"aud", "switchboard"}, {"iss", "https://evil.example.com"}}), now, why));
    EXPECT_FALSE(v.verify(with({{"aud", "switchboard"}, {"iss", 1}}), now, why));
    // Not configured: not checked.
    jwt_verifier plain(secret, 5s);
    EXPECT_TRUE(plain.verify(with({{"aud", "anything"}, {"iss", "anyone"}}), now, why)) << why;
}

TEST(Authenticator, AJwtSessionLapsesAtExpPlusLeewayUnlessConfiguredOtherwise) {
    auth_options o;
    o.jwt_secret = secret;
    o.jwt_leeway = 5s;
    o.tokens = {{"static-token-0123456789", "pump-*", client_role::device}};
    authenticator a(o);
    auto r = a.check(make_jwt(secret, claims("pump-1", "device", now + 60)), "pump-1",
                     client_role::device, now);
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.expires_at, now + 65);
    // Static tokens do not expire.
    EXPECT_EQ(a.check("static-token-0123456789", "pump-1", client_role::device, now).expires_at, 0);
    o.close_on_expiry = false;
    authenticator lasting(o);
    EXPECT_EQ(lasting
                  .check(make_jwt(secret, claims("pump-1", "device", now + 60)), "pump-1",
                         client_role::device, now)
                  .expires_at,
              0);
}

TEST(Jwt, ExpiredTokenIsRefusedButLeewayIsHonoured) {
    jwt_verifier v(secret, 5s);
    std::string why;
    EXPECT_TRUE(v.verify(make_jwt(secret, claims("a", "device", now - 4)), now, why));
    EXPECT_FALSE(v.verify(make_jwt(secret, claims("a", "device", now - 6)), now, why));
    EXPECT_EQ(why, "token expired");
}

TEST(Jwt, NotBeforeInTheFutureIsRefused) {
    jwt_verifier v(secret, 5s);
    std::string why;
    json c = claims("a", "device");
    c["nbf"] = now + 60;
    EXPECT_FALSE(v.verify(make_jwt(secret, c), now, why));
    EXPECT_EQ(why, "token not yet valid");
    c["nbf"] = now + 3;
    EXPECT_TRUE(v.verify(make_jwt(secret, c), now, why));
    c["nbf"] = "soon";
    EXPECT_FALSE(v.verify(make_jwt(secret, c), now, why));
}

TEST(Jwt, ForgedTokensAreRefused) {
    jwt_verifier v(secret, 5s);
    std::string why;
    // Signed with another secret.
    EXPECT_FALSE(
        v.verify(make_jwt("another secret entirely, 32 bytes+", claims("a", "device")), now, why));
    EXPECT_EQ(why, "token signature does not verify");
    // Claims changed after signing.
    std::string good = make_jwt(secret, claims("a", "device"));
    std::string evil = make_jwt(secret, claims("b", "controller"));
    std::string spliced = good.substr(0, good.find('.')) +
                          evil.substr(evil.find('.'), evil.rfind('.') - evil.find('.')) +
                          good.substr(good.rfind('.'));
    EXPECT_FALSE(v.verify(spliced, now, why));
    // alg none, with and without a signature; other algorithms; no alg.
    std::string none =
        base64url(R"({"alg":"none"})") + "." + base64url(claims("a", "device").dump());
    EXPECT_FALSE(v.verify(none + ".", now, why));
    EXPECT_EQ(why, "token algorithm must be HS256");
    EXPECT_FALSE(v.verify(none, now, why));
    EXPECT_FALSE(v.verify(make_jwt(secret, claims("a", "device"), {{"alg", "HS512"}}), now, why));
    EXPECT_FALSE(v.verify(make_jwt(secret, claims("a", "device"), {{"alg", "hs256"}}), now, why));
    EXPECT_FALSE(v.verify(make_jwt(secret, claims("a", "device"), json::object()), now, why));
    // Truncated signature, padding, junk.
    EXPECT_FALSE(v.verify(good.substr(0, good.size() - 2), now, why));
    EXPECT_FALSE(v.verify(good + "=", now, why));
    for (const char* junk : {"", ".", "..", "a.b.c", "a.b", "a.b.c.d", "!!!.###.$$$"}) {
        EXPECT_FALSE(v.verify(junk, now, why)) << junk;
    }
    EXPECT_FALSE(v.verify(std::string(5000, 'a'), now, why));
}

TEST(Jwt, MissingOrBadClaimsAreRefused) {
    jwt_verifier v(secret, 5s);
    std::string why;
    EXPECT_FALSE(v.verify(make_jwt(secret, {{"sub", "a"}, {"role", "device"}}), now, why));
    EXPECT_EQ(why, "token lacks exp");
    EXPECT_FALSE(v.verify(make_jwt(secret, {{"role", "device"}, {"exp", now + 9}}), now, why));
    EXPECT_FALSE(v.verify(make_jwt(secret, claims("a", "admin")), now, why));
    EXPECT_FALSE(
        v.verify(make_jwt(secret, {{"sub", 5}, {"role", "device"}, {"exp", now + 9}}), now, why));
    EXPECT_FALSE(v.verify(make_jwt(secret, json::array()), now, why));
}

TEST(Jwt, Base64urlDecodesAndRefusesOtherAlphabets) {
    EXPECT_EQ(jwt_verifier::base64url_decode("aGk"), "hi");
    EXPECT_EQ(jwt_verifier::base64url_decode(""), "");
    EXPECT_EQ(jwt_verifier::base64url_decode("-_8"), std::string("\xfb\xff", 2));
    EXPECT_FALSE(jwt_verifier::base64url_decode("aGk="));
    EXPECT_FALSE(jwt_verifier::base64url_decode("+/8"));
    EXPECT_FALSE(jwt_verifier::base64url_decode("a"));
    EXPECT_FALSE(jwt_verifier::base64url_decode("aGl"));  // non-zero leftover bits
}

TEST(Authenticator, JwtMustNameTheRegisteringIdAndRole) {
    auto a = jwt_auth();
    auto token = make_jwt(secret, claims("pump-12", "device"));
    EXPECT_TRUE(a.check(token, "pump-12", client_role::device, now).ok);
    EXPECT_FALSE(a.check(token, "pump-13", client_role::device, now).ok);
    EXPECT_FALSE(a.check(token, "pump-12", client_role::controller, now).ok);
    EXPECT_FALSE(a.check(std::nullopt, "pump-12", client_role::device, now).ok);
    EXPECT_FALSE(a.check(std::string(), "pump-12", client_role::device, now).ok);
    auto expired = a.check(make_jwt(secret, claims("pump-12", "device", now - 60)), "pump-12",
                           client_role::device, now);
    EXPECT_FALSE(expired.ok);
    EXPECT_EQ(expired.reason.find(token), std::string::npos);
}

TEST(Authenticator, StaticTokensBindAnIdGlobAndARole) {
    auth_options o;
    o.tokens = {{"device-token-0123456789", "pump-*", client_role::device},
                {"dash-token-0123456789ab", "dash-1", client_role::controller}};
    authenticator a(o);
    EXPECT_TRUE(a.check("device-token-0123456789", "pump-7", client_role::device, now).ok);
    EXPECT_FALSE(a.check("device-token-0123456789", "valve-7", client_role::device, now).ok);
    EXPECT_FALSE(a.check("device-token-0123456789", "pump-7", client_role::controller, now).ok);
    EXPECT_TRUE(a.check("dash-token-0123456789ab", "dash-1", client_role::controller, now).ok);
    EXPECT_FALSE(a.check("dash-token-0123456789a", "dash-1", client_role::controller, now).ok);
    EXPECT_FALSE(a.check("dash-token-0123456789abc", "dash-1", client_role::controller, now).ok);
    // A JWT is no use when no secret is configured.
    EXPECT_FALSE(
        a.check(make_jwt(secret, claims("pump-7", "device")), "pump-7", client_role::device, now)
            .ok);
}

TEST(Authenticator, DisabledLetsAnyoneIn) {
    auth_options o;
    o.required = false;
    authenticator a(o);
    EXPECT_FALSE(a.required());
    EXPECT_TRUE(a.check(std::nullopt, "anyone", client_role::controller, now).ok);
}

TEST(AccessRules, DefaultsLetControllersCommandDevicesOnly) {
    access_rules acl;
    client_record dash{.id = "dash", .role = client_role::controller};
    client_record pump{.id = "pump", .role = client_role::device};
    EXPECT_TRUE(acl.allows(access_action::command, dash, "pump", client_role::device, "go"));
    EXPECT_FALSE(acl.allows(access_action::command, dash, "dash-2", client_role::controller, "go"));
    EXPECT_FALSE(acl.allows(access_action::command, pump, "pump-2", client_role::device, "go"));
    EXPECT_FALSE(acl.allows(access_action::command, pump, "dash", client_role::controller, "go"));
    EXPECT_TRUE(acl.allows(access_action::message, pump, "dash", client_role::controller, {}));
    EXPECT_TRUE(acl.allows(access_action::message, dash, "pump", client_role::device, {}));
    EXPECT_TRUE(acl.allows(access_action::message, dash, "dash-2", client_role::controller, {}));
    EXPECT_FALSE(acl.allows(access_action::message, pump, "pump-2", client_role::device, {}));
}

TEST(AccessRules, FirstMatchingRuleDecidesPerIdRoleAndCommandName) {
    access_options o;
    o.builtin_defaults = false;
    o.rules = {
        {.allow = false,
         .action = access_action::command,
         .from = "*",
         .to = "*",
         .names = {"reboot"}},
        {.allow = true,
         .action = access_action::command,
         .from = "ops-*",
         .from_role = client_role::controller,
         .to = "plant-1:*",
         .to_role = client_role::device},
        {.allow = true, .action = access_action::message, .from = "*", .to = "ops-*"},
    };
    access_rules acl(o);
    client_record ops{.id = "ops-anna", .role = client_role::controller};
    client_record guest{.id = "guest", .role = client_role::controller};
    client_record pump{.id = "plant-1:pump", .role = client_role::device};
    EXPECT_TRUE(
        acl.allows(access_action::command, ops, "plant-1:pump", client_role::device, "set"));
    EXPECT_FALSE(
        acl.allows(access_action::command, ops, "plant-1:pump", client_role::device, "reboot"));
    EXPECT_FALSE(
        acl.allows(access_action::command, ops, "plant-2:pump", client_role::device, "set"));
    EXPECT_FALSE(
        acl.allows(access_action::command, guest, "plant-1:pump", client_role::device, "set"));
    EXPECT_TRUE(acl.allows(access_action::message, pump, "ops-anna", client_role::controller, {}));
    EXPECT_FALSE(acl.allows(access_action::message, pump, "guest", client_role::controller, {}));
}

TEST(OriginPolicy, EmptyListMeansSameHostOnly) {
    origin_policy p({.server_names = {"gw.example.com"}});
    std::string same = "http://gw.example.com:8080";
    EXPECT_TRUE(p.allows(&same, "gw.example.com:8080"));
    EXPECT_TRUE(p.allows(nullptr, "gw.example.com:8080"));
    std::string upper = "HTTP://GW.example.com:8080";
    EXPECT_TRUE(p.allows(&upper, "gw.example.com:8080"));
    for (std::string o :
         {"http://gw.example.com:8081", "http://gw.example.com",
          "http://gw.example.com.evil.io:8080", "http://evil.gw.example.com:8080", "null", "",
          "file://gw.example.com:8080", "ws://gw.example.com:8080", "http://gw.example.com:8080/",
          "http://user@gw.example.com:8080", "http://gw.example.com:8080.evil.io"}) {
        EXPECT_FALSE(p.allows(&o, "gw.example.com:8080")) << o;
    }
}

TEST(OriginPolicy, ListedOriginsOnlyAndMissingCanBeRefused) {
    origin_policy p({.allowed = {"https://ops.example.com"}, .allow_missing = false});
    std::string ok = "https://ops.example.com", port = "https://ops.example.com:444",
                http = "http://ops.example.com", suffix = "https://ops.example.com.evil",
                prefix = "https://evilops.example.com";
    EXPECT_TRUE(p.allows(&ok, "gw:1"));
    EXPECT_FALSE(p.allows(nullptr, "gw:1"));
    for (auto* o : {&port, &http, &suffix, &prefix}) EXPECT_FALSE(p.allows(o, "gw:1")) << *o;
}

TEST(OriginPolicy, SameHostMustAlsoBeANameTheGatewayAnswersTo) {
    origin_policy p({.server_names = {"gw.example.com", "10.1.2.3", "fd00::5"},
                     .listen_address = "192.168.7.7"});
    auto same_host = [&](const std::string& host, std::string_view local = {}) {
        std::string origin = "http://" + host;
        return p.allows(&origin, host, local);
    };
    for (std::string host : {"localhost", "localhost:8080", "LOCALHOST.:8080", "127.0.0.1:8080",
                             "127.9.9.9", "[::1]:8080", "[::1]", "[0:0:0:0:0:0:0:1]:80",
                             "[::ffff:127.0.0.1]:80", "gw.example.com:8080", "GW.example.com",
                             "10.1.2.3:1", "[fd00::5]:443", "192.168.7.7:8080"}) {
        EXPECT_TRUE(same_host(host)) << host;
    }
    // DNS rebinding: the attacker's name resolves to us, Origin matches Host.
    for (std::string host :
         {"rebind.attacker.example", "rebind.attacker.example:8080", "gw.example.com.evil",
          "evil.gw.example.com", "10.1.2.4", "[::2]:80", "[fd00::5", "[fd00::5]x", "[gw]:80",
          "127.0.0.1.nip.io:8080", "0.0.0.0:8080"}) {
        EXPECT_FALSE(same_host(host)) << host;
    }
    // The address the connection arrived on is one the gateway answers to.
    EXPECT_TRUE(same_host("172.16.0.9:8080", "172.16.0.9"));
    EXPECT_FALSE(same_host("rebind.attacker.example:8080", "172.16.0.9"));
    // Devices send no Origin: Host is not theirs to get right.
    EXPECT_TRUE(p.allows(nullptr, "rebind.attacker.example"));
}

TEST(OriginPolicy, HostNamesLoseTheirPortBracketsAndCase) {
    EXPECT_EQ(origin_policy::host_name("Example.COM:80"), "example.com");
    EXPECT_EQ(origin_policy::host_name("example.com."), "example.com");
    EXPECT_EQ(origin_policy::host_name("[::1]:8080"), "::1");
    EXPECT_EQ(origin_policy::host_name("[::1]"), "::1");
    EXPECT_EQ(origin_policy::host_name("::1"), "::1");
    EXPECT_EQ(origin_policy::host_name(""), "");
    EXPECT_EQ(origin_policy::host_name("[::1"), "");
    EXPECT_EQ(origin_policy::host_name("a b"), "");
    EXPECT_EQ(origin_policy::host_name("[x]"), "");
    EXPECT_TRUE(origin_policy::is_loopback("127.0.0.1"));
    EXPECT_TRUE(origin_policy::is_loopback("::1"));
    EXPECT_TRUE(origin_policy::is_loopback("localhost"));
    EXPECT_FALSE(origin_policy::is_loopback("128.0.0.1"));
    EXPECT_FALSE(origin_policy::is_loopback("::2"));
    EXPECT_FALSE(origin_policy::is_loopback("localhost.evil.example"));
    EXPECT_TRUE(origin_policy::is_valid_server_name("gw.example.com"));
    EXPECT_TRUE(origin_policy::is_valid_server_name("::1"));
    EXPECT_FALSE(origin_policy::is_valid_server_name("gw.example.com:8080"));
    EXPECT_FALSE(origin_policy::is_valid_server_name(""));
    EXPECT_FALSE(origin_policy::is_valid_server_name("*.example.com"));
}

TEST(RateLimiter, BurstThenRateThenCloseWhenItPersists) {
    auto t = std::chrono::steady_clock::time_point{} + 1h;
    rate_limiter r({.frames_per_second = 10, .burst = 5, .close_after = 3}, t);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(r.on_frame(t), rate_limiter::verdict::pass);
    EXPECT_EQ(r.on_frame(t), rate_limiter::verdict::refuse);
    t += 100ms;  // one token back
    EXPECT_EQ(r.on_frame(t), rate_limiter::verdict::pass);
    EXPECT_EQ(r.on_frame(t), rate_limiter::verdict::refuse);
    EXPECT_EQ(r.on_frame(t), rate_limiter::verdict::refuse);
    EXPECT_EQ(r.on_frame(t), rate_limiter::verdict::close);
}

TEST(RateLimiter, OccasionalRefusalsSpreadOverTimeDoNotClose) {
    auto t = std::chrono::steady_clock::time_point{} + 1h;
    rate_limiter r({.frames_per_second = 10, .burst = 1, .close_after = 3}, t);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(r.on_frame(t), rate_limiter::verdict::pass);
        EXPECT_EQ(r.on_frame(t), rate_limiter::verdict::refuse);
        t += 1100ms;
    }
}

TEST(RateLimiter, ZeroRateIsUnlimited) {
    auto t = std::chrono::steady_clock::time_point{};
    rate_limiter r({.frames_per_second = 0, .burst = 1, .close_after = 1}, t);
    for (int i = 0; i < 10000; ++i) ASSERT_EQ(r.on_frame(t), rate_limiter::verdict::pass);
}

TEST(ConnectionLimiter, AnIpv6Slash64CountsAsOneAddress) {
    EXPECT_EQ(connection_limiter::address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    EXPECT_EQ(connection_limiter::address_key("2001:DB8:1:2:ffff:ffff:ffff:ffff"),
              "2001:db8:1:2::/64");
    EXPECT_EQ(connection_limiter::address_key("::ffff:10.0.0.1"), "10.0.0.1");
    EXPECT_EQ(connection_limiter::address_key("10.0.0.1"), "10.0.0.1");
    EXPECT_EQ(connection_limiter::address_key("::1"), "::/64");

    connection_limiter l(0, 2);
    connection_limiter::slot a, b, c, d, e;
    EXPECT_EQ(l.try_acquire("2001:db8:1:2::1", a), connection_limiter::refusal::none);
    EXPECT_EQ(l.try_acquire("2001:db8:1:2:dead:beef:0:7", b), connection_limiter::refusal::none);
    // A third address of the same /64 is the same host.
    EXPECT_EQ(l.try_acquire("2001:db8:1:2:ffff::9", c), connection_limiter::refusal::per_address);
    EXPECT_EQ(l.try_acquire("2001:db8:1:3::1", d), connection_limiter::refusal::none);
    a = connection_limiter::slot{};
    EXPECT_EQ(l.try_acquire("2001:db8:1:2:ffff::9", e), connection_limiter::refusal::none);
}

// A reload: new caps for connections accepted from now on; open ones stay.
TEST(ConnectionLimiter, NewCapsApplyToNewConnectionsOnly) {
    connection_limiter l(0, 2);
    connection_limiter::slot a1, a2, a3, b1;
    EXPECT_EQ(l.try_acquire("10.0.0.1", a1), connection_limiter::refusal::none);
    EXPECT_EQ(l.try_acquire("10.0.0.1", a2), connection_limiter::refusal::none);
    l.set_caps(2, 1);
    EXPECT_EQ(l.open(), 2u);
    EXPECT_EQ(l.try_acquire("10.0.0.2", b1), connection_limiter::refusal::total);
    a1 = connection_limiter::slot{};
    EXPECT_EQ(l.try_acquire("10.0.0.1", a3), connection_limiter::refusal::per_address);
    EXPECT_EQ(l.try_acquire("10.0.0.2", b1), connection_limiter::refusal::none);
    l.set_caps(0, 0);
    EXPECT_EQ(l.try_acquire("10.0.0.1", a3), connection_limiter::refusal::none);
}

TEST(ConnectionLimiter, CapsTotalAndPerAddressAndReleasesOnDestruction) {
    connection_limiter l(3, 2);
    connection_limiter::slot a1, a2, a3, b1, c1;
    EXPECT_EQ(l.try_acquire("10.0.0.1", a1), connection_limiter::refusal::none);
    EXPECT_EQ(l.try_acquire("10.0.0.1", a2), connection_limiter::refusal::none);
    EXPECT_EQ(l.try_acquire("10.0.0.1", a3), connection_limiter::refusal::per_address);
    EXPECT_EQ(l.try_acquire("10.0.0.2", b1), connection_limiter::refusal::none);
    EXPECT_EQ(l.try_acquire("10.0.0.3", c1), connection_limiter::refusal::total);
    EXPECT_EQ(l.open(), 3u);
    a1 = connection_limiter::slot{};
    EXPECT_EQ(l.open(), 2u);
    EXPECT_EQ(l.try_acquire("10.0.0.1", a3), connection_limiter::refusal::none);
    {
        connection_limiter::slot moved = std::move(a3);
        EXPECT_EQ(l.open(), 3u);
    }
    EXPECT_EQ(l.open(), 2u);
}
