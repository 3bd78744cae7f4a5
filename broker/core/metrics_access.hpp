#pragma once
// Who may read /metrics and /stats (the `metrics` config section): any
// address or loopback only, and, when a bearer token is configured, only a
// request that presents it. The token is kept as a digest and compared in
// constant time. Immutable after construction; shared read-only by all
// threads (a reload builds a new one, in gateway's session_settings).

#include <optional>
#include <string>
#include <string_view>

#include "secret_digest.hpp"

namespace switchboard {

struct metrics_options {
    bool loopback_only = false;  // metrics.allow: "any" (default) or "loopback"
    std::string bearer_token;    // metrics.bearer_token or metrics.token_file; empty: none asked

    bool operator==(const metrics_options&) const = default;
};

class metrics_access {
public:
    explicit metrics_access(const metrics_options& options);

    // no_token: a token is configured and the request brings no bearer
    // token; bad_token: it brings another one.
    enum class verdict { allowed, not_loopback, no_token, bad_token };

    // `authorization` is the request's Authorization header, empty when absent.
    verdict check(bool from_loopback, std::string_view authorization) const;

private:
    bool loopback_only_;
    std::optional<secret_digest> token_;
};

}  // namespace switchboard
