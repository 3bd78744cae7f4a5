#include "mqtt_probe.hpp"

#include <mqtt/async_client.h>

namespace switchboard::test {

mqtt_probe::mqtt_probe(const std::string& uri, const std::string& client_id)
    : client_(std::make_unique<mqtt::async_client>(
          uri, client_id, mqtt::create_options(MQTTVERSION_3_1_1, 100000),
          static_cast<mqtt::iclient_persistence*>(nullptr))) {
    client_->start_consuming();
    auto opts = mqtt::connect_options_builder().clean_session(true).finalize();
    client_->connect(opts)->wait_for(std::chrono::seconds(10));
}

mqtt_probe::~mqtt_probe() {
    try {
        if (client_->is_connected()) client_->disconnect()->wait_for(std::chrono::seconds(2));
    } catch (const std::exception&) {
    }
}

bool mqtt_probe::connected() const { return client_->is_connected(); }

void mqtt_probe::subscribe(const std::string& filter) {
    client_->subscribe(filter, 1)->wait_for(std::chrono::seconds(10));
}

void mqtt_probe::publish(const std::string& topic, const std::string& payload, bool retained) {
    client_->publish(topic, payload.data(), payload.size(), 1, retained);
}

std::optional<mqtt_message> mqtt_probe::receive(std::chrono::milliseconds timeout) {
    mqtt::const_message_ptr msg;
    if (!client_->try_consume_message_for(&msg, timeout) || !msg) return std::nullopt;
    return mqtt_message{msg->get_topic(), msg->get_payload_str(), msg->is_retained()};
}

}  // namespace switchboard::test
