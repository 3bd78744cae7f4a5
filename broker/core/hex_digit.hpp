#pragma once
// One hexadecimal digit's value, for every parser that reads hex (JSON's
// \uXXXX, percent escapes, traceparent flags, TLS key log lines).

namespace switchboard {

// 0-15 for 0-9, a-f and A-F; -1 for anything else.
constexpr int hex_digit_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace switchboard
