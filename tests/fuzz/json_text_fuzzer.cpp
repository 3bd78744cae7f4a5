// libFuzzer target, differential: json_text must accept exactly the texts
// nlohmann::json accepts (which parsed frames before it) and read the same
// members, kinds and string values from an object. Two places they differ
// on purpose are skipped: nlohmann takes a NUL byte for the end of input, and
// it has no depth limit.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/json_text.hpp"

using namespace switchboard;

namespace {

json_kind kind_of(const nlohmann::json& v) {
    if (v.is_string()) return json_kind::string;
    if (v.is_number()) return json_kind::number;
    if (v.is_boolean()) return json_kind::boolean;
    if (v.is_null()) return json_kind::null;
    if (v.is_object()) return json_kind::object;
    return json_kind::array;
}

void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (text.find('\0') != std::string_view::npos) return 0;
    if (std::count(text.begin(), text.end(), '[') + std::count(text.begin(), text.end(), '{') >
        max_json_text_depth) {
        return 0;
    }
    const bool valid = is_valid_json(text);
    nlohmann::json reference = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    check(valid == !reference.is_discarded());

    json_object_view object;
    const auto status = object.parse(text);
    check((status == json_object_view::status::ok) == (valid && reference.is_object()));
    check((status == json_object_view::status::not_object) == (valid && !reference.is_object()));
    if (status != json_object_view::status::ok) return 0;

    check(object.size() >= reference.size());
    for (const auto& [key, value] : reference.items()) {
        const json_member* m = object.find(key);
        check(m != nullptr);
        check(m->kind == kind_of(value));
        check(nlohmann::json::parse(m->value) == value);
        if (m->kind == json_kind::string)
            check(json_string_value(m->value) == value.get<std::string>());
        if (value.is_number_integer() && value.is_number_unsigned() == false) {
            check(json_integer_value(m->value) == value.get<std::int64_t>());
        }
    }
    return 0;
}
