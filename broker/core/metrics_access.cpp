#include "metrics_access.hpp"

#include "upgrade_credentials.hpp"

namespace switchboard {

metrics_access::metrics_access(const metrics_options& options)
    : loopback_only_(options.loopback_only) {
    if (!options.bearer_token.empty()) token_ = digest_of(options.bearer_token);
}

metrics_access::verdict metrics_access::check(bool from_loopback,
                                              std::string_view authorization) const {
    if (loopback_only_ && !from_loopback) return verdict::not_loopback;
    if (!token_) return verdict::allowed;
    auto presented = bearer_token(authorization);
    if (!presented) return verdict::no_token;
    if (!same_digest(*token_, digest_of(*presented))) return verdict::bad_token;
    return verdict::allowed;
}

}  // namespace switchboard
