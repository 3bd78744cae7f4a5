#pragma once
// A client connection over MQTT (PROTOCOL.md §5) through a broker, with Paho
// C++: connecting with a retained `sb/{id}/status` and a Last Will saying
// offline is registering; frames go out on `sb/{id}/out` and arrive on
// `sb/{id}/in`, QoS 1. MQTT v5, so that cut() can end the session with the
// Will published (reason code 4), the closest thing to a dropped device.
//
// Owned through shared_ptr by its protocol_client. Runs on one io_context
// thread; Paho's callbacks run on Paho's threads and only post to it.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "transport.hpp"

namespace mqtt {
class async_client;
class token;
}  // namespace mqtt

namespace switchboard::client {

struct mqtt_options {
    std::string server_uri = "tcp://127.0.0.1:1883";
    std::string prefix = "sb";
    int qos = 1;
    std::chrono::seconds keep_alive{30};
    std::chrono::seconds connect_timeout{10};
};

class mqtt_transport : public transport, public std::enable_shared_from_this<mqtt_transport> {
public:
    // `role` and `meta_json` go into the retained status message.
    mqtt_transport(boost::asio::io_context& io, std::shared_ptr<const mqtt_options> options,
                   std::string id, std::string role, std::string meta_json);
    ~mqtt_transport() override;

    transport_kind kind() const noexcept override { return transport_kind::mqtt; }
    void open(transport_listener& listener) override;
    bool send(std::string_view text) override;
    void close() override;
    void cut() override;
    void detach() override { listener_ = nullptr; }

    const std::string& inbox_topic() const noexcept { return in_topic_; }
    const std::string& outbox_topic() const noexcept { return out_topic_; }
    const std::string& status_topic() const noexcept { return status_topic_; }

private:
    enum class state { idle, connecting, open, closing, closed };
    struct action;

    void on_connected();
    void on_subscribed();
    void on_failed(std::string why);
    void on_lost(std::string cause);
    void on_disconnect_done(bool with_will);
    void watch_disconnect(const std::shared_ptr<mqtt::token>& token);
    void finish(close_info info);
    // Runs `fn` on our thread if we still exist; callable from any thread.
    template <class Fn>
    void post_self(Fn fn);

    boost::asio::io_context& io_;
    std::shared_ptr<const mqtt_options> options_;
    std::string id_, role_, meta_json_;
    std::string in_topic_, out_topic_, status_topic_;
    std::unique_ptr<mqtt::async_client> client_;
    std::unique_ptr<action> connect_action_, subscribe_action_, disconnect_action_;
    transport_listener* listener_ = nullptr;
    state state_ = state::idle;
    bool cutting_ = false;
};

}  // namespace switchboard::client
