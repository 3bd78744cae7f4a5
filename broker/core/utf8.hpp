#pragma once
// UTF-8 validation (RFC 3629): what a WebSocket text message must be
// (RFC 6455 §8.1). Rejects overlong forms, surrogates and code points past
// U+10FFFF. No allocation; ASCII runs are checked eight bytes at a time.

#include <string_view>

namespace switchboard {

bool is_valid_utf8(std::string_view text);

}  // namespace switchboard
