#pragma once
// The options of an MQTT test client that plays the gateway's part toward
// simulated MQTT devices: the broker's ACL (config/mosquitto.acl) lets only
// the gateway's user read outboxes and statuses and write inboxes.

#include <string>
#include <vector>

#include "mosquitto_broker.hpp"
#include "mqtt_test_client.hpp"

namespace switchboard::test {

inline mqtt_client_options gateway_side(const std::string& client_id,
                                        std::vector<std::string> subscriptions) {
    mqtt_client_options o;
    o.client_id = client_id;
    o.username = mosquitto_broker::gateway_user;
    o.password = mosquitto_broker::gateway_password;
    o.subscriptions = std::move(subscriptions);
    o.will = false;
    return o;
}

}  // namespace switchboard::test
