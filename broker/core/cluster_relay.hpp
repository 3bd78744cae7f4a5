#pragma once
// Scale-out (docs/scaling.md, "The cluster relay"): the broadcast relay for
// a response whose command this node does not hold and cannot place. An
// MQTT controller's command reaches one node through the shared
// subscription, and its device's answer may reach another, which cannot
// tell which node holds the command (the controller's status names none).
// Likewise a controller that moved to this node (its node restarted) left
// its commands on the node it sent them from. This node publishes the
// relayed response (make_relayed_response) on `{prefix}/$relay`, which every
// node reads; the node whose ledger holds the command settles it
// (router::settle_response), and every node tells this one whether it held
// it. When none did, this node answers the device `unknown_command`
// (router::answer_held_nowhere), as one node answers at once.
// Implemented by the MQTT bridge; the router calls it from any thread.

#include "client_record.hpp"
#include "inbound_frame.hpp"

namespace switchboard {

class cluster_relay {
public:
    enum class outcome {
        published,  // queued for every node (QoS 1)
        no_peers,   // no other node is up: the command cannot be elsewhere
        refused,    // the bridge is down or its unacknowledged window is full
    };
    // Publishes `device`'s `response` (this node's record of the device that
    // sent it) to every node, and remembers whom to answer if no node holds
    // it. Any thread.
    virtual outcome relay_response(const client_ptr& device, const response_request& response) = 0;

protected:
    ~cluster_relay() = default;
};

}  // namespace switchboard
