#include "readiness.hpp"

#include "json_writer.hpp"

namespace switchboard {

std::string_view to_string(gateway_phase phase) noexcept {
    switch (phase) {
        case gateway_phase::starting:
            return "starting";
        case gateway_phase::serving:
            return "serving";
        case gateway_phase::draining:
            return "draining";
    }
    return "unknown";
}

readiness assess_readiness(gateway_phase phase, std::optional<std::string_view> bridge_state) {
    readiness r;
    if (phase == gateway_phase::starting) r.reasons.emplace_back("starting");
    if (phase == gateway_phase::draining) r.reasons.emplace_back("draining");
    if (bridge_state && *bridge_state != "connected") {
        r.reasons.push_back("mqtt bridge " + std::string(*bridge_state));
    }
    r.ready = r.reasons.empty();
    return r;
}

std::string readiness_json(const readiness& r, gateway_phase phase,
                           std::optional<std::string_view> bridge_state) {
    std::string reasons = "[";
    for (const auto& why : r.reasons) {
        if (reasons.size() > 1) reasons += ',';
        append_json_string(reasons, why);
    }
    reasons += ']';
    json_writer w;
    w.boolean("ready", r.ready).string("phase", to_string(phase));
    w.string("mqtt", bridge_state ? *bridge_state : std::string_view("disabled"));
    return w.raw("reasons", reasons).finish();
}

}  // namespace switchboard
