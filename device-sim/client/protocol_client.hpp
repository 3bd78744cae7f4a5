#pragma once
// One party of the Switchboard protocol (docs/protocol.md) on any transport:
// registers (WebSocket: the `register` frame; MQTT: connecting is
// registering), then sends commands, responses, events and subscriptions as
// frames and hands every frame it receives to its protocol_listener.
//
// Owned by one simulated device, controller or test. Runs on the executor of
// its transport: call it, and hear from it, only there.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "frame_view.hpp"
#include "transport.hpp"

namespace switchboard::client {

struct identity {
    std::string id;
    std::string role = "device";  // "device" or "controller"
    std::string meta_json = "{}";
    std::string token;  // sent in `register` when not empty
};

class protocol_listener {
public:
    virtual ~protocol_listener() = default;
    // Registered: `registered` holds the server's frame (empty on MQTT).
    virtual void on_registered(const frame_view& registered) = 0;
    // Any later frame: command, response, error, event, presence, ack, ...
    virtual void on_frame(const frame_view& frame) = 0;
    // The server refused the registration (WebSocket `error`); the connection is closed next.
    virtual void on_refused(std::string_view /*code*/, std::string_view /*message*/) {}
    // The connection ended; `was_registered` tells whether it got that far.
    virtual void on_disconnected(const close_info& info, bool was_registered) = 0;
};

class protocol_client final : private transport_listener {
public:
    protocol_client(std::shared_ptr<transport> link, identity who);
    ~protocol_client() override;

    protocol_client(const protocol_client&) = delete;
    protocol_client& operator=(const protocol_client&) = delete;

    // Connects and registers; may be called again after on_disconnected.
    void connect(protocol_listener& listener);
    bool registered() const noexcept { return registered_; }
    const identity& who() const noexcept { return who_; }
    transport_kind kind() const noexcept { return link_->kind(); }

    // Each returns false when the frame could not be queued (not connected,
    // or the outbound backlog is over its bound).
    // `ttl_ms` > 0: queued by the gateway while `to` is offline.
    bool command(std::string_view to, std::string_view id, std::string_view name,
                 std::string_view args_json, std::int64_t timeout_ms = 0, std::int64_t ttl_ms = 0);
    // `traceparent`: the command's, echoed (field, and MQTT 5 user
    // property); empty for none.
    bool respond_ok(std::string_view to, std::string_view id, std::string_view result_json,
                    std::string_view traceparent = {});
    bool respond_error(std::string_view to, std::string_view id, std::string_view code,
                       std::string_view message, std::string_view traceparent = {});
    bool event(std::string_view name, std::string_view data_json);
    bool subscribe(const std::vector<std::string>& patterns);
    bool send_raw(std::string_view text);

    void close();  // graceful: the server (or broker) is told
    void cut();    // abrupt: the other side sees a dropped connection

private:
    bool send_response(const std::string& frame, std::string_view traceparent);
    void on_open() override;
    void on_text(std::string_view text) override;
    void on_closed(const close_info& info) override;

    std::shared_ptr<transport> link_;
    identity who_;
    protocol_listener* listener_ = nullptr;
    bool registered_ = false;
};

}  // namespace switchboard::client
