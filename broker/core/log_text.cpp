#include "log_text.hpp"

#include "utf8.hpp"

namespace switchboard {

std::string log_safe(std::string_view text, std::size_t max_bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    std::size_t kept = std::min(text.size(), max_bytes);
    out.reserve(kept + 16);
    auto p = reinterpret_cast<const unsigned char*>(text.data());
    auto end = p + kept;
    while (p < end) {
        unsigned char c = *p;
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            out.push_back(static_cast<char>(c));
            ++p;
            continue;
        }
        if (c == '\\') {
            out += "\\\\";
            ++p;
            continue;
        }
        if (c >= 0x80) {
            if (int n = utf8_sequence_length(p, end); n > 0) {
                out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
                p += n;
                continue;
            }
        }
        out += "\\x";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xF]);
        ++p;
    }
    if (text.size() > kept) out += "...(+" + std::to_string(text.size() - kept) + " bytes)";
    return out;
}

log_limiter::log_limiter(double lines_per_second, double burst)
    : rate_(lines_per_second), burst_(burst) {}

bool log_limiter::admit(std::string_view reason, std::uint64_t& suppressed, time_point now) {
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(reason);
    if (it == buckets_.end()) {
        it = buckets_.emplace(std::string(reason), bucket{token_bucket(rate_, burst_, now), 0})
                 .first;
    }
    bucket& b = it->second;
    if (!b.tokens.take(now)) {
        ++b.suppressed;
        return false;
    }
    suppressed = b.suppressed;
    b.suppressed = 0;
    return true;
}

std::string suppressed_note(std::uint64_t suppressed) {
    if (suppressed == 0) return {};
    return " (" + std::to_string(suppressed) + " similar lines suppressed)";
}

}  // namespace switchboard
