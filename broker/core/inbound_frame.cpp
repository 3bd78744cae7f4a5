#include "inbound_frame.hpp"

#include <algorithm>

#include "id_rules.hpp"
#include "json_text.hpp"

namespace switchboard {
namespace {

std::string traceparent_error_text(std::string_view problem) {
    std::string message = "field 'traceparent' is not a W3C traceparent (";
    message.append(problem);
    message.append("); expected 00-<32 hex>-<16 hex>-<2 hex>, lowercase");
    return message;
}

// Reads fields of one frame object, remembering the first problem it meets.
class field_reader {
public:
    field_reader(const json_object_view& object, std::string type)
        : object_(object), type_(std::move(type)) {}

    bool failed() const noexcept { return failed_; }
    frame_error take_error() { return std::move(error_); }

    void fail(std::string field, std::string message) {
        if (failed_) return;
        failed_ = true;
        error_.code = error_code::bad_request;
        error_.field = std::move(field);
        error_.message = std::move(message);
        error_.request_type = type_;
    }
    void set_request_id(const std::string& id) { error_.request_id = id; }

    const json_member* find(const char* key) const { return object_.find(key); }

    std::optional<std::string> string(const char* key, bool required) {
        const json_member* v = find(key);
        if (v == nullptr) {
            if (required) fail(key, std::string("field '") + key + "' is required");
            return std::nullopt;
        }
        if (v->kind != json_kind::string) {
            fail(key, std::string("field '") + key + "' must be a string");
            return std::nullopt;
        }
        return json_string_value(v->value);
    }

    // A client ID field (`id` of register, `to` of command/response/message).
    std::string client_id(const char* key) {
        auto s = string(key, true);
        if (!s) return {};
        if (!is_valid_id(*s)) {
            fail(key, std::string("field '") + key +
                          "' is not a valid ID (1-128 bytes of A-Z a-z 0-9 . _ : @ -)");
            return {};
        }
        return std::move(*s);
    }

    // A command or event name: the ID grammar (docs/protocol.md §1), so a
    // name that prints like another ("reset\u0000", "reset\n") cannot slip
    // past an ACL rule written for it.
    std::string name(const char* key) {
        auto s = string(key, true);
        if (!s) return {};
        if (!is_valid_name(*s)) {
            fail(key, std::string("field '") + key +
                          "' is not a valid name (1-128 bytes of A-Z a-z 0-9 . _ : @ -)");
            return {};
        }
        return std::move(*s);
    }

    // A caller's correlation ID: 1..64 bytes, any characters.
    std::optional<std::string> correlation_id(bool required) {
        auto s = string("id", required);
        if (!s) return std::nullopt;
        if (s->empty() || s->size() > max_correlation_id_bytes) {
            fail("id", "field 'id' must be 1-64 bytes");
            return std::nullopt;
        }
        return s;
    }

    std::optional<std::int64_t> positive_integer(const char* key) {
        const json_member* v = find(key);
        if (v == nullptr) return std::nullopt;
        std::optional<std::int64_t> n;
        if (v->kind == json_kind::number) n = json_integer_value(v->value);
        if (!n || *n <= 0) {
            fail(key, std::string("field '") + key + "' must be a positive integer");
            return std::nullopt;
        }
        return n;
    }

    bool boolean(const char* key, bool required, bool fallback) {
        const json_member* v = find(key);
        if (v == nullptr) {
            if (required) fail(key, std::string("field '") + key + "' is required");
            return fallback;
        }
        if (v->kind != json_kind::boolean) {
            fail(key, std::string("field '") + key + "' must be true or false");
            return fallback;
        }
        return v->value == "true";
    }

    // Any JSON value, kept as the text it came in; empty when absent.
    std::string raw(const char* key, bool required) {
        const json_member* v = find(key);
        if (v == nullptr) {
            if (required) fail(key, std::string("field '") + key + "' is required");
            return {};
        }
        return std::string(v->value);
    }

    // A W3C traceparent (trace_context.hpp); absent is fine, wrong is not:
    // passed on, a broken one would break the trace further down.
    std::optional<trace_context> traceparent() {
        const json_member* v = find("traceparent");
        if (v == nullptr) return std::nullopt;
        if (v->kind != json_kind::string) {
            fail("traceparent", "field 'traceparent' must be a string");
            return std::nullopt;
        }
        // Decoded only if it holds an escape: a plain valid value has none.
        std::string_view text = v->value.substr(1, v->value.size() - 2);
        std::string decoded;
        if (text.find('\\') != std::string_view::npos) {
            decoded = json_string_value(v->value);
            text = decoded;
        }
        traceparent_parse parsed = parse_traceparent(text);
        if (!parsed.context) {
            fail("traceparent", traceparent_error_text(parsed.problem));
            return std::nullopt;
        }
        return parsed.context;
    }

