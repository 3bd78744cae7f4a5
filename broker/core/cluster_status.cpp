#include "cluster_status.hpp"

#include "id_rules.hpp"
#include "json_text.hpp"
#include "json_writer.hpp"

namespace switchboard {
namespace {
constexpr std::string_view remote_prefix = "remote:";
}  // namespace

std::string remote_session(std::string_view node, std::uint64_t n) {
    std::string s(remote_prefix);
    s.append(node).append(":").append(std::to_string(n));
    return s;
}

bool is_remote_session(std::string_view session) noexcept {
    return session.starts_with(remote_prefix);
}

std::string node_status_payload(const client_record& client, std::string_view node,
                                std::int64_t since_us) {
    return json_writer{96 + client.meta_json.size() + node.size()}
        .boolean("online", true)
        .string("role", to_string(client.role))
        .raw("meta", client.meta_json.empty() ? std::string_view("{}") : client.meta_json)
        .string("node", node)
        .string("transport", to_string(client.via))
        .integer("since", since_us)
        .finish();
}

bool newer_registration(const registration_stamp& a, const registration_stamp& b) noexcept {
    if (a.since_us != b.since_us) return a.since_us > b.since_us;
    return a.node > b.node;
}

std::int64_t micros_since_epoch(std::chrono::system_clock::time_point t) noexcept {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

frame_ptr make_relayed_response(std::string_view from, const response_request& response,
                                std::optional<relay_key> key) {
    json_writer w{160 + response.result_json.size() + response.error_json.size()};
    w.string("type", "response")
        .string("to", response.to)
        .string("from", from)
        .string("id", response.id)
        .boolean("ok", response.ok)
        .raw("result", response.result_json)
        .raw("error", response.error_json);
    if (response.trace) w.string("traceparent", response.trace->text().view());
    if (key) {
        w.string("relayed_by", key->node).integer("relay_seq", static_cast<std::int64_t>(key->seq));
    }
    return w.share();
}

std::string make_relay_reply(const relay_reply& reply) {
    return json_writer{48 + reply.node.size()}
        .integer("relay_seq", static_cast<std::int64_t>(reply.seq))
        .string("node", reply.node)
        .boolean("held", reply.held)
        .finish();
}

namespace {

// The member `name` of `doc` as a string, when it is one.
std::optional<std::string> string_member(const json_object_view& doc, std::string_view name) {
    const json_member* m = doc.find(name);
    if (m == nullptr || m->kind != json_kind::string) return std::nullopt;
    return json_string_value(m->value);
}

// The member `name` of `doc` as a non-negative integer, when it is one.
std::optional<std::uint64_t> count_member(const json_object_view& doc, std::string_view name) {
    const json_member* m = doc.find(name);
    if (m == nullptr || m->kind != json_kind::number) return std::nullopt;
    auto v = json_integer_value(m->value);
    if (!v || *v < 0) return std::nullopt;
    return static_cast<std::uint64_t>(*v);
}

}  // namespace

std::optional<relay_reply> read_relay_reply(std::string_view payload) {
    constexpr std::size_t max_reply_bytes = 512;
    json_object_view doc;
    if (payload.size() > max_reply_bytes ||
        doc.parse(payload, max_json_depth) != json_object_view::status::ok) {
        return std::nullopt;
    }
    auto seq = count_member(doc, "relay_seq");
    auto node = string_member(doc, "node");
    const json_member* held = doc.find("held");
    if (!seq || !node || !is_valid_id(*node) || held == nullptr ||
        held->kind != json_kind::boolean) {
        return std::nullopt;
    }
    return relay_reply{*seq, std::move(*node), held->value == "true"};
}

namespace {

// A relayed response in `doc` (parsed from `payload`), for `to` when given.
inbox_frame_reading read_relayed(const json_object_view& doc, std::string_view payload,
                                 std::optional<std::string_view> to) {
    inbox_frame_reading r;
    r.what = inbox_frame_reading::kind::invalid;
    const json_member* from = doc.find("from");
    if (from == nullptr || from->kind != json_kind::string) return r;
    r.from = json_string_value(from->value);
    if (!is_valid_id(r.from)) return r;
    auto parsed = parse_frame(payload);
    auto* frame = std::get_if<inbound_frame>(&parsed);
    auto* response = frame ? std::get_if<response_request>(frame) : nullptr;
    if (response == nullptr || (to && response->to != *to)) return r;
    r.response = std::move(*response);
    r.what = inbox_frame_reading::kind::relayed_response;
    // A key that does not read whole is no key: the relay is still settled,
    // and its node waits for this one's reply until its deadline.
    auto by = string_member(doc, "relayed_by");
    auto seq = count_member(doc, "relay_seq");
    if (by && seq && is_valid_id(*by)) {
        r.relayed_by = std::move(*by);
        r.relay_seq = *seq;
    }
    return r;
}

bool is_response_naming_both_ends(const json_object_view& doc) {
    const json_member* type = doc.find("type");
    return type != nullptr && type->kind == json_kind::string && type->value == "\"response\"" &&
           doc.find("to") != nullptr;
}

}  // namespace

inbox_frame_reading read_inbox_frame(std::string_view payload, std::string_view to,
                                     std::size_t max_bytes) {
    json_object_view doc;
    if (payload.size() > max_bytes ||
        doc.parse(payload, max_json_depth) != json_object_view::status::ok) {
        return {.what = inbox_frame_reading::kind::invalid};
    }
    // Only a relayed response names both ends; a frame built for the client
    // (`from` only) goes to it as it is.
    if (!is_response_naming_both_ends(doc)) return {};
    return read_relayed(doc, payload, to);
}

inbox_frame_reading read_cluster_relay(std::string_view payload, std::size_t max_bytes) {
    json_object_view doc;
    if (payload.size() > max_bytes ||
        doc.parse(payload, max_json_depth) != json_object_view::status::ok ||
        !is_response_naming_both_ends(doc)) {
        return {.what = inbox_frame_reading::kind::invalid};
    }
    return read_relayed(doc, payload, std::nullopt);
}

}  // namespace switchboard
