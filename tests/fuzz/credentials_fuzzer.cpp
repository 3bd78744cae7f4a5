// libFuzzer target: everything that reads a client's credentials or Origin
// before it is authenticated: the JWT verifier (base64url, JSON, HMAC),
// static-token lookup, the Authorization and ?token= parsers, the Origin
// policy and the /metrics bearer check (oracle: only the configured token
// is let in).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/authenticator.hpp"
#include "core/jwt_verifier.hpp"
#include "core/metrics_access.hpp"
#include "core/origin_policy.hpp"
#include "core/upgrade_credentials.hpp"

using namespace switchboard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const authenticator auth([] {
        auth_options o;
        o.tokens = {{"static-token-0123456789", "pump-*", client_role::device}};
        o.jwt_secret = "fuzz-secret-0123456789abcdef-0123456789";
        return o;
    }());
    static const origin_policy same_host({});
    static const origin_policy listed(
        {.allowed = {"https://ops.example.com"}, .allow_missing = false});

    static const metrics_access scrape(metrics_options{.bearer_token = "scrape-token-0123456789"});

    std::string text(reinterpret_cast<const char*>(data), size);
    auth.check(text, "pump-1", client_role::device, 1'800'000'000);
    jwt_verifier::base64url_decode(text);
    bearer_token(text);
    query_token(text);
    same_host.allows(&text, "gw.example.com:8080");
    listed.allows(&text, "gw.example.com:8080");
    origin_policy::is_well_formed(text);
    if (scrape.check(true, text) == metrics_access::verdict::allowed) {
        auto presented = bearer_token(text);
        if (!presented || *presented != "scrape-token-0123456789") std::abort();
    }
    return 0;
}
