#pragma once
// Something that can be handed a frame: a WebSocket session, the MQTT bridge
// acting for one MQTT client, or a fake in unit tests. The router knows
// clients only through this interface.

#include <memory>
#include <string>
#include <string_view>

#include "trace_context.hpp"

namespace switchboard {

// One serialized frame, shared by every recipient it goes to.
using frame_ptr = std::shared_ptr<const std::string>;

class endpoint {
public:
    virtual ~endpoint() = default;

    // Queue a frame for delivery. Safe to call from any thread; never blocks.
    // Returns false when the frame was refused because the endpoint's outbound
    // queue is full (the endpoint then closes itself) or it is closing.
    virtual bool deliver(frame_ptr frame) = 0;

    // A command carrying `trace` (its `traceparent` is in the frame too), for
    // transports that can also carry it beside the payload (the MQTT bridge,
    // as an MQTT 5 user property). The others just deliver the frame.
    virtual bool deliver_traced(frame_ptr frame, const trace_context& trace) {
        (void)trace;
        return deliver(std::move(frame));
    }

    // Close the connection once what is already queued has been written.
    // Safe to call from any thread.
    virtual void close(unsigned short code, std::string_view reason) = 0;
};

}  // namespace switchboard
