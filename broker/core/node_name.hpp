#pragma once
// This gateway node's name (docs/scaling.md): it names the node in the
// statuses it publishes, in `registered` and in the bridge's MQTT client ID.
// Plain function: any thread.

#include <string>

#include "gateway_config.hpp"

namespace switchboard {

// `config.node`, or "switchboard" when it is empty: an in-process gateway
// (a test) given no name. main() names a running gateway first, after its
// host and port (default_node_name), so that two nodes started without a
// name on one broker still differ.
std::string node_of(const gateway_config& config);

}  // namespace switchboard
