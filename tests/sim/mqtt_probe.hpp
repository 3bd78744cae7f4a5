#pragma once
// A plain MQTT client for tests, used synchronously: it publishes and
// subscribes, and hands over messages as they arrive, waiting with a deadline
// (Paho's consumer queue; no sleeping). It plays the gateway's part toward
// MQTT devices until the bridge is in the tree. Test thread only.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace mqtt {
class async_client;
}

namespace switchboard::test {

struct mqtt_message {
    std::string topic;
    std::string payload;
    bool retained = false;
};

class mqtt_probe {
public:
    mqtt_probe(const std::string& uri, const std::string& client_id);
    ~mqtt_probe();

    bool connected() const;
    void subscribe(const std::string& filter);
    void publish(const std::string& topic, const std::string& payload, bool retained = false);
    std::optional<mqtt_message> receive(std::chrono::milliseconds timeout);

private:
    std::unique_ptr<mqtt::async_client> client_;
};

}  // namespace switchboard::test