    std::string object(const char* key, std::string fallback) {
        const json_member* v = find(key);
        if (v == nullptr) return fallback;
        if (v->kind != json_kind::object) {
            fail(key, std::string("field '") + key + "' must be an object");
            return fallback;
        }
        return std::string(v->value);
    }

private:
    const json_object_view& object_;
    std::string type_;
    bool failed_ = false;
    frame_error error_;
};

template <class Frame>
parse_result finish(field_reader& r, Frame&& frame) {
    if (r.failed()) return r.take_error();
    return inbound_frame{std::forward<Frame>(frame)};
}

parse_result parse_register(field_reader& r) {
    register_request f;
    f.id = r.client_id("id");
    if (auto role = r.string("role", true)) {
        if (auto parsed = parse_role(*role)) {
            f.role = *parsed;
        } else {
            r.fail("role", "field 'role' must be \"device\" or \"controller\"");
        }
    }
    f.token = r.string("token", false);
    f.meta_json = r.object("meta", "{}");
    return finish(r, std::move(f));
}

parse_result parse_command(field_reader& r) {
    command_request f;
    if (auto id = r.correlation_id(true)) {
        f.id = *id;
        r.set_request_id(f.id);
    }
    f.to = r.client_id("to");
    f.name = r.name("name");
    f.args_json = r.raw("args", false);
    f.timeout_ms = r.positive_integer("timeout_ms");
    f.ttl_ms = r.positive_integer("ttl_ms");
    if (f.ttl_ms && *f.ttl_ms > max_ttl_ms) {
        r.fail("ttl_ms",
               "field 'ttl_ms' must be at most " + std::to_string(max_ttl_ms) + " (24 hours)");
    }
    f.ack = r.boolean("ack", false, false);
    f.trace = r.traceparent();
    return finish(r, std::move(f));
}

parse_result parse_response(field_reader& r) {
    response_request f;
    if (auto id = r.correlation_id(true)) {
        f.id = *id;
        r.set_request_id(f.id);
    }
    f.to = r.client_id("to");
    f.ok = r.boolean("ok", true, false);
    f.result_json = r.raw("result", false);
    if (const json_member* e = r.find("error")) {
        if (e->kind != json_kind::object) {
            r.fail("error", "field 'error' must be an object {code, message}");
        } else {
            f.error_json = std::string(e->value);
        }
    }
    f.trace = r.traceparent();
    return finish(r, std::move(f));
}

parse_result parse_message(field_reader& r) {
    message_request f;
    f.id = r.correlation_id(false);
    if (f.id) r.set_request_id(*f.id);
    f.to = r.client_id("to");
    f.payload_json = r.raw("payload", true);
    return finish(r, std::move(f));
}

parse_result parse_event(field_reader& r) {
    event_request f;
    f.name = r.name("name");
    f.data_json = r.raw("data", false);
    return finish(r, std::move(f));
}

parse_result parse_subscribe(field_reader& r, bool subscribe) {
    subscribe_request f;
    f.subscribe = subscribe;
    f.id = r.correlation_id(false);
    if (f.id) r.set_request_id(*f.id);
    static constexpr const char* not_a_list =
        "field 'ids' must be a non-empty array of IDs or prefix* patterns";
    static constexpr const char* bad_entry =
        "field 'ids' holds an entry that is not an ID or prefix* pattern";
    const json_member* ids = r.find("ids");
    if (ids == nullptr) {
        r.fail("ids", "field 'ids' is required");
    } else if (ids->kind != json_kind::array) {
        r.fail("ids", not_a_list);
    } else if (!json_array_strings(ids->value, f.patterns) ||
               !std::all_of(f.patterns.begin(), f.patterns.end(),
                            [](const std::string& p) { return is_valid_id_pattern(p); })) {
        r.fail("ids", bad_entry);
    } else if (f.patterns.empty()) {
        r.fail("ids", not_a_list);
    }
    return finish(r, std::move(f));
}

parse_result parse_list(field_reader& r) {
    list_request f;
    f.id = r.correlation_id(false);
    if (f.id) r.set_request_id(*f.id);
    if (auto role = r.string("role", false)) {
        f.role = parse_role(*role);
        if (!f.role) r.fail("role", "field 'role' must be \"device\" or \"controller\"");
    }
    if (auto prefix = r.string("prefix", false)) {
        if (prefix->size() > max_id_bytes) r.fail("prefix", "field 'prefix' is too long");
        f.prefix = std::move(*prefix);
    }
    if (auto after = r.string("after", false)) {
        if (after->size() > max_id_bytes) r.fail("after", "field 'after' is too long");
        f.after = std::move(*after);
    }
    if (auto limit = r.positive_integer("limit")) f.limit = static_cast<std::size_t>(*limit);
    return finish(r, std::move(f));
}

// `status` and `cancel`: a command's correlation ID and nothing else.
template <class Request>
parse_result parse_command_id(field_reader& r) {
    Request f;
    if (auto id = r.correlation_id(true)) {
        f.id = *id;
        r.set_request_id(f.id);
    }
    return finish(r, std::move(f));
}

frame_error bad_request(std::string message, std::string field = {}) {
    frame_error e;
    e.code = error_code::bad_request;
    e.message = std::move(message);
    e.field = std::move(field);
    return e;
}

}  // namespace

parse_result parse_frame(std::string_view text) {
    json_object_view doc;
    switch (doc.parse(text, max_json_depth)) {
        case json_object_view::status::ok:
            break;
        case json_object_view::status::not_json:
            return bad_request("frame is not valid JSON");
        case json_object_view::status::not_object:
            return bad_request("frame must be a JSON object");
        case json_object_view::status::too_deep:
            return bad_request("frame is nested deeper than " + std::to_string(max_json_depth) +
                               " levels");
    }

    // An envelope error still carries the frame's `id` when it reads as a
    // correlation ID, so the client can tell which of its requests failed.
    auto with_request_id = [&doc](frame_error e) {
        if (const json_member* id = doc.find("id");
            id != nullptr && id->kind == json_kind::string) {
            std::string value = json_string_value(id->value);
            if (value.size() <= max_correlation_id_bytes) e.request_id = std::move(value);
        }
        return e;
    };
    const json_member* type_member = doc.find("type");
    if (type_member == nullptr) {
        return with_request_id(bad_request("field 'type' is required", "type"));
    }
    if (type_member->kind != json_kind::string) {
        return with_request_id(bad_request("field 'type' must be a string", "type"));
    }
    std::string type = json_string_value(type_member->value);

    field_reader r(doc, type);
    if (type == "command") return parse_command(r);
    if (type == "response") return parse_response(r);
    if (type == "message") return parse_message(r);
    if (type == "event") return parse_event(r);
    if (type == "register") return parse_register(r);
    if (type == "subscribe") return parse_subscribe(r, true);
    if (type == "unsubscribe") return parse_subscribe(r, false);
    if (type == "list") return parse_list(r);
    if (type == "status") return parse_command_id<status_request>(r);
    if (type == "cancel") return parse_command_id<cancel_request>(r);

    bool printable = type.size() <= 64;
    for (char c : type) printable = printable && c >= 0x20 && c < 0x7f;
    frame_error e =
        bad_request(printable ? "unknown frame type '" + type + "'" : "unknown frame type", "type");
    if (printable) e.request_type = type;
    return with_request_id(std::move(e));
}

std::string_view type_name(const inbound_frame& frame) noexcept {
    struct namer {
        std::string_view operator()(const register_request&) const { return "register"; }
        std::string_view operator()(const command_request&) const { return "command"; }
        std::string_view operator()(const response_request&) const { return "response"; }
        std::string_view operator()(const message_request&) const { return "message"; }
        std::string_view operator()(const event_request&) const { return "event"; }
        std::string_view operator()(const subscribe_request& s) const {
            return s.subscribe ? "subscribe" : "unsubscribe";
        }
        std::string_view operator()(const list_request&) const { return "list"; }
        std::string_view operator()(const status_request&) const { return "status"; }
        std::string_view operator()(const cancel_request&) const { return "cancel"; }
    };
    return std::visit(namer{}, frame);
}

std::optional<frame_error> adopt_carried_traceparent(inbound_frame& frame,
                                                     std::string_view traceparent) {
    return std::visit(
        [&frame, traceparent](auto& f) -> std::optional<frame_error> {
            if constexpr (requires { f.trace; }) {
                if (f.trace) return std::nullopt;
                traceparent_parse parsed = parse_traceparent(traceparent);
                if (parsed.context) {
                    f.trace = parsed.context;
                    return std::nullopt;
                }
                frame_error e;
                e.code = error_code::bad_request;
                e.field = "traceparent";
                e.message = traceparent_error_text(parsed.problem);
                e.request_type = std::string(type_name(frame));
                e.request_id = f.id;
                return e;
            }
            return std::nullopt;
        },
        frame);
}

std::string_view request_id_of(const inbound_frame& frame) noexcept {
    return std::visit(
        [](const auto& f) -> std::string_view {
            if constexpr (requires { f.id; }) {
                if constexpr (std::is_same_v<std::decay_t<decltype(f.id)>, std::string>) {
                    return f.id;
                } else {
                    return f.id ? std::string_view(*f.id) : std::string_view();
                }
            }
            return {};
        },
        frame);
}

}  // namespace switchboard
