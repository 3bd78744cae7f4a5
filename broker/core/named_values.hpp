#pragma once
// A closed set of words a person may write for one setting, each standing for
// one value (`"takeover"` for duplicate_policy::takeover). One table per
// setting serves the config file, the command-line flag and the error that
// lists the words, so the three cannot disagree. Start-up and frame parsing
// alike: nothing here allocates except the listing.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard {

template <class T>
struct named_value {
    std::string_view name;
    T value;
};

// The value named `name` exactly (case matters), if the table has it.
template <class T, std::size_t N>
constexpr std::optional<T> value_named(const named_value<T> (&table)[N],
                                       std::string_view name) noexcept {
    for (const auto& entry : table) {
        if (entry.name == name) return entry.value;
    }
    return std::nullopt;
}

// The first name the table gives `value`; empty if it gives none.
template <class T, std::size_t N>
constexpr std::string_view name_of(const named_value<T> (&table)[N], T value) noexcept {
    for (const auto& entry : table) {
        if (entry.value == value) return entry.name;
    }
    return {};
}

// What an error says after "must be": `"a" or "b"` for two words, `one of
// "a", "b", "c"` for more, each quoted as it is written in a JSON file.
template <class T, std::size_t N>
std::string names_for_error(const named_value<T> (&table)[N]) {
    std::string out = N > 2 ? "one of " : "";
    for (std::size_t i = 0; i < N; ++i) {
        if (i > 0) out += N > 2 ? ", " : " or ";
        out += '"';
        out += table[i].name;
        out += '"';
    }
    return out;
}

}  // namespace switchboard
