#include "json_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "hex_digit.hpp"
#include "utf8.hpp"

namespace switchboard {
namespace {

bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }

// Reads four hex digits at `p` (which has at least four bytes); -1 if any is not one.
long read_hex4(const unsigned char* p) noexcept {
    long code = 0;
    for (int i = 0; i < 4; ++i) {
        const int digit = hex_digit_value(static_cast<char>(p[i]));
        if (digit < 0) return -1;
        code = code * 16 + digit;
    }
    return code;
}

bool is_finite_double(const unsigned char* begin, const unsigned char* end) {
    const std::string copy(begin, end);  // strtod needs the terminating NUL
    return std::isfinite(std::strtod(copy.c_str(), nullptr));
}

bool is_high_surrogate(long code) noexcept { return code >= 0xD800 && code <= 0xDBFF; }
bool is_low_surrogate(long code) noexcept { return code >= 0xDC00 && code <= 0xDFFF; }

// A cursor over JSON text that checks the grammar of RFC 8259 as it goes.
// Each function starts at the first byte of what it reads and, on success,
// leaves the cursor just past it.
class scanner {
public:
    scanner(std::string_view text, int max_depth) noexcept
        : p_(reinterpret_cast<const unsigned char*>(text.data())),
          end_(p_ + text.size()),
          max_depth_(max_depth) {}

    bool too_deep() const noexcept { return too_deep_; }

    const char* position() const noexcept { return reinterpret_cast<const char*>(p_); }
    bool at_end() const noexcept { return p_ == end_; }
    bool next_is(unsigned char c) const noexcept { return p_ < end_ && *p_ == c; }
    void advance() noexcept { ++p_; }

    // nlohmann::json skips one UTF-8 byte order mark at the very start.
    void skip_byte_order_mark() noexcept {
        if (end_ - p_ >= 3 && p_[0] == 0xEF && p_[1] == 0xBB && p_[2] == 0xBF) p_ += 3;
    }

    void skip_space() noexcept {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }

    bool string(bool& escaped) noexcept {
        ++p_;  // the opening quote
        escaped = false;
        for (;;) {
            while (end_ - p_ >= 8 && plain_ascii(p_)) p_ += 8;
            while (p_ < end_ && *p_ >= 0x20 && *p_ < 0x80 && *p_ != '"' && *p_ != '\\') ++p_;
            if (p_ == end_) return false;
            const unsigned char c = *p_;
            if (c == '"') {
                ++p_;
                return true;
            }
            if (c < 0x20) return false;  // control characters must be escaped
            if (c >= 0x80) {
                const int length = utf8_sequence_length(p_, end_);
                if (length == 0) return false;
                p_ += length;
                continue;
            }
            escaped = true;
            if (!escape()) return false;
        }
    }

    bool number() {
        const unsigned char* start = p_;
        bool exponent = false;
        if (next_is('-')) ++p_;
        if (p_ == end_) return false;
        if (*p_ == '0') {
            ++p_;
        } else if (is_digit(*p_)) {
            while (p_ < end_ && is_digit(*p_)) ++p_;
        } else {
            return false;
        }
        if (next_is('.')) {
            ++p_;
            if (!digits()) return false;
        }
        if (next_is('e') || next_is('E')) {
            exponent = true;
            ++p_;
            if (next_is('+') || next_is('-')) ++p_;
            if (!digits()) return false;
        }
        // nlohmann::json refuses a number past the range of a double (1e400);
        // only an exponent or hundreds of digits can get there.
        if (exponent || p_ - start > 300) return is_finite_double(start, p_);
        return true;
    }

    bool value(json_kind& kind, int depth) {
        if (p_ == end_) return false;
        bool escaped;
        switch (*p_) {
            case '"':
                kind = json_kind::string;
                return string(escaped);
            case '{':
                kind = json_kind::object;
                return object(depth + 1);
            case '[':
                kind = json_kind::array;
                return array(depth + 1);
            case 't':
                kind = json_kind::boolean;
                return word("true");
            case 'f':
                kind = json_kind::boolean;
                return word("false");
            case 'n':
                kind = json_kind::null;
                return word("null");
            default:
                kind = json_kind::number;
                return number();
        }
    }

