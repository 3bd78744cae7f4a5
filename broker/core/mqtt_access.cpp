#include "mqtt_access.hpp"

#include "gateway_config.hpp"
#include "id_rules.hpp"
#include "inbound_frame.hpp"  // max_json_depth
#include "json_text.hpp"

namespace switchboard {

mqtt_access::mqtt_access(const gateway_config& config, std::string gateway_username,
                         const std::string& gateway_password)
    : auth_(config.auth),
      prefix_(config.mqtt.topic_prefix),
      gateway_username_(std::move(gateway_username)),
      gateway_password_hash_(digest_of(gateway_password)),
      gateway_password_set_(!gateway_password.empty()),
      // A status is a registration: it gets the same bound as a `register` frame.
      max_status_bytes_(config.session.register_message_bytes) {}

mqtt_login mqtt_access::login(std::optional<std::string_view> username,
                              std::optional<std::string_view> password, std::string_view client_id,
                              std::int64_t now) const {
    if (username && !gateway_username_.empty() && *username == gateway_username_) {
        // The gateway's name never falls through to the device credentials.
        bool ok = gateway_password_set_ && password &&
                  same_digest(digest_of(*password), gateway_password_hash_);
        if (!ok) return {std::nullopt, "wrong password for the gateway's user"};
        return {mqtt_identity{mqtt_identity::kind::gateway, {}, std::nullopt}, {}};
    }
    if (!username) {
        if (auth_.required()) return {std::nullopt, "credentials required"};
        // Auth off: as on WebSocket, anyone may claim any ID; the client ID is the claim.
        if (!is_valid_id(client_id)) return {std::nullopt, "client ID is not a valid ID"};
        return {mqtt_identity{mqtt_identity::kind::client, std::string(client_id), std::nullopt},
                {}};
    }
    if (!is_valid_id(*username)) return {std::nullopt, "user name is not a valid ID"};
    if (client_id != *username) return {std::nullopt, "client ID must equal the user name"};
    if (!auth_.required()) {
        return {mqtt_identity{mqtt_identity::kind::client, std::string(*username), std::nullopt},
                {}};
    }
    if (!password || password->empty()) return {std::nullopt, "credentials required"};
    // The credential names its role (a token's `role`, a JWT's claim): the
    // client gets the one it is valid for.
    std::optional<std::string> credential{std::string(*password)};
    authenticator::result verdict;
    for (client_role role : {client_role::device, client_role::controller}) {
        verdict = auth_.check(credential, *username, role, now);
        if (verdict.ok) {
            return {mqtt_identity{mqtt_identity::kind::client, std::string(*username), role}, {}};
        }
    }
    return {std::nullopt, verdict.reason};
}

std::string mqtt_access::topic_of(std::string_view id, std::string_view kind) const {
    std::string t;
    t.reserve(prefix_.size() + id.size() + kind.size() + 2);
    t.append(prefix_).append("/").append(id).append("/").append(kind);
    return t;
}

bool mqtt_access::may_subscribe(const mqtt_identity& who, std::string_view filter) const {
    if (who.who == mqtt_identity::kind::gateway) return true;
    return filter == topic_of(who.id, "in");
}

bool mqtt_access::may_read(const mqtt_identity& who, std::string_view topic) const {
    if (who.who == mqtt_identity::kind::gateway) return true;
    return topic == topic_of(who.id, "in");
}

bool mqtt_access::may_write(const mqtt_identity& who, std::string_view topic,
                            std::string_view payload) const {
    if (who.who == mqtt_identity::kind::gateway) return true;
    if (topic == topic_of(who.id, "out") || topic == topic_of(who.id, "events")) return true;
    if (topic == topic_of(who.id, "status")) return status_allowed(who.role, payload);
    return false;
}

bool mqtt_access::status_allowed(std::optional<client_role> role, std::string_view payload) const {
    if (payload.empty()) return true;  // clears the retained status: an offline
    if (payload.size() > max_status_bytes_) return false;
    json_object_view status;
    if (status.parse(payload, max_json_depth) != json_object_view::status::ok) return false;
    const json_member* online = status.find("online");
    if (online == nullptr || online->kind != json_kind::boolean) return false;
    if (online->value == "false") return true;
    // Only a gateway node names a node (docs/scaling.md): a client that did
    // would pass for another node's WebSocket client, or be cleared as a
    // node's stale status.
    if (status.find("node") != nullptr) return false;
    client_role claimed = client_role::device;  // what the bridge assumes when none is given
    if (const json_member* r = status.find("role")) {
        if (r->kind != json_kind::string) return false;
        auto parsed = parse_role(json_string_value(r->value));
        if (!parsed) return false;
        claimed = *parsed;
    }
    return !role || *role == claimed;
}

}  // namespace switchboard
