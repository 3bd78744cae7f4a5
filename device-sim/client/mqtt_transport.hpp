#pragma once
// A client connection over MQTT through a broker (docs/mqtt.md), on
// libmosquitto, mosquitto's own C client: connecting with a retained
// `sb/{id}/status` and a Last Will saying offline is registering; frames go
// out on `sb/{id}/out` and arrive on `sb/{id}/in`, QoS 1. MQTT v5, so that
// cut() can end the session with the Will published (reason code 4), the
// closest thing to a dropped device.
//
// Why not Paho: its client runs threads of its own per connection and cost
// about 300 µs of CPU per round trip across a fleet. libmosquitto gives up
// its socket (mosquitto_socket) and lets the caller run the loop
// (mosquitto_loop_read/write/misc), so thousands of devices share the
// io_context threads of the fleet with no thread or wake-up of their own.
//
// Owned through shared_ptr by its protocol_client and by its own pending
// waits. Runs on one io_context thread: call it only from there; every
// libmosquitto callback runs inside a loop call made on that thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "client_url.hpp"
#include "transport.hpp"

struct mosquitto;
struct mosquitto_message;
struct mqtt5__property;

namespace switchboard::client {

struct mqtt_options {
    std::string server_uri = "tcp://127.0.0.1:18830";  // what scripts/run.sh starts
    std::string prefix = "sb";
    int qos = 1;
    std::chrono::seconds keep_alive{30};
    std::chrono::milliseconds connect_timeout{10000};  // TCP connect until SUBACK
};

// Sent in CONNECT; an empty username sends none.
struct mqtt_credentials {
    std::string username;
    std::string password;
};

class mqtt_transport : public transport, public std::enable_shared_from_this<mqtt_transport> {
public:
    // `role` and `meta_json` go into the retained status message.
    mqtt_transport(boost::asio::io_context& io, std::shared_ptr<const mqtt_options> options,
                   std::string id, std::string role, std::string meta_json,
                   mqtt_credentials credentials = {});
    ~mqtt_transport() override;

    transport_kind kind() const noexcept override { return transport_kind::mqtt; }
    void open(transport_listener& listener) override;
    bool send(std::string_view text) override;
    bool send_traced(std::string_view text, std::string_view traceparent) override;
    void close() override;
    void cut() override;
    void detach() override { listener_ = nullptr; }

    const std::string& status_topic() const noexcept { return status_topic_; }

private:
    enum class state { idle, connecting, open, closing, closed };

    static void on_connect(struct mosquitto*, void* self, int rc, int flags,
                           const mqtt5__property*);
    static void on_subscribe(struct mosquitto*, void* self, int mid, int count, const int* granted,
                             const mqtt5__property*);
    static void on_message(struct mosquitto*, void* self, const mosquitto_message* message,
                           const mqtt5__property*);
    static void on_disconnect(struct mosquitto*, void* self, int rc, const mqtt5__property*);

    // Arms the waits the connection needs: read always, write while libmosquitto has output.
    void watch();
    // Publishes `text` to the out topic, with `props` (may be null).
    bool publish_out(std::string_view text, const mqtt5__property* props);
    void on_ready(boost::system::error_code ec, bool writable, unsigned generation);
    // Reads until the socket is drained (the reactor reports edges, not levels).
    void read_all(unsigned generation);
    void flush();
    void schedule_keepalive();
    void on_timer(boost::system::error_code ec, unsigned generation);
    // Lets go of the socket before libmosquitto closes it (it owns the descriptor).
    void release_socket();
    // The connection ended: no more loop calls; listener told from a fresh handler.
    void ended(close_info info);
    void destroy_client();

    boost::asio::io_context& io_;
    std::shared_ptr<const mqtt_options> options_;
    mqtt_address address_;
    std::string id_, role_, meta_json_;
    mqtt_credentials credentials_;
    std::string in_topic_, out_topic_, status_topic_;
    struct mosquitto* client_ = nullptr;
    boost::asio::posix::stream_descriptor socket_;
    boost::asio::steady_timer timer_;  // connect timeout, then keepalive
    transport_listener* listener_ = nullptr;
    state state_ = state::idle;
    unsigned generation_ = 0;  // handlers of an older connection see a newer number and stop
    bool read_armed_ = false, write_armed_ = false;
    bool cutting_ = false;
    int refused_reason_ = 0;  // CONNACK reason code of a refused connect
};

}  // namespace switchboard::client
