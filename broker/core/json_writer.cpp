#include "json_writer.hpp"

#include <utility>

namespace switchboard {

void append_json_string(std::string& out, std::string_view value) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    // Whole runs that need no escape are appended at once.
    std::size_t run = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(value.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += "\\u00";
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 0xf]);
        }
    }
    out.append(value.data() + run, value.size() - run);
    out.push_back('"');
}

json_writer::json_writer(std::size_t reserve) {
    out_.reserve(reserve);
    out_.push_back('{');
}

json_writer::json_writer(std::string buffer) : out_(std::move(buffer)) {
    out_.clear();
    out_.push_back('{');
}

void json_writer::key(std::string_view k) {
    if (out_.size() > 1) out_.push_back(',');
    out_.push_back('"');
    out_ += k;
    out_ += "\":";
}

json_writer& json_writer::string(std::string_view k, std::string_view value) {
    key(k);
    append_json_string(out_, value);
    return *this;
}

json_writer& json_writer::integer(std::string_view k, std::int64_t value) {
    key(k);
    out_ += std::to_string(value);
    return *this;
}

json_writer& json_writer::boolean(std::string_view k, bool value) {
    key(k);
    out_ += value ? "true" : "false";
    return *this;
}

json_writer& json_writer::raw(std::string_view k, std::string_view json) {
    if (json.empty()) return *this;
    key(k);
    out_ += json;
    return *this;
}

std::string json_writer::finish() {
    out_.push_back('}');
    return std::move(out_);
}

std::shared_ptr<const std::string> json_writer::share() {
    return std::make_shared<const std::string>(finish());
}

}  // namespace switchboard
