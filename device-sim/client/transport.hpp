#pragma once
// The transport-neutral face of one client connection: open it, send JSON
// text frames, close it, and hear what happens through a transport_listener.
// Implemented by ws_transport (WebSocket) and mqtt_transport (MQTT through a
// broker, docs/mqtt.md), so simulated devices and tests run on either.
//
// Threading: every call is made on, and every listener callback arrives on,
// the executor the transport was created with. A transport may be opened
// again after on_closed (reconnect).

#include <cstdint>
#include <string>
#include <string_view>

#include "core/transport_kind.hpp"

namespace switchboard::client {

// Why a connection ended.
struct close_info {
    std::uint16_t code = 1006;  // WebSocket close code; 1006 when cut without one
    std::string reason;         // the peer's close reason or the local error
    bool local = false;         // we closed it (close() or cut())
    // When the server refused the connection before it opened: what refused
    // it, counted by this text ("HTTP 403 Forbidden", "MQTT CONNACK 135 Not
    // authorized"); empty otherwise.
    std::string refusal;
};

class transport_listener {
public:
    virtual ~transport_listener() = default;
    // Connected (WebSocket: upgraded; MQTT: CONNACK, status published, inbox subscribed).
    virtual void on_open() = 0;
    // One complete JSON text frame; the view lives until the callback returns.
    virtual void on_text(std::string_view text) = 0;
    // The connection ended (or never opened); no more callbacks until open() again.
    virtual void on_closed(const close_info& info) = 0;
};

class transport {
public:
    virtual ~transport() = default;
    virtual transport_kind kind() const noexcept = 0;
    // Starts connecting; the listener hears on_open or on_closed.
    virtual void open(transport_listener& listener) = 0;
    // Queues one text frame; frames queued in one handler go out in one write.
    // Returns false when the connection is not open or its queue is over its bound.
    virtual bool send(std::string_view text) = 0;
    // Like send(), for a frame that carries a W3C `traceparent` in its
    // payload: a transport that can also carry it beside the payload (MQTT
    // 5: a user property) does; the others just send the frame.
    virtual bool send_traced(std::string_view text, std::string_view traceparent) {
        (void)traceparent;
        return send(text);
    }
    // A normal close (WebSocket close frame; MQTT DISCONNECT, which withdraws the Last Will).
    virtual void close() = 0;
    // Drops the connection abruptly (TCP cut; MQTT: the broker publishes the Last Will).
    virtual void cut() = 0;
    // Stop calling the listener (its owner is going away). Safe at any time.
    virtual void detach() = 0;
};

}  // namespace switchboard::client
