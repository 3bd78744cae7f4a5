#include "frame_view.hpp"

#include <nlohmann/json.hpp>

namespace switchboard::client {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void skip_space(std::string_view s, std::size_t& i) {
    while (i < s.size() && is_space(s[i])) ++i;
}

// At an opening quote; leaves `i` after the closing one.
bool skip_string(std::string_view s, std::size_t& i) {
    ++i;
    while (i < s.size()) {
        char c = s[i++];
        if (c == '\\') {
            ++i;
        } else if (c == '"') {
            return true;
        }
    }
    return false;
}

bool skip_value(std::string_view s, std::size_t& i) {
    if (i >= s.size()) return false;
    char c = s[i];
    if (c == '"') return skip_string(s, i);
    if (c == '{' || c == '[') {
        int depth = 0;
        while (i < s.size()) {
            char d = s[i];
            if (d == '"') {
                if (!skip_string(s, i)) return false;
                continue;
            }
            ++i;
            if (d == '{' || d == '[') {
                ++depth;
            } else if (d == '}' || d == ']') {
                if (--depth == 0) return true;
            }
        }
        return false;
    }
    // number, true, false, null
    std::size_t start = i;
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_space(s[i])) ++i;
    return i > start;
}

}  // namespace

bool frame_view::parse(std::string_view s) {
    count_ = 0;
    type_ = {};
    std::size_t i = 0;
    skip_space(s, i);
    if (i >= s.size() || s[i] != '{') return false;
    ++i;
    skip_space(s, i);
    if (i >= s.size()) return false;
    if (s[i] == '}') return true;
    for (;;) {
        skip_space(s, i);
        if (i >= s.size() || s[i] != '"') return false;
        std::size_t key_start = i + 1;
        if (!skip_string(s, i)) return false;
        std::string_view key = s.substr(key_start, i - 1 - key_start);
        skip_space(s, i);
        if (i >= s.size() || s[i] != ':') return false;
        ++i;
        skip_space(s, i);
        std::size_t value_start = i;
        if (!skip_value(s, i)) return false;
        if (count_ < max_members)
            members_[count_++] = {key, s.substr(value_start, i - value_start)};
        skip_space(s, i);
        if (i >= s.size()) return false;
        if (s[i] == '}') break;
        if (s[i] != ',') return false;
        ++i;
    }
    if (auto t = plain_string("type")) type_ = *t;
    return true;
}

std::string_view frame_view::raw(std::string_view key) const noexcept {
    for (int i = 0; i < count_; ++i) {
        if (members_[i].key == key) return members_[i].value;
    }
    return {};
}

std::optional<std::string_view> frame_view::plain_string(std::string_view key) const noexcept {
    std::string_view v = raw(key);
    if (v.size() < 2 || v.front() != '"') return std::nullopt;
    v = v.substr(1, v.size() - 2);
    if (v.find('\\') != std::string_view::npos) return std::nullopt;
    return v;
}

std::optional<std::string> frame_view::string(std::string_view key) const {
    std::string_view v = raw(key);
    if (v.size() < 2 || v.front() != '"') return std::nullopt;
    if (v.find('\\') == std::string_view::npos) return std::string(v.substr(1, v.size() - 2));
    auto parsed = nlohmann::json::parse(v, nullptr, false);
    if (!parsed.is_string()) return std::nullopt;
    return parsed.get<std::string>();
}

bool frame_view::boolean(std::string_view key, bool fallback) const noexcept {
    std::string_view v = raw(key);
    if (v == "true") return true;
    if (v == "false") return false;
    return fallback;
}

}  // namespace switchboard::client
