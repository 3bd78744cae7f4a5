#pragma once
// An MQTT client for tests, on Paho, used synchronously from the test's
// thread: it connects, publishes and waits for messages with a deadline.
// Optionally it behaves like a device or service with its own
// reconnection: on every connection it resubscribes and re-publishes its
// retained status, and it can answer commands by itself.
// Thread-safe: Paho's callbacks fill the inbox under a lock; they never
// wait on a token. The test's thread waits on a condition variable.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mqtt {
class async_client;
class message;
}  // namespace mqtt

namespace switchboard::test {

struct mqtt_client_options {
    std::string client_id;
    int version = 5;  // 4 (3.1.1) or 5
    std::string username;
    std::string password;
    std::vector<std::string> subscriptions;  // (re)subscribed on every connection, QoS 1
    // Published retained on every connection, e.g. {prefix}/{id}/status.
    std::string status_topic;
    std::string status_payload;
    // Last Will; with status_topic set, it defaults to a retained {"online":false} there.
    bool will = true;
    bool auto_reconnect = false;
    // Answer every `command` arriving on a topic ending in /in with an ok
    // `response` published to `answer_topic`.
    std::string answer_topic;
};

// A device's status, as the bridge expects it.
std::string online_status(const std::string& role, nlohmann::json meta = nlohmann::json::object());

// A client registering as `id` with `role` under the "sb" prefix: reads its
// inbox, publishes its retained online status on connecting (Last Will
// offline).
mqtt_client_options registering_client(const std::string& id, const std::string& role);

class mqtt_test_client {
public:
    // An MQTT 5 user property (name, value); none on 3.1.1.
    using user_property = std::pair<std::string, std::string>;

    struct message {
        std::string topic;
        std::string payload;
        std::vector<user_property> user_properties;  // in the order sent
    };

    mqtt_test_client(const std::string& url, mqtt_client_options options);
    ~mqtt_test_client();

    mqtt_test_client(const mqtt_test_client&) = delete;
    mqtt_test_client& operator=(const mqtt_test_client&) = delete;

    // Connects, subscribes and publishes the status, waiting for each.
    bool connect(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Publishes and waits for the broker's acknowledgement (QoS 1). Returns
    // false if the broker refused it (MQTT 5 reason code >= 0x80) or at the
    // deadline.
    bool publish(const std::string& topic, const std::string& payload, int qos = 1,
                 bool retained = false,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));
    bool publish(const std::string& topic, const nlohmann::json& frame) {
        return publish(topic, frame.dump());
    }
    // QoS 1 with MQTT 5 user properties (a client of version 5 only).
    bool publish_with_properties(const std::string& topic, const nlohmann::json& frame,
                                 const std::vector<user_property>& properties,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Subscribes (QoS 1) and waits for the SUBACK: true only if the broker
    // granted it.
    bool subscribe(const std::string& filter,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // The next message, or the next whose JSON payload has this `type`.
    std::optional<message> receive(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    std::optional<nlohmann::json> receive_type(
        const std::string& type, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    bool quiet_for(std::chrono::milliseconds window);

    // Waits until the client has connected `n` times in all.
    bool wait_connections(int n, std::chrono::milliseconds timeout);

    // Clean disconnect: no Last Will.
    void disconnect();

    int commands_answered() const;
    // Answers Paho refused to queue: each is a command the test will see time out.
    int answers_refused() const;

private:
    void on_connected();
    void on_message(message m);
    // Publishes `m` and waits as publish() says.
    bool publish_message(std::shared_ptr<mqtt::message> m, std::chrono::milliseconds timeout);

    mqtt_client_options options_;
    std::unique_ptr<mqtt::async_client> client_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<message> inbox_;
    std::atomic<bool> setup_done_{false};
    int connections_ = 0;
    int answered_ = 0;
    int answers_refused_ = 0;
};

}  // namespace switchboard::test
