// libFuzzer target: the MQTT bridge's payload handlers with Paho stubbed out
// (core/mqtt_client_table): statuses, `out` frames and the events payload,
// from arbitrary bytes. The first byte picks the handler and the client ID.
// Oracle, beyond no crash under ASan+UBSan: a payload never reaches a
// recursive serializer unbounded. A status that registers a client kept
// its `meta` under the cap and within the nesting limit, and every frame
// published for a client is valid JSON.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/frame_intake.hpp"
#include "core/json_text.hpp"
#include "core/mqtt_client_table.hpp"
#include "core/router.hpp"

using namespace switchboard;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

// Every frame the gateway would publish to an inbox must be JSON.
class checking_endpoint : public endpoint {
public:
    bool deliver(frame_ptr frame) override {
        check(is_valid_json(*frame));
        return true;
    }
    void close(unsigned short, std::string_view) override {}
};

class stub_links final : public mqtt_client_links {
public:
    std::shared_ptr<endpoint> make_link(const std::string&, const std::string&) override {
        return std::make_shared<checking_endpoint>();
    }
    void send_to_inbox(const std::string&, frame_ptr frame) override {
        check(is_valid_json(*frame));
    }
    std::string status_topic(const std::string& id) const override {
        return "sb/" + id + "/status";
    }
};

constexpr intake_limits limits{4096, 256};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t selector = data[0];
    std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);
    // A fresh world per input: nothing carries over between runs.
    counters stats;
    router routing(router_options{.max_pending_per_controller = 16, .max_subscriptions = 8}, stats);
    frame_intake intake(routing, limits);
    stub_links links;
    mqtt_client_table table(routing, intake, rate_limit_options{}, links);
    static const char* ids[] = {"pump-1", "dash-1", "valve-2", "x"};
    const std::string id = ids[(selector >> 2) % 4];
    auto now = std::chrono::steady_clock::now();
    // A controller and a device are online, so `out` frames have somewhere to go.
    table.on_status("dash-1", R"({"online":true,"role":"controller"})", now);
    table.on_status("pump-1", R"({"online":true})", now);
    switch (selector & 3) {
        case 0:
        case 1: {
            table.on_status(id, payload, now);
            if (client_ptr c = table.find(id)) {
                check(c->meta_json.size() <= limits.max_meta_bytes);
                json_object_view meta;
                check(meta.parse(c->meta_json, max_json_depth) == json_object_view::status::ok);
            }
            break;
        }
        case 2:
            table.on_out(id, payload, now);
            break;
        case 3: {
            // An event as the intake would have parsed it, mirrored to MQTT.
            std::string frame =
                R"({"type":"event","name":"e","data":)" + std::string(payload) + "}";
            parse_result parsed = parse_frame(frame);
            if (auto* f = std::get_if<inbound_frame>(&parsed)) {
                if (auto* e = std::get_if<event_request>(f))
                    check(is_valid_json(event_payload(*e)));
            }
            break;
        }
    }
    table.forget_all();
    routing.clear();
    return 0;
}
