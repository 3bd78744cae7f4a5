#pragma once
// What an MQTT client may do on the broker, decided from the gateway's own
// config so that one file rules both transports (docs/security.md). The
// mosquitto plugin (bridge/mosquitto_auth) is a thin shell around it:
//   - login: the gateway's own user (mqtt.username / mqtt.password) or a
//     client whose user name is its ID and whose password is the token or
//     JWT it would present on WebSocket, checked by the same authenticator.
//     The client ID must equal the user name, so a client cannot push
//     another's MQTT connection off by borrowing its client ID;
//   - topics: a client reads only `{prefix}/{id}/in` and writes only
//     `{prefix}/{id}/out`, `/status` and `/events`; the gateway's user may
//     touch every topic;
//   - status payloads: the role an online status claims must be the role
//     of the credential the client logged in with.
// Immutable after construction; any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "authenticator.hpp"
#include "client_record.hpp"

namespace switchboard {

struct gateway_config;

// Who a connected MQTT client is, as its login established.
struct mqtt_identity {
    enum class kind { gateway, client };
    kind who = kind::client;
    std::string id;                   // client: its ID (its user name and client ID)
    std::optional<client_role> role;  // client: its credential's role; none when auth is off
};

struct mqtt_login {
    std::optional<mqtt_identity> identity;  // none: refused
    std::string reason;                     // why refused; never holds the credential
};

class mqtt_access {
public:
    // `gateway_password` may differ from config.mqtt.password when the
    // broker gets it from elsewhere (a file); an empty user name disables
    // the gateway's login.
    mqtt_access(const gateway_config& config, std::string gateway_username,
                const std::string& gateway_password);

    // `username`/`password` are absent when the client sent none; `now` is
    // unix seconds (for JWT expiry).
    mqtt_login login(std::optional<std::string_view> username,
                     std::optional<std::string_view> password, std::string_view client_id,
                     std::int64_t now) const;

    // A subscription filter, checked when the client subscribes. A client
    // may subscribe to its own inbox only, without wildcards.
    bool may_subscribe(const mqtt_identity& who, std::string_view filter) const;
    // A message about to be delivered to the client.
    bool may_read(const mqtt_identity& who, std::string_view topic) const;
    // A message the client publishes (its Last Will included).
    bool may_write(const mqtt_identity& who, std::string_view topic,
                   std::string_view payload) const;

    // Whether a status payload may be published by a client of `role` (none:
    // any role): its size is bounded before it is scanned, an online status
    // must claim the credential's role (absent means device) and name no
    // `node` (only gateway nodes publish those: docs/scaling.md), and anything
    // but a JSON object with a boolean `online` is refused. An empty payload
    // (clearing the retained status) and an offline status are allowed.
    bool status_allowed(std::optional<client_role> role, std::string_view payload) const;

    std::size_t max_status_bytes() const noexcept { return max_status_bytes_; }
    bool auth_required() const noexcept { return auth_.required(); }
    const std::string& gateway_username() const noexcept { return gateway_username_; }

private:
    std::string topic_of(std::string_view id, std::string_view kind) const;

    authenticator auth_;
    std::string prefix_;
    std::string gateway_username_;
    secret_digest gateway_password_hash_{};
    bool gateway_password_set_ = false;
    std::size_t max_status_bytes_;
};

}  // namespace switchboard
