#include "outbound_frame.hpp"

#include <chrono>

namespace switchboard {

frame_ptr make_error(const frame_error& error) {
    json_writer w;
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
    json_writer w;
    w.string("type", "error").string("code", to_string(code)).string("message", message);
    if (!request_id.empty()) w.string("id", request_id);
    if (!request_type.empty()) w.string("request_type", request_type);
    return w.share();
}

frame_ptr make_registered(const client_record& client, std::string_view node,
                          std::string_view limits_json) {
    return json_writer{}
        .string("type", "registered")
        .string("id", client.id)
        .string("role", to_string(client.role))
        .string("session", client.session)
        .string("node", node)
        .raw("limits", limits_json)
        .share();
}

namespace {
void write_traceparent(json_writer& w, const trace_context* trace) {
    if (trace != nullptr) w.string("traceparent", trace->text().view());
}
}  // namespace

frame_ptr make_command(std::string_view from, const command_request& command,
                       const trace_context* trace) {
    json_writer w{96 + command.args_json.size()};
    w.string("type", "command")
        .string("from", from)
        .string("id", command.id)
        .string("name", command.name);
    write_traceparent(w, trace);
    w.raw("args", command.args_json);
    return w.share();
}

frame_ptr make_response(std::string_view from, const response_request& response,
                        const trace_context* trace) {
    json_writer w{96 + response.result_json.size() + response.error_json.size()};
    w.string("type", "response").string("from", from).string("id", response.id);
    write_traceparent(w, trace);
    w.boolean("ok", response.ok)
        .raw("result", response.result_json)
        .raw("error", response.error_json);
    return w.share();
}

frame_ptr make_failed_response(std::string_view from, std::string_view id, error_code code,
                               std::string_view message, const trace_context* trace) {
    std::string error =
        json_writer{}.string("code", to_string(code)).string("message", message).finish();
    json_writer w;
    w.string("type", "response").string("from", from).string("id", id);
    write_traceparent(w, trace);
    w.boolean("ok", false).raw("error", error);
    return w.share();
}

frame_ptr make_message(std::string_view from, const message_request& message) {
    json_writer w{64 + message.payload_json.size()};
    w.string("type", "message").string("from", from);
    if (message.id) w.string("id", *message.id);
    w.raw("payload", message.payload_json);
    return w.share();
}

frame_ptr make_event(std::string_view from, const event_request& event) {
    return json_writer{64 + event.data_json.size()}
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

frame_ptr make_presence(const client_record& client, bool online, std::uint64_t seq,
                        presence_reason reason) {
    json_writer w;
    w.string("type", "presence")
        .string("id", client.id)
        .string("role", to_string(client.role))
        .boolean("online", online)
        .string("via", to_string(client.via))
        .integer("seq", static_cast<std::int64_t>(seq))
        .string("reason", to_string(reason));
    if (online) w.integer("since", unix_ms(client.since)).raw("meta", client.meta_json);
    return w.share();
}

frame_ptr make_ack(std::string_view id, std::string_view status) {
    return json_writer{}.string("type", "ack").string("id", id).string("status", status).share();
}

frame_ptr make_status(std::string_view id, std::string_view state, std::string_view to) {
    json_writer w;
    w.string("type", "status").string("id", id).string("state", state);
    if (!to.empty()) w.string("to", to);
    return w.share();
}

frame_ptr make_subscribed(const subscribe_request& request) {
    std::string ids = "[";
    for (const auto& p : request.patterns) {
        if (ids.size() > 1) ids.push_back(',');
        append_json_string(ids, p);
    }
    ids.push_back(']');
    json_writer w;
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
        array += json_writer{}
                     .string("id", c->id)
                     .string("role", to_string(c->role))
                     .string("via", to_string(c->via))
                     .integer("since", unix_ms(c->since))
                     .raw("meta", c->meta_json)
                     .finish();
    }
    array.push_back(']');
    json_writer w{array.size() + 64};
    w.string("type", "list");
    if (request_id) w.string("id", *request_id);
    w.raw("items", array).boolean("more", more);
    return w.share();
}

}  // namespace switchboard