    // Calls on_member(key, key_escaped, kind, value_text) for each member of
    // the object at the cursor; stops at the first false it returns.
    template <class OnMember>
    bool object(int depth, OnMember&& on_member) {
        if (depth > max_depth_) return deep();
        ++p_;  // {
        skip_space();
        if (next_is('}')) {
            ++p_;
            return true;
        }
        for (;;) {
            if (!next_is('"')) return false;
            const unsigned char* key_start = p_;
            bool key_escaped;
            if (!string(key_escaped)) return false;
            std::string_view key(reinterpret_cast<const char*>(key_start) + 1,
                                 static_cast<std::size_t>(p_ - key_start) - 2);
            skip_space();
            if (!next_is(':')) return false;
            ++p_;
            skip_space();
            const unsigned char* value_start = p_;
            json_kind kind;
            if (!value(kind, depth)) return false;
            std::string_view text(reinterpret_cast<const char*>(value_start),
                                  static_cast<std::size_t>(p_ - value_start));
            if (!on_member(key, key_escaped, kind, text)) return false;
            const list_step step = after_item('}');
            if (step != list_step::next_item) return step == list_step::closed;
        }
    }

    bool object(int depth) {
        return object(depth,
                      [](std::string_view, bool, json_kind, std::string_view) { return true; });
    }

    // Calls on_element(kind, value_text) for each element of the array at the cursor.
    template <class OnElement>
    bool array(int depth, OnElement&& on_element) {
        if (depth > max_depth_) return deep();
        ++p_;  // [
        skip_space();
        if (next_is(']')) {
            ++p_;
            return true;
        }
        for (;;) {
            const unsigned char* value_start = p_;
            json_kind kind;
            if (!value(kind, depth)) return false;
            if (!on_element(kind, std::string_view(reinterpret_cast<const char*>(value_start),
                                                   static_cast<std::size_t>(p_ - value_start)))) {
                return false;
            }
            const list_step step = after_item(']');
            if (step != list_step::next_item) return step == list_step::closed;
        }
    }

    bool array(int depth) {
        return array(depth, [](json_kind, std::string_view) { return true; });
    }

private:
    enum class list_step { next_item, closed, broken };

    // After an item of an object or array: past the comma or the `close`
    // that follows it.
    list_step after_item(unsigned char close) noexcept {
        skip_space();
        if (next_is(',')) {
            ++p_;
            skip_space();
            return list_step::next_item;
        }
        if (!next_is(close)) return list_step::broken;
        ++p_;
        return list_step::closed;
    }

    bool deep() noexcept {
        too_deep_ = true;
        return false;
    }

    // Whether the eight bytes at `p` are printable ASCII other than " and \\:
    // the common case inside a string, checked a word at a time.
    static bool plain_ascii(const unsigned char* p) noexcept {
        constexpr std::uint64_t ones = 0x0101010101010101ULL;
        constexpr std::uint64_t highs = 0x8080808080808080ULL;
        std::uint64_t x;
        std::memcpy(&x, p, 8);
        const std::uint64_t quote = x ^ (ones * '"');
        const std::uint64_t backslash = x ^ (ones * '\\');
        const std::uint64_t control = (x - ones * 0x20) & ~x;    // a byte < 0x20
        const std::uint64_t is_quote = (quote - ones) & ~quote;  // a zero byte
        const std::uint64_t is_backslash = (backslash - ones) & ~backslash;
        return ((x | control | is_quote | is_backslash) & highs) == 0;
    }

    bool digits() noexcept {
        if (p_ == end_ || !is_digit(*p_)) return false;
        while (p_ < end_ && is_digit(*p_)) ++p_;
        return true;
    }

    bool word(std::string_view w) noexcept {
        if (static_cast<std::size_t>(end_ - p_) < w.size()) return false;
        if (std::string_view(reinterpret_cast<const char*>(p_), w.size()) != w) return false;
        p_ += w.size();
        return true;
    }

