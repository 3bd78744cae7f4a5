#include "mqtt_endpoint.hpp"

#include "mqtt_bridge.hpp"

namespace switchboard {

mqtt_endpoint::mqtt_endpoint(std::weak_ptr<mqtt_bridge> bridge, std::string id, std::string session)
    : bridge_(std::move(bridge)), id_(std::move(id)), session_(std::move(session)) {}

bool mqtt_endpoint::deliver(frame_ptr frame) {
    if (closed_.load(std::memory_order_acquire)) return false;
    auto bridge = bridge_.lock();
    return bridge && bridge->publish_inbox(id_, std::move(frame));
}

bool mqtt_endpoint::deliver_traced(frame_ptr frame, const trace_context& trace) {
    if (closed_.load(std::memory_order_acquire)) return false;
    auto bridge = bridge_.lock();
    return bridge && bridge->publish_inbox(id_, std::move(frame), trace);
}

void mqtt_endpoint::close(unsigned short, std::string_view) {
    if (closed_.exchange(true, std::memory_order_acq_rel)) return;
    if (auto bridge = bridge_.lock()) bridge->on_link_closed(id_, session_);
}

}  // namespace switchboard
