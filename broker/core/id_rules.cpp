#include "id_rules.hpp"

namespace switchboard {
namespace {

constexpr bool is_id_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '@' || c == '-';
}

bool all_id_chars(std::string_view s) noexcept {
    for (char c : s) {
        if (!is_id_char(c)) return false;
    }
    return true;
}

}  // namespace

std::string default_node_name(std::string_view host, std::uint16_t port) {
    const std::string suffix = ":" + std::to_string(port);
    std::string name(host.empty() ? std::string_view("switchboard")
                                  : host.substr(0, max_id_bytes - suffix.size()));
    for (char& c : name) {
        if (!is_id_char(c)) c = '-';
    }
    return name + suffix;
}

bool is_valid_id(std::string_view id) noexcept {
    return !id.empty() && id.size() <= max_id_bytes && all_id_chars(id);
}

bool is_valid_name_glob(std::string_view glob) noexcept {
    if (glob.empty() || glob.size() > 2 * max_id_bytes) return false;
    for (char c : glob) {
        if (!is_id_char(c) && c != '*' && c != '?') return false;
    }
    return true;
}

bool is_valid_id_pattern(std::string_view pattern) noexcept {
    if (!pattern.empty() && pattern.back() == '*') {
        pattern.remove_suffix(1);
        return pattern.size() < max_id_bytes && all_id_chars(pattern);
    }
    return is_valid_id(pattern);
}

bool is_valid_topic_prefix(std::string_view prefix) noexcept {
    if (prefix.empty() || prefix.size() > 64 || prefix.front() == '$') return false;
    if (prefix.front() == '/' || prefix.back() == '/') return false;
    char previous = 0;
    for (char c : prefix) {
        if (c == '+' || c == '#' || c == '\0' || static_cast<unsigned char>(c) < 0x20) return false;
        if (c == '/' && previous == '/') return false;
        previous = c;
    }
    return true;
}

bool pattern_matches(std::string_view pattern, std::string_view id) noexcept {
    if (!pattern.empty() && pattern.back() == '*') {
        pattern.remove_suffix(1);
        return id.starts_with(pattern);
    }
    return pattern == id;
}

bool glob_matches(std::string_view pattern, std::string_view text) noexcept {
    // Greedy match that remembers the last `*` and retries from one byte
    // further on a mismatch: the classic two-pointer wildcard walk.
    std::size_t p = 0, t = 0;
    std::size_t star = std::string_view::npos, resume = 0;
    while (t < text.size()) {
        // `*` first: a literal `*` in the text must not be taken as matching it.
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace switchboard
