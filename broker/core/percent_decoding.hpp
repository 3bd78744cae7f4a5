#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard {

// How '+' reads: a space in a query string (application/x-www-form-urlencoded),
// itself in a path.
enum class plus_sign { space, literal };

// `in` with every %XX replaced by its byte, decoded once (RFC 3986 §2.1).
// Nothing when a '%' is not followed by two hex digits: a malformed escape is
// refused, never passed through, so no caller sees the same text two ways.
std::optional<std::string> percent_decode(std::string_view in, plus_sign plus);

}  // namespace switchboard
