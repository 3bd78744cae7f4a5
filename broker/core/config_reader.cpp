#include "config_reader.hpp"

#include <algorithm>
#include <sstream>

namespace switchboard {
namespace {

const nlohmann::json& empty_object() {
    static const nlohmann::json empty = nlohmann::json::object();
    return empty;
}

std::string format(double d) {
    std::ostringstream s;
    s << d;
    return s.str();
}

// "auth.tokens[0].id" -> "auth.tokens[].id": one entry for every element.
std::string without_indexes(const std::string& path) {
    std::string out;
    for (std::size_t i = 0; i < path.size(); ++i) {
        out.push_back(path[i]);
        if (path[i] == '[') {
            while (i + 1 < path.size() && path[i + 1] != ']') ++i;
        }
    }
    return out;
}

// Follows the parser's events to name the first key that repeats within one
// object, by its path ("auth.tokens[1].id").
class duplicate_key_finder {
public:
    bool on_event(nlohmann::json::parse_event_t event, const nlohmann::json& parsed) {
        using event_t = nlohmann::json::parse_event_t;
        switch (event) {
            case event_t::object_start:
            case event_t::array_start:
                frames_.push_back({event == event_t::array_start, child_path(), {}, {}, 0});
                break;
            case event_t::object_end:
            case event_t::array_end:
                frames_.pop_back();
                if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
                break;
            case event_t::key: {
                frame& top = frames_.back();
                top.last_key = parsed.get<std::string>();
                if (!top.keys.insert(top.last_key).second && duplicate_.empty()) {
                    duplicate_ = child_path();
                }
                break;
            }
            case event_t::value:
                if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
                break;
        }
        return true;
    }

    // Empty while no key has repeated.
    const std::string& duplicate() const noexcept { return duplicate_; }

private:
    struct frame {
        bool array;
        std::string path;
        std::set<std::string> keys;
        std::string last_key;
        std::size_t index;
    };

    // The path of the value the parser is at: the last key of the innermost
    // object, or the current element of the innermost array.
    std::string child_path() const {
        if (frames_.empty()) return {};
        const frame& top = frames_.back();
        if (top.array) return top.path + "[" + std::to_string(top.index) + "]";
        return top.path.empty() ? top.last_key : top.path + "." + top.last_key;
    }

