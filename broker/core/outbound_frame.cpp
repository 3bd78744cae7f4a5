#include "outbound_frame.hpp"

#include <chrono>

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

json_object_writer::json_object_writer(std::size_t reserve) {
    out_.reserve(reserve);
    out_.push_back('{');
}

void json_object_writer::key(std::string_view k) {
    if (out_.size() > 1) out_.push_back(',');
    out_.push_back('"');
    out_ += k;
    out_ += "\":";
}

json_object_writer& json_object_writer::string(std::string_view k, std::string_view value) {
    key(k);
    append_json_string(out_, value);
    return *this;
}

json_object_writer& json_object_writer::integer(std::string_view k, std::int64_t value) {
    key(k);
    out_ += std::to_string(value);
    return *this;
}

json_object_writer& json_object_writer::boolean(std::string_view k, bool value) {
    key(k);
    out_ += value ? "true" : "false";
    return *this;
}

json_object_writer& json_object_writer::raw(std::string_view k, std::string_view json) {
    if (json.empty()) return *this;
    key(k);
    out_ += json;
    return *this;
}

std::string json_object_writer::finish() {
    out_.push_back('}');
    return std::move(out_);
}

frame_ptr json_object_writer::share() { return std::make_shared<const std::string>(finish()); }

frame_ptr make_error(const frame_error& error) {
    json_object_writer w;
    w.string("type", "error")
        .string("code", to_string(error.code))
        .string("message", error.message);
    if (!error.request_id.empty()) w.string("id", error.request_id);
    if (!error.request_type.empty()) w.string("request_type", error.request_type);
    if (!error.field.empty()) w.string("field", error.field);
    return w.share();
}

frame_ptr make_error(error_code code, std::string_view message, std::string_view request_id,
                     std::string_view request_type) {
    json_object_writer w;
    w.string("type", "error").string("code", to_string(code)).string("message", message);
    if (!request_id.empty()) w.string("id", request_id);
    if (!request_type.empty()) w.string("request_type", request_type);
    return w.share();
}

frame_ptr make_registered(const client_record& client, std::string_view node,
                          std::string_view limits_json) {
    return json_object_writer{}
        .string("type", "registered")
        .string("id", client.id)
        .string("role", to_string(client.role))
        .string("session", client.session)
        .string("node", node)
        .raw("limits", limits_json)
        .share();
}

frame_ptr make_command(std::string_view from, const command_request& command) {
    return json_object_writer{96 + command.args_json.size()}
        .string("type", "command")
        .string("from", from)
        .string("id", command.id)
        .string("name", command.name)
        .raw("args", command.args_json)
        .share();
}

frame_ptr make_response(std::string_view from, const response_request& response) {
    return json_object_writer{96 + response.result_json.size() + response.error_json.size()}
        .string("type", "response")
        .string("from", from)
        .string("id", response.id)
        .boolean("ok", response.ok)
        .raw("result", response.result_json)
        .raw("error", response.error_json)
        .share();
}

frame_ptr make_failed_response(std::string_view from, std::string_view id, error_code code,
                               std::string_view message) {
    std::string error =
        json_object_writer{}.string("code", to_string(code)).string("message", message).finish();
    return json_object_writer{}
        .string("type", "response")
        .string("from", from)
        .string("id", id)
        .boolean("ok", false)
        .raw("error", error)
        .share();
}

frame_ptr make_message(std::string_view from, const message_request& message) {
    json_object_writer w{64 + message.payload_json.size()};
    w.string("type", "message").string("from", from);
    if (message.id) w.string("id", *message.id);
    w.raw("payload", message.payload_json);
    return w.share();
}

frame_ptr make_event(std::string_view from, const event_request& event) {
    return json_object_writer{64 + event.data_json.size()}
        .string("type", "event")
        .string("from", from)
        .string("name", event.name)
        .raw("data", event.data_json)
        .share();
}

namespace {
std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

frame_ptr make_presence(const client_record& client, bool online) {
    json_object_writer w;
    w.string("type", "presence")
        .string("id", client.id)
        .string("role", to_string(client.role))
        .boolean("online", online)
        .string("via", to_string(client.via));
    if (online) w.integer("since", unix_ms(client.since)).raw("meta", client.meta_json);
    return w.share();
}

frame_ptr make_ack(std::string_view id, std::string_view status) {
    return json_object_writer{}
        .string("type", "ack")
        .string("id", id)
        .string("status", status)
        .share();
}

frame_ptr make_subscribed(const subscribe_request& request) {
    std::string ids = "[";
    for (const auto& p : request.patterns) {
        if (ids.size() > 1) ids.push_back(',');
        append_json_string(ids, p);
    }
    ids.push_back(']');
    json_object_writer w;
    w.string("type", request.subscribe ? "subscribed" : "unsubscribed");
    if (request.id) w.string("id", *request.id);
    w.raw("ids", ids);
    return w.share();
}

frame_ptr make_list(const std::vector<client_ptr>& items, bool more,
                    const std::optional<std::string>& request_id) {
    std::string array = "[";
    array.reserve(64 + items.size() * 96);
    for (const auto& c : items) {
        if (array.size() > 1) array.push_back(',');
        array += json_object_writer{}
                     .string("id", c->id)
                     .string("role", to_string(c->role))
                     .string("via", to_string(c->via))
                     .integer("since", unix_ms(c->since))
                     .raw("meta", c->meta_json)
                     .finish();
    }
    array.push_back(']');
    json_object_writer w{array.size() + 64};
    w.string("type", "list");
    if (request_id) w.string("id", *request_id);
    w.raw("items", array).boolean("more", more);
    return w.share();
}

}  // namespace switchboard