    // At a backslash inside a string. A \u escape of a surrogate must come as
    // a high-low pair, as nlohmann::json requires.
    bool escape() noexcept {
        ++p_;
        if (p_ == end_) return false;
        switch (*p_++) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                return true;
            case 'u':
                break;
            default:
                return false;
        }
        if (end_ - p_ < 4) return false;
        const long code = read_hex4(p_);
        if (code < 0) return false;
        p_ += 4;
        if (is_low_surrogate(code)) return false;
        if (!is_high_surrogate(code)) return true;
        if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u') return false;
        const long low = read_hex4(p_ + 2);
        if (!is_low_surrogate(low)) return false;
        p_ += 6;
        return true;
    }

    const unsigned char* p_;
    const unsigned char* end_;
    int max_depth_;
    bool too_deep_ = false;
};

void append_utf8(std::string& out, unsigned long code) {
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    }
}

// Decodes the text between a validated string's quotes.
std::string decode_string_body(std::string_view body) {
    if (body.find('\\') == std::string_view::npos) return std::string(body);
    std::string out;
    out.reserve(body.size());
    const auto* p = reinterpret_cast<const unsigned char*>(body.data());
    const auto* end = p + body.size();
    while (p < end) {
        if (*p != '\\') {
            out += static_cast<char>(*p++);
            continue;
        }
        const unsigned char kind = p[1];
        p += 2;
        switch (kind) {
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                unsigned long code = static_cast<unsigned long>(read_hex4(p));
                p += 4;
                if (is_high_surrogate(static_cast<long>(code))) {
                    const auto low = static_cast<unsigned long>(read_hex4(p + 2));
                    p += 6;
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                }
                append_utf8(out, code);
                break;
            }
            default:
                out += static_cast<char>(kind);
                break;  // " \ /
        }
    }
    return out;
}

}  // namespace

json_object_view::status json_object_view::parse(std::string_view text, int max_depth) {
    count_ = 0;
    more_.clear();
    scanner s(text, max_depth);
    s.skip_byte_order_mark();
    s.skip_space();
    bool valid;
    const bool is_object = s.next_is('{');
    if (is_object) {
        valid = s.object(
            1, [this](std::string_view key, bool escaped, json_kind kind, std::string_view value) {
                add(json_member{.key = key, .key_escaped = escaped, .kind = kind, .value = value});
                return true;
            });
    } else {
        json_kind kind;
        valid = s.value(kind, 0);
    }
    s.skip_space();
    if (!valid || !s.at_end()) {
        count_ = 0;
        return s.too_deep() ? status::too_deep : status::not_json;
    }
    return is_object ? status::ok : status::not_object;
}

void json_object_view::add(const json_member& member) {
    if (count_ < inline_.size()) {
        inline_[count_] = member;
    } else {
        more_.push_back(member);
    }
    ++count_;
}

const json_member* json_object_view::find(std::string_view key) const {
    for (std::size_t i = count_; i-- > 0;) {
        const json_member& m = at(i);
        if (m.key_escaped ? json_key_value(m) == key : m.key == key) return &m;
    }
    return nullptr;
}

bool is_valid_json(std::string_view text) {
    json_object_view object;
    const auto status = object.parse(text);
    return status == json_object_view::status::ok || status == json_object_view::status::not_object;
}

bool json_array_strings(std::string_view array_text, std::vector<std::string>& out) {
    scanner s(array_text, max_json_text_depth);
    if (!s.next_is('[')) return false;
    return s.array(1, [&out](json_kind kind, std::string_view element) {
        if (kind != json_kind::string) return false;
        out.push_back(json_string_value(element));
        return true;
    });
}

std::string json_string_value(std::string_view quoted) {
    return decode_string_body(quoted.substr(1, quoted.size() - 2));
}

std::string json_key_value(const json_member& member) {
    return member.key_escaped ? decode_string_body(member.key) : std::string(member.key);
}

std::optional<std::int64_t> json_integer_value(std::string_view number) {
    if (number.find_first_of(".eE") != std::string_view::npos) return std::nullopt;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size()) return std::nullopt;
    return value;
}

}  // namespace switchboard
