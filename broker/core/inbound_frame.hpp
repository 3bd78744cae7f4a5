#pragma once
// The client-to-server frames of docs/protocol.md §3, parsed and validated.
// JSON sub-values that the gateway only passes on (args, result, payload,
// meta, data) are validated and kept as the text they came in (json_text.hpp),
// so routing splices them into the outbound frame without building a tree.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "client_record.hpp"
#include "error_code.hpp"
#include "trace_context.hpp"

namespace switchboard {

struct register_request {
    std::string id;
    client_role role = client_role::device;
    std::optional<std::string> token;
    std::string meta_json = "{}";
};

struct command_request {
    std::string to;
    std::string id;
    std::string name;
    std::string args_json;  // empty when absent
    std::optional<std::int64_t> timeout_ms;
    std::optional<std::int64_t> ttl_ms;
    bool ack = false;
    std::optional<trace_context> trace;  // `traceparent`, when given
};

struct response_request {
    std::string to;
    std::string id;
    bool ok = false;
    std::string result_json;             // empty when absent
    std::string error_json;              // empty when absent
    std::optional<trace_context> trace;  // `traceparent`, when given
};

struct message_request {
    std::string to;
    std::string payload_json;
    std::optional<std::string> id;
};

struct event_request {
    std::string name;
    std::string data_json;  // empty when absent
};

// `subscribe` and `unsubscribe` share a shape.
struct subscribe_request {
    bool subscribe = true;
    std::vector<std::string> patterns;
    std::optional<std::string> id;
};

struct list_request {
    std::optional<client_role> role;
    std::string prefix;
    std::string after;  // paging: only IDs sorting after this one
    std::optional<std::size_t> limit;
    std::optional<std::string> id;
};

// A controller asks for the state of one of its commands.
struct status_request {
    std::string id;  // the command's correlation ID
};

// A controller cancels one of its queued commands.
struct cancel_request {
    std::string id;  // the command's correlation ID
};

// The longest `ttl_ms` a command may carry: 24 hours.
inline constexpr std::int64_t max_ttl_ms = 86400000;

using inbound_frame =
    std::variant<register_request, command_request, response_request, message_request,
                 event_request, subscribe_request, list_request, status_request, cancel_request>;

// What is wrong with a frame: becomes an `error` frame for its sender.
struct frame_error {
    error_code code = error_code::bad_request;
    std::string message;
    std::string field;         // the offending field, for bad_request
    std::string request_type;  // the frame's `type`, when it had a readable one
    std::string request_id;    // the frame's `id`, when it had a readable one
};

using parse_result = std::variant<inbound_frame, frame_error>;

// Frames deeper than this are refused; the parser stops there.
inline constexpr int max_json_depth = 32;

// Never throws. Any text that is not a valid frame gives a frame_error whose
// message names the field at fault.
parse_result parse_frame(std::string_view text);

std::string_view type_name(const inbound_frame& frame) noexcept;

// A traceparent the transport carried beside the payload (an MQTT 5 user
// property): it counts as the field for a `command` or `response` that has
// none (the field wins when both are there), and is ignored on other
// frames. Not a valid traceparent: the error for the sender, naming the
// field. Never throws.
std::optional<frame_error> adopt_carried_traceparent(inbound_frame& frame,
                                                     std::string_view traceparent);

// The frame's `id`, empty when it has none: echoed in errors about the frame.
std::string_view request_id_of(const inbound_frame& frame) noexcept;

}  // namespace switchboard
