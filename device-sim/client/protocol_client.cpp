#include "protocol_client.hpp"

#include "core/outbound_frame.hpp"

namespace switchboard::client {

namespace {
// Room for a typical frame, so building one allocates once.
constexpr std::size_t frame_reserve = 256;
}  // namespace

protocol_client::protocol_client(std::shared_ptr<transport> link, identity who)
    : link_(std::move(link)), who_(std::move(who)) {}

protocol_client::~protocol_client() {
    link_->detach();
    link_->cut();
}

void protocol_client::connect(protocol_listener& listener) {
    listener_ = &listener;
    registered_ = false;
    link_->open(*this);
}

void protocol_client::on_open() {
    if (link_->kind() == transport_kind::mqtt) {
        registered_ = true;
        if (listener_ != nullptr) listener_->on_registered(frame_view{});
        return;
    }
    json_writer w(frame_reserve);
    w.string("type", "register").string("id", who_.id).string("role", who_.role);
    if (!who_.token.empty()) w.string("token", who_.token);
    w.raw("meta", who_.meta_json);
    link_->send(w.finish());
}

void protocol_client::on_text(std::string_view text) {
    frame_view frame;
    if (!frame.parse(text)) return;  // the gateway only sends objects; ignore anything else
    if (!registered_) {
        if (frame.type() == "registered") {
            registered_ = true;
            if (listener_ != nullptr) listener_->on_registered(frame);
            return;
        }
        if (frame.type() == "error") {
            auto code = frame.plain_string("code").value_or("");
            auto message = frame.string("message").value_or("");
            if (listener_ != nullptr) listener_->on_refused(code, message);
            link_->close();
            return;
        }
    }
    if (listener_ != nullptr) listener_->on_frame(frame);
}

void protocol_client::on_closed(const close_info& info) {
    bool was = registered_;
    registered_ = false;
    if (listener_ != nullptr) listener_->on_disconnected(info, was);
}

bool protocol_client::command(std::string_view to, std::string_view id, std::string_view name,
                              std::string_view args_json, std::int64_t timeout_ms,
                              std::int64_t ttl_ms) {
    json_writer w(frame_reserve + args_json.size());
    w.string("type", "command").string("to", to).string("id", id).string("name", name);
    w.raw("args", args_json);
    if (timeout_ms > 0) w.integer("timeout_ms", timeout_ms);
    if (ttl_ms > 0) w.integer("ttl_ms", ttl_ms);
    return link_->send(w.finish());
}

bool protocol_client::respond_ok(std::string_view to, std::string_view id,
                                 std::string_view result_json, std::string_view traceparent) {
    json_writer w(frame_reserve + result_json.size());
    w.string("type", "response").string("to", to).string("id", id).boolean("ok", true);
    if (!traceparent.empty()) w.string("traceparent", traceparent);
    w.raw("result", result_json.empty() ? std::string_view("{}") : result_json);
    return send_response(w.finish(), traceparent);
}

bool protocol_client::respond_error(std::string_view to, std::string_view id, std::string_view code,
                                    std::string_view message, std::string_view traceparent) {
    json_writer error(32 + code.size() + message.size());
    error.string("code", code).string("message", message);
    json_writer w(frame_reserve + message.size());
    w.string("type", "response").string("to", to).string("id", id).boolean("ok", false);
    if (!traceparent.empty()) w.string("traceparent", traceparent);
    w.raw("error", error.finish());
    return send_response(w.finish(), traceparent);
}

bool protocol_client::send_response(const std::string& frame, std::string_view traceparent) {
    return traceparent.empty() ? link_->send(frame) : link_->send_traced(frame, traceparent);
}

bool protocol_client::event(std::string_view name, std::string_view data_json) {
    json_writer w(frame_reserve + data_json.size());
    w.string("type", "event").string("name", name).raw("data", data_json);
    return link_->send(w.finish());
}

bool protocol_client::subscribe(const std::vector<std::string>& patterns) {
    std::string ids = "[";
    for (const auto& p : patterns) {
        if (ids.size() > 1) ids.push_back(',');
        append_json_string(ids, p);
    }
    ids.push_back(']');
    json_writer w(frame_reserve + ids.size());
    w.string("type", "subscribe").raw("ids", ids);
    return link_->send(w.finish());
}

bool protocol_client::send_raw(std::string_view text) { return link_->send(text); }

void protocol_client::close() { link_->close(); }

void protocol_client::cut() { link_->cut(); }

}  // namespace switchboard::client
