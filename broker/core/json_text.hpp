#pragma once
// Reads JSON text (RFC 8259) without building a tree: the members of one
// object, each value kept as the text it was sent as. The router only looks
// at a frame's envelope and passes `args`, `result` and the like on
// untouched, so validating them and keeping their text is all it needs; a
// tree of them costs an allocation per node and a re-serialization.
// Accepts exactly what nlohmann::json::parse accepts (tests/fuzz holds the
// differential fuzzer), except that the nesting depth is bounded and a NUL
// byte is refused (nlohmann takes it for the end of the input).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard {

enum class json_kind : std::uint8_t { string, number, boolean, null, object, array };

struct json_member {
    std::string_view key;  // between the quotes, escapes not decoded
    bool key_escaped = false;
    json_kind kind = json_kind::null;
    std::string_view value;  // the value's JSON text; a string keeps its quotes
};

// Nesting past this is refused, so scanning never recurses further.
inline constexpr int max_json_text_depth = 64;

// The top-level members of a JSON object. Views into the text it read, which
// must outlive it. Up to 16 members are held without allocating.
class json_object_view {
public:
    enum class status { ok, not_json, not_object, too_deep };

    // `max_depth` counts the object itself as 1; past it, parsing stops at
    // too_deep. Whatever is returned, members are those of this text only.
    status parse(std::string_view text, int max_depth = max_json_text_depth);

    // The member named `key`; when a key repeats, the last one counts (as in
    // nlohmann::json, which the gateway used before).
    const json_member* find(std::string_view key) const;

    std::size_t size() const noexcept { return count_; }

private:
    void add(const json_member& member);
    const json_member& at(std::size_t i) const noexcept {
        return i < inline_.size() ? inline_[i] : more_[i - inline_.size()];
    }

    std::array<json_member, 16> inline_{};
    std::vector<json_member> more_;
    std::size_t count_ = 0;
};

bool is_valid_json(std::string_view text);

// Appends the decoded elements of an array's text to `out`; false when the
// text is not an array or an element is not a string.
bool json_array_strings(std::string_view array_text, std::vector<std::string>& out);

// The decoded value of a string member's text (quotes included), which
// json_object_view::parse has validated.
std::string json_string_value(std::string_view quoted);
// A key as parsed: decoded when it held escapes.
std::string json_key_value(const json_member& member);

// The value of a number's text when it is an integer (no fraction, no
// exponent) that fits in 64 bits, signed.
std::optional<std::int64_t> json_integer_value(std::string_view number);

}  // namespace switchboard
