#pragma once
// What the gateway knows of one registered client. Immutable once registered
// and shared (shared_ptr<const client_record>) by the registry, the client's
// own session and the router.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "named_values.hpp"
#include "transport_kind.hpp"

namespace switchboard {

class endpoint;

enum class client_role { device, controller };

// How far the gateway can vouch for a record's claim to its ID: checked
// against a credential (a WebSocket `register` with auth required, or an MQTT
// status through a broker that authenticates its clients, see
// mqtt.broker_authenticates), or taken on trust. A takeover never goes from
// authenticated to unauthenticated (docs/security.md).
enum class client_trust { unauthenticated, authenticated };

inline constexpr named_value<client_role> role_names[] = {{"device", client_role::device},
                                                          {"controller", client_role::controller}};

inline std::string_view to_string(client_role role) noexcept { return name_of(role_names, role); }
inline std::optional<client_role> parse_role(std::string_view text) noexcept {
    return value_named(role_names, text);
}

struct client_record {
    std::string id;
    client_role role = client_role::device;
    transport_kind via = transport_kind::ws;
    client_trust trust = client_trust::unauthenticated;
    std::string session;    // unique per connection; tells two sessions of one ID apart
    std::string meta_json;  // serialized object, "{}" when none was given
    std::chrono::system_clock::time_point since;
    std::shared_ptr<endpoint> link;  // where frames for this client go
};

using client_ptr = std::shared_ptr<const client_record>;

}  // namespace switchboard
