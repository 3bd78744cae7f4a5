#include "frame_view.hpp"

namespace switchboard::client {

bool frame_view::parse(std::string_view text) {
    type_ = {};
    if (object_.parse(text) != json_object_view::status::ok) return false;
    type_ = plain_string("type").value_or(std::string_view{});
    return true;
}

std::string_view frame_view::raw(std::string_view key) const noexcept {
    const json_member* m = object_.find(key);
    return m != nullptr ? m->value : std::string_view{};
}

std::optional<std::string> frame_view::string(std::string_view key) const {
    const json_member* m = object_.find(key);
    if (m == nullptr || m->kind != json_kind::string) return std::nullopt;
    return json_string_value(m->value);
}

std::optional<std::string_view> frame_view::plain_string(std::string_view key) const noexcept {
    const json_member* m = object_.find(key);
    if (m == nullptr || m->kind != json_kind::string) return std::nullopt;
    std::string_view inner = m->value.substr(1, m->value.size() - 2);
    if (inner.find('\\') != std::string_view::npos) return std::nullopt;
    return inner;
}

bool frame_view::boolean(std::string_view key, bool fallback) const noexcept {
    const json_member* m = object_.find(key);
    if (m == nullptr || m->kind != json_kind::boolean) return fallback;
    return m->value == "true";
}

}  // namespace switchboard::client
