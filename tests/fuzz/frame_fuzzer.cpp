// libFuzzer target: the frame parser and validator, then the router, with
// arbitrary bytes as one WebSocket text frame from a registered client.
// Anything that parses is routed between a fixed controller and device, so
// the ACL, pending-command and subscription paths see hostile values too.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/inbound_frame.hpp"
#include "core/outbound_frame.hpp"
#include "core/router.hpp"

using namespace switchboard;

namespace {

// Accepts and drops every frame; nothing is kept between inputs.
class null_endpoint : public endpoint {
public:
    bool deliver(frame_ptr) override { return true; }
    void close(unsigned short, std::string_view) override {}
};

struct world {
    counters stats;
    router r{router_options{.max_pending_per_controller = 64, .max_subscriptions = 16}, stats};
    client_ptr controller;
    client_ptr device;

    world() {
        controller = r.register_client({.id = "dash-1", .role = client_role::controller},
                                       transport_kind::ws, std::make_shared<null_endpoint>(), "s1");
        device = r.register_client({.id = "pump-1", .role = client_role::device},
                                   transport_kind::mqtt, std::make_shared<null_endpoint>(), "s2");
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static world w;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    parse_result parsed = parse_frame(text);
    if (auto* error = std::get_if<frame_error>(&parsed)) {
        make_error(*error);
        return 0;
    }
    const auto& frame = std::get<inbound_frame>(parsed);
    auto now = std::chrono::steady_clock::time_point{} + std::chrono::seconds(size);
    // First byte picks the sender, so both roles' rules are exercised.
    const client_ptr& sender = (size > 0 && (data[0] & 1)) ? w.device : w.controller;
    w.r.route(sender, frame, now);
    // Bounded state: expire everything the input left pending.
    w.r.expire_commands(now + std::chrono::hours(1000));
    return 0;
}
