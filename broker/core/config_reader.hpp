#pragma once
// Reads one JSON object of a file a person wrote (the gateway's config, a
// simulator scenario), naming keys by their path ("limits.max_message_bytes",
// "groups[2].count") in errors, and refusing keys nobody asked for, so that a
// typo fails loudly instead of being ignored. Start-up only: throws.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "named_values.hpp"

namespace switchboard {

// A file names a key that is unknown, ill-typed or out of range. The text
// names the file and the key.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One key a reader was asked for, with the value the caller keeps when the
// key is absent: the file's key table, derived from the reading code itself
// (tests check docs/configuration.md against it).
struct config_key {
    std::string path;  // "limits.max_message_bytes"; an array's elements: "auth.tokens[].id"
    std::string default_json;  // "65536", "\"sb\"", "[]"; "null" when there is none
};

class config_reader {
public:
    using json = nlohmann::json;

    // Parses the text of a file a person wrote (comments allowed). A syntax
    // error is named by line and column, and a key given twice in one object
    // is an error naming it: a parser that lets the last one win would make
    // a second `"tls"` block silently replace the first.
    static json parse_document(std::string_view text, const std::string& source);

    // `object` and `source` (the file's name, for messages) must outlive the
    // reader. With `keys`, every key asked for is appended to it, nested
    // objects' and array elements' keys included.
    config_reader(const json& object, std::string path, const std::string& source,
                  std::vector<config_key>* keys = nullptr);

    [[noreturn]] void fail(const std::string& key, const std::string& what) const;

    // The value of `key`, or null when absent; either way `key` is now known.
    // `default_json` is what the caller keeps when it is absent (for the key table).
    const json* take(const std::string& key, std::string default_json = "null");

    // Each leaves `out` as it was when the key is absent.
    void read(const std::string& key, std::string& out);
    void read(const std::string& key, bool& out);
    void read_number(const std::string& key, double& out, double min, double max);
    template <class Int>
    void read_integer(const std::string& key, Int& out, std::int64_t min, std::int64_t max) {
        std::int64_t n = static_cast<std::int64_t>(out);
        if (read_int64(key, n, min, max)) out = static_cast<Int>(n);
    }
    void read_ms(const std::string& key, std::chrono::milliseconds& out, std::int64_t min,
                 std::int64_t max);
    void read_strings(const std::string& key, std::vector<std::string>& out);
    // A string that must be one of `table`'s words (named_values.hpp): `out`
    // takes the value it names. Returns whether the key was given.
    template <class T, std::size_t N>
    bool read_choice(const std::string& key, T& out, const named_value<T> (&table)[N]) {
        const json* v = take(key, json(std::string(name_of(table, out))).dump());
        if (v == nullptr) return false;
        std::optional<T> value;
        if (v->is_string()) value = value_named(table, v->get<std::string>());
        if (!value) fail(key, "must be " + names_for_error(table));
        out = *value;
        return true;
    }

    // Calls fn(reader) for each element of the array `key`, which must hold
    // objects; unknown keys in an element are refused after fn returns.
    template <class Fn>
    void for_each_object(const std::string& key, Fn&& fn) {
        const json* v = take(key, "[]");
        if (v == nullptr) return;
        if (!v->is_array()) fail(key, "must be an array of objects");
        for (std::size_t i = 0; i < v->size(); ++i) {
            std::string name = key + "[" + std::to_string(i) + "]";
            if (!(*v)[i].is_object()) fail(name, "must be an object");
            config_reader element((*v)[i], qualified(name), source_, keys_);
            fn(element);
            element.reject_unknown();
        }
    }

    // A nested object; an absent one reads as empty. `present` tells which.
    config_reader object(const std::string& key);
    config_reader object(const std::string& key, bool& present);

    void reject_unknown() const;

    std::string qualified(const std::string& key) const;
    const std::string& source() const noexcept { return source_; }

private:
    bool read_int64(const std::string& key, std::int64_t& out, std::int64_t min, std::int64_t max);
    const json* find(const std::string& key);

    const json& object_;
    std::string path_;
    const std::string& source_;
    std::set<std::string> known_;
    std::vector<config_key>* keys_ = nullptr;
};

}  // namespace switchboard
