#include "protocol_client.hpp"

#include "core/outbound_frame.hpp"

namespace switchboard::client {

namespace {

// Builds one frame into `out` (reused across frames to avoid allocations).
class frame_builder {
public:
    explicit frame_builder(std::string& out) : out_(out) {
        out_.clear();
        out_.push_back('{');
    }
    frame_builder& string(std::string_view key, std::string_view value) {
        this->key(key);
        append_json_string(out_, value);
        return *this;
    }
    frame_builder& raw(std::string_view key, std::string_view json) {
        if (json.empty()) return *this;
        this->key(key);
        out_ += json;
        return *this;
    }
    frame_builder& integer(std::string_view key, std::int64_t value) {
        this->key(key);
        out_ += std::to_string(value);
        return *this;
    }
    std::string_view finish() {
        out_.push_back('}');
        return out_;
    }

private:
    void key(std::string_view k) {
        if (out_.size() > 1) out_.push_back(',');
        append_json_string(out_, k);
        out_.push_back(':');
    }
    std::string& out_;
};

}  // namespace

protocol_client::protocol_client(std::shared_ptr<transport> link, identity who)
    : link_(std::move(link)), who_(std::move(who)) {
    scratch_.reserve(256);
}

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
    frame_builder b(scratch_);
    b.string("type", "register").string("id", who_.id).string("role", who_.role);
    if (!who_.token.empty()) b.string("token", who_.token);
    b.raw("meta", who_.meta_json);
    link_->send(b.finish());
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
                              std::string_view args_json, std::int64_t timeout_ms) {
    frame_builder b(scratch_);
    b.string("type", "command").string("to", to).string("id", id).string("name", name);
    b.raw("args", args_json);
    if (timeout_ms > 0) b.integer("timeout_ms", timeout_ms);
    return link_->send(b.finish());
}

bool protocol_client::respond_ok(std::string_view to, std::string_view id,
                                 std::string_view result_json) {
    frame_builder b(scratch_);
    b.string("type", "response").string("to", to).string("id", id).raw("ok", "true");
    b.raw("result", result_json.empty() ? std::string_view("{}") : result_json);
    return link_->send(b.finish());
}

bool protocol_client::respond_error(std::string_view to, std::string_view id, std::string_view code,
                                    std::string_view message) {
    std::string error;
    error.reserve(32 + code.size() + message.size());
    error += "{\"code\":";
    append_json_string(error, code);
    error += ",\"message\":";
    append_json_string(error, message);
    error += '}';
    frame_builder b(scratch_);
    b.string("type", "response").string("to", to).string("id", id).raw("ok", "false");
    b.raw("error", error);
    return link_->send(b.finish());
}

bool protocol_client::event(std::string_view name, std::string_view data_json) {
    frame_builder b(scratch_);
    b.string("type", "event").string("name", name).raw("data", data_json);
    return link_->send(b.finish());
}

bool protocol_client::subscribe(const std::vector<std::string>& patterns) {
    std::string ids = "[";
    for (const auto& p : patterns) {
        if (ids.size() > 1) ids.push_back(',');
        append_json_string(ids, p);
    }
    ids.push_back(']');
    frame_builder b(scratch_);
    b.string("type", "subscribe").raw("ids", ids);
    return link_->send(b.finish());
}

bool protocol_client::send_raw(std::string_view text) { return link_->send(text); }

void protocol_client::close() { link_->close(); }

void protocol_client::cut() { link_->cut(); }

}  // namespace switchboard::client
