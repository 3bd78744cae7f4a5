#pragma once
// Scale-out (docs/scaling.md): several gateway nodes behind one MQTT broker
// act as one gateway. A WebSocket client of another node looks, to this
// node, like an MQTT client: an ID reachable at `{prefix}/{id}/in`. Its
// node publishes a retained status naming itself; the other nodes register
// the ID as a *remote* client. This file is the plain logic of it: the
// status a node publishes for its WebSocket clients, how a remote
// registration's session is named (so the router and the bridge tell remote
// records from local ones), the response a node relays to the node that
// holds the command, and which of two registrations of one ID wins.
// Plain functions: any thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client_record.hpp"
#include "endpoint.hpp"
#include "inbound_frame.hpp"

namespace switchboard {

// The session name of a remote registration: `remote:{node}:{n}`. A
// WebSocket session's or an MQTT client's name never starts with "remote:".
std::string remote_session(std::string_view node, std::uint64_t n);
bool is_remote_session(std::string_view session) noexcept;

// The retained status a node publishes on `{prefix}/{id}/status` for its
// own WebSocket client: `{"online":true,"role":...,"meta":{...},
// "node":"<node>","transport":"ws","since":<µs>}`. `since` (wall clock,
// microseconds) orders two registrations of one ID (registration_wins).
std::string node_status_payload(const client_record& client, std::string_view node,
                                std::int64_t since_us);

// A registration of an ID, as far as the cluster orders them.
struct registration_stamp {
    std::int64_t since_us = 0;
    std::string_view node;
};

// Whether registration `a` is newer than `b`: later `since`, and on a tie the
// node name sorting last. Every node compares the same two stamps the same
// way, so when two nodes register one ID at once exactly one of them wins.
bool newer_registration(const registration_stamp& a, const registration_stamp& b) noexcept;

// A record's `since` as the stamp's microseconds.
std::int64_t micros_since_epoch(std::chrono::system_clock::time_point t) noexcept;

// The key of a relay on `{prefix}/$relay` that every node that reads it
// replies with (relay_waits.hpp): `"relayed_by":<node>,"relay_seq":<seq>`.
// `seq` must fit a JSON integer below 2^63.
struct relay_key {
    std::string_view node;
    std::uint64_t seq = 0;
};

// A response relayed to the node holding its command: the device's response
// with its sender: `{"type":"response","to":...,"from":...,"id":...,"ok":...,
// "result"|"error":...,"traceparent"?}`, published to the controller's inbox;
// with `key`, the relay key too, for `{prefix}/$relay`.
frame_ptr make_relayed_response(std::string_view from, const response_request& response,
                                std::optional<relay_key> key = std::nullopt);

// A node's reply to a relay it read, published on `{prefix}/$relay/{node}`
// for the node that relayed it: `{"relay_seq":<seq>,"node":<replying
// node>,"held":<bool>}`; held: the command was settled there, or answered
// there as late.
struct relay_reply {
    std::uint64_t seq = 0;
    std::string node;
    bool held = false;
};
std::string make_relay_reply(const relay_reply& reply);
// None when it is not a reply, or names an invalid node.
std::optional<relay_reply> read_relay_reply(std::string_view payload);

// What arrived on the inbox of one of this node's WebSocket clients,
// published by another node: a relayed response to settle here (with its
// sender), or a frame to deliver as it is.
struct inbox_frame_reading {
    enum class kind { deliver, relayed_response, invalid };
    kind what = kind::deliver;
    std::string from;
    response_request response;
    // On the relay topic, from a node that waits for replies (relay_key):
    // whom to reply to, and the key; empty from a node that waits for none.
    std::string relayed_by;
    std::uint64_t relay_seq = 0;
};

// `payload` arrived on `{prefix}/{to}/in`. A relayed response must name `to`
// and a valid `from`; anything else that is a JSON object is delivered.
inbox_frame_reading read_inbox_frame(std::string_view payload, std::string_view to,
                                     std::size_t max_bytes);

// `payload` arrived on the cluster relay topic `{prefix}/$relay`
// (cluster_relay.hpp): a relayed response for any controller, or invalid.
inbox_frame_reading read_cluster_relay(std::string_view payload, std::size_t max_bytes);

}  // namespace switchboard
