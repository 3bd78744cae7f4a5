#include "authenticator.hpp"

#include "id_rules.hpp"

namespace switchboard {

authenticator::authenticator(const auth_options& options)
    : required_(options.required), close_on_expiry_(options.close_on_expiry) {
    for (const auto& t : options.tokens) tokens_.push_back({digest_of(t.token), t.id, t.role});
    if (!options.jwt_secret.empty()) {
        jwt_.emplace(options.jwt_secret, options.jwt_leeway, options.jwt_audience,
                     options.jwt_issuer);
    }
}

authenticator::result authenticator::check(const std::optional<std::string>& credential,
                                           std::string_view id, client_role role,
                                           std::int64_t now) const {
    if (!required_) return {true, {}};
    if (!credential || credential->empty()) return {false, "credentials required"};
    if (credential->size() > jwt_verifier::max_token_bytes) return {false, "invalid token"};

    // Every entry is compared, match or not, so timing says nothing about
    // which (or whether one) matched.
    secret_digest presented = digest_of(*credential);
    const entry* match = nullptr;
    for (const auto& e : tokens_) {
        bool same = same_digest(e.hash, presented);
        if (same && match == nullptr) match = &e;
    }
    if (match != nullptr) {
        if (match->role != role) return {false, "token is not valid for this role"};
        if (!glob_matches(match->id, id)) return {false, "token is not valid for this ID"};
        return {true, {}};
    }
    if (!jwt_) return {false, "invalid token"};
    std::string why;
    auto claims = jwt_->verify(*credential, now, why);
    if (!claims) return {false, why};
    if (claims->role != role) return {false, "token is not valid for this role"};
    if (claims->subject != id) return {false, "token is not valid for this ID"};
    return {true, {}, close_on_expiry_ ? claims->expires + jwt_->leeway_seconds() : 0};
}

}  // namespace switchboard
