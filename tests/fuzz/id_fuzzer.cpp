// libFuzzer target: ID and pattern rules (docs/protocol.md §1). An accepted
// ID becomes an MQTT topic level, so every accepted ID must keep
// `sb/<id>/in` exactly three levels with no wildcard or NUL
// (CVE-2017-7650-style injection); a violation traps.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/id_rules.hpp"

using namespace switchboard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    // Split at the first NUL: left an ID or pattern, right a text to match.
    std::size_t cut = input.find('\0');
    std::string_view id = input.substr(0, cut);
    std::string_view other =
        cut == std::string_view::npos ? std::string_view{} : input.substr(cut + 1);

    if (is_valid_id(id)) {
        if (id.empty() || id.size() > max_id_bytes) __builtin_trap();
        std::string topic = "sb/" + std::string(id) + "/in";
        int levels = 1;
        for (char c : topic) {
            if (c == '/') ++levels;
            if (c == '+' || c == '#' || c == '\0' || c == '$' ||
                static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
                __builtin_trap();
            }
        }
        if (levels != 3) __builtin_trap();
        if (!is_valid_id_pattern(id)) __builtin_trap();  // every ID is a pattern matching itself
        if (!pattern_matches(id, id) || !glob_matches(id, id)) __builtin_trap();
    }
    if (is_valid_id_pattern(id)) {
        bool m = pattern_matches(id, other);
        // A pattern without `*` matches only itself.
        if (m && id.find('*') == std::string_view::npos && id != other) __builtin_trap();
    }
    bool g = glob_matches(id, other);
    if (g && id.find_first_of("*?") == std::string_view::npos && id != other) __builtin_trap();
    if (!glob_matches("*", other)) __builtin_trap();
    return 0;
}
