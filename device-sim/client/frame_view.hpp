#pragma once
// A read-only view of one JSON object frame's top-level fields, read by
// core's json_object_view (the gateway's own scanner) without building a
// document: the simulator reads `type`, `id`, `from`, `name` of every frame
// and passes `args`/`result` on as raw JSON, so a full parse per frame would
// be wasted work on the load generator's path.
// Plain value type; the viewed text must outlive it.

#include <optional>
#include <string>
#include <string_view>

#include "core/json_text.hpp"

namespace switchboard::client {

class frame_view {
public:
    // False when `text` is not one well-formed JSON object.
    bool parse(std::string_view text);

    // The raw JSON text of the value of `key`, or empty when absent.
    std::string_view raw(std::string_view key) const noexcept;
    // The value of `key` when it is a string (unescaped), else nullopt.
    std::optional<std::string> string(std::string_view key) const;
    // Like string(), without copying; nullopt also when it holds escapes.
    std::optional<std::string_view> plain_string(std::string_view key) const noexcept;
    bool boolean(std::string_view key, bool fallback = false) const noexcept;
    std::string_view type() const noexcept { return type_; }

private:
    json_object_view object_;
    std::string_view type_;
};

}  // namespace switchboard::client
