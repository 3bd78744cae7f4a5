#pragma once
// Builds server-to-client frames (docs/protocol.md §3) as one serialized
// string each, ready to be shared by every recipient. Fields arrive either as
// plain strings (escaped here) or as JSON already serialized by the parser.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client_record.hpp"
#include "endpoint.hpp"
#include "error_code.hpp"
#include "inbound_frame.hpp"
#include "json_writer.hpp"
#include "presence_reason.hpp"
#include "trace_context.hpp"

namespace switchboard {

frame_ptr make_error(const frame_error& error);
frame_ptr make_error(error_code code, std::string_view message, std::string_view request_id = {},
                     std::string_view request_type = {});
frame_ptr make_registered(const client_record& client, std::string_view node,
                          std::string_view limits_json);
// `trace`, when given, is written as `traceparent` (the router passes the
// context of its own hop, not the one it received).
frame_ptr make_command(std::string_view from, const command_request& command,
                       const trace_context* trace = nullptr);
frame_ptr make_response(std::string_view from, const response_request& response,
                        const trace_context* trace = nullptr);
// The server's own answer when a command fails after it was accepted (timeout).
frame_ptr make_failed_response(std::string_view from, std::string_view id, error_code code,
                               std::string_view message, const trace_context* trace = nullptr);
frame_ptr make_message(std::string_view from, const message_request& message);
frame_ptr make_event(std::string_view from, const event_request& event);
frame_ptr make_presence(const client_record& client, bool online, std::uint64_t seq,
                        presence_reason reason);
frame_ptr make_ack(std::string_view id, std::string_view status);
// The answer to `status`: `state` of the command `id`, and the device it
// went to (`to`, left out when empty: the command is unknown).
frame_ptr make_status(std::string_view id, std::string_view state, std::string_view to);
frame_ptr make_subscribed(const subscribe_request& request);
frame_ptr make_list(const std::vector<client_ptr>& items, bool more,
                    const std::optional<std::string>& request_id);

}  // namespace switchboard
