#pragma once
// The endpoint of one MQTT client as the router sees it: a frame delivered
// here is published (QoS 1) to the client's inbox `{prefix}/{id}/in` by the
// bridge. While the bridge is not connected, or too many frames await the
// broker's PUBACK, deliver() refuses at once so the router answers the
// sender with an error instead of leaving it waiting in silence.
// Owned by the registry (client_record::link); holds its bridge weakly.
// Thread-safe: deliver() and close() are called from any I/O thread.

#include <atomic>
#include <memory>
#include <string>

#include "core/endpoint.hpp"

namespace switchboard {

class mqtt_bridge;

class mqtt_endpoint final : public endpoint {
public:
    mqtt_endpoint(std::weak_ptr<mqtt_bridge> bridge, std::string id, std::string session);

    bool deliver(frame_ptr frame) override;
    // Also carried as the MQTT 5 user property `traceparent` (on MQTT 5).
    bool deliver_traced(frame_ptr frame, const trace_context& trace) override;

    // The router replaced this client (another connection took its ID): the
    // bridge forgets it. There is no MQTT connection of ours to close; the
    // client's own status decides when it comes back.
    void close(unsigned short code, std::string_view reason) override;

    const std::string& id() const noexcept { return id_; }
    const std::string& session() const noexcept { return session_; }

private:
    std::weak_ptr<mqtt_bridge> bridge_;
    std::string id_;
    std::string session_;
    std::atomic<bool> closed_{false};
};

}  // namespace switchboard