    std::vector<frame> frames_;
    std::string duplicate_;
};

// "line 3, column 7" of the byte at 1-based `position` of `text`.
std::string line_and_column(std::string_view text, std::size_t position) {
    std::size_t end = std::min(position == 0 ? 0 : position - 1, text.size());
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(end - line_start + 1);
}

}  // namespace

nlohmann::json config_reader::parse_document(std::string_view text, const std::string& source) {
    duplicate_key_finder finder;
    json doc;
    try {
        doc = json::parse(
            text,
            [&finder](int, json::parse_event_t event, json& parsed) {
                return finder.on_event(event, parsed);
            },
            /*allow_exceptions=*/true, /*ignore_comments=*/true);
    } catch (const json::parse_error& e) {
        // nlohmann's text reads "[json.exception.parse_error.101] parse error
        // at line 3, column 7: syntax error while parsing ..."; keep the why.
        std::string what = e.what();
        std::size_t why = what.find(": ");
        throw config_error(source + ": " + line_and_column(text, e.byte) + ": not valid JSON" +
                           (why == std::string::npos ? "" : what.substr(why)));
    } catch (const json::exception& e) {
        // A number beyond a double (2E66666) is out_of_range 406, thrown with
        // no position; its text names the number.
        std::string what = e.what();
        std::size_t why = what.find("] ");
        throw config_error(source + ": not valid JSON: " +
                           (why == std::string::npos ? what : what.substr(why + 2)));
    }
    if (!finder.duplicate().empty()) {
        throw config_error(source + ": '" + finder.duplicate() +
                           "' is given twice in one object; remove one of them");
    }
    if (!doc.is_object()) throw config_error(source + ": must hold a JSON object");
    return doc;
}

config_reader::config_reader(const json& object, std::string path, const std::string& source,
                             std::vector<config_key>* keys)
    : object_(object), path_(std::move(path)), source_(source), keys_(keys) {}

void config_reader::fail(const std::string& key, const std::string& what) const {
    throw config_error(source_ + ": '" + qualified(key) + "' " + what);
}

const nlohmann::json* config_reader::find(const std::string& key) {
    known_.insert(key);
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
}

const nlohmann::json* config_reader::take(const std::string& key, std::string default_json) {
    if (keys_ != nullptr) {
        std::string path = without_indexes(qualified(key));
        auto same = [&](const config_key& k) { return k.path == path; };
        if (std::none_of(keys_->begin(), keys_->end(), same)) {
            keys_->push_back({std::move(path), std::move(default_json)});
        }
    }
    return find(key);
}

void config_reader::read(const std::string& key, std::string& out) {
    if (const json* v = take(key, json(out).dump())) {
        if (!v->is_string()) fail(key, "must be a string");
        out = v->get<std::string>();
    }
}

void config_reader::read(const std::string& key, bool& out) {
    if (const json* v = take(key, out ? "true" : "false")) {
        if (!v->is_boolean()) fail(key, "must be true or false");
        out = v->get<bool>();
    }
}

void config_reader::read_number(const std::string& key, double& out, double min, double max) {
    if (const json* v = take(key, format(out))) {
        if (!v->is_number()) fail(key, "must be a number");
        double d = v->get<double>();
        if (!(d >= min && d <= max)) {
            fail(key, "must be between " + format(min) + " and " + format(max));
        }
        out = d;
    }
}

bool config_reader::read_int64(const std::string& key, std::int64_t& out, std::int64_t min,
                               std::int64_t max) {
    const json* v = take(key, std::to_string(out));
    if (v == nullptr) return false;
    if (!v->is_number_integer()) fail(key, "must be an integer");
    // An unsigned value past int64 would wrap: treat it as out of range.
    std::int64_t n = v->is_number_unsigned() && v->get<std::uint64_t>() > std::uint64_t(max)
                         ? max
                         : v->get<std::int64_t>();
    if ((v->is_number_unsigned() && v->get<std::uint64_t>() > std::uint64_t(max)) || n < min ||
        n > max) {
        fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    out = n;
    return true;
}

void config_reader::read_ms(const std::string& key, std::chrono::milliseconds& out,
                            std::int64_t min, std::int64_t max) {
    std::int64_t ms = out.count();
    read_integer(key, ms, min, max);
    out = std::chrono::milliseconds(ms);
}

void config_reader::read_strings(const std::string& key, std::vector<std::string>& out) {
    if (const json* v = take(key, json(out).dump())) {
        if (!v->is_array()) fail(key, "must be an array of strings");
        out.clear();
        for (const auto& item : *v) {
            if (!item.is_string()) fail(key, "must be an array of strings");
            out.push_back(item.get<std::string>());
        }
    }
}

config_reader config_reader::object(const std::string& key) {
    bool present = false;
    return object(key, present);
}

config_reader config_reader::object(const std::string& key, bool& present) {
    const json* v = find(key);  // a section, not a key of its own
    present = v != nullptr;
    if (v == nullptr) return config_reader(empty_object(), qualified(key), source_, keys_);
    if (!v->is_object()) fail(key, "must be an object");
    return config_reader(*v, qualified(key), source_, keys_);
}

void config_reader::reject_unknown() const {
    for (const auto& [key, value] : object_.items()) {
        if (!known_.contains(key)) fail(key, "is not a known setting");
    }
}

std::string config_reader::qualified(const std::string& key) const {
    if (path_.empty()) return key;
    return key.empty() || key.front() == '[' ? path_ + key : path_ + "." + key;
}

}  // namespace switchboard
