#pragma once
// UTF-8 validation (RFC 3629): what a WebSocket text message must be
// (RFC 6455 §8.1). Rejects overlong forms, surrogates and code points past
// U+10FFFF. No allocation; ASCII runs are checked eight bytes at a time.

#include <string_view>

namespace switchboard {

bool is_valid_utf8(std::string_view text);

// The length of the one well-formed UTF-8 sequence that starts at `p`
// (1 to 4 bytes), or 0 when none does before `end`. For scanners that meet
// non-ASCII bytes one character at a time.
int utf8_sequence_length(const unsigned char* p, const unsigned char* end) noexcept;

}  // namespace switchboard
