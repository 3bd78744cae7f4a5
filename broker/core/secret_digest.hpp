#pragma once
// Secrets compared without leaking their content or length through timing:
// both sides are hashed to fixed-size SHA-256 digests, and digests are
// compared in constant time. Used for registration tokens and the /metrics
// bearer token.

#include <array>
#include <string_view>

namespace switchboard {

using secret_digest = std::array<unsigned char, 32>;

secret_digest digest_of(std::string_view secret) noexcept;

// Constant time.
bool same_digest(const secret_digest& a, const secret_digest& b) noexcept;

}  // namespace switchboard
