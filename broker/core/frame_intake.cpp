#include "frame_intake.hpp"

#include <string>

#include "outbound_frame.hpp"
#include "router.hpp"

namespace switchboard {

bool meta_fits(std::string_view meta_json, const intake_limits& limits) noexcept {
    return meta_json.size() <= limits.max_meta_bytes;
}

frame_error meta_too_large(const intake_limits& limits) {
    frame_error e;
    e.code = error_code::bad_request;
    e.field = "meta";
    e.request_type = "register";
    e.message = "field 'meta' is over " + std::to_string(limits.max_meta_bytes) + " bytes";
    return e;
}

frame_intake::frame_intake(router& routing, intake_limits limits)
    : router_(routing),
      stats_(routing.stats()),
      max_message_bytes_(limits.max_message_bytes),
      max_meta_bytes_(limits.max_meta_bytes) {}

rate_limiter::verdict frame_intake::charge(intake_sender& sender,
                                           std::chrono::steady_clock::time_point now) const {
    const rate_limiter::verdict verdict = sender.rate().on_frame(now);
    if (verdict != rate_limiter::verdict::pass) counters::add(stats_.rate_limited);
    if (verdict == rate_limiter::verdict::close) sender.on_flood();
    return verdict;
}

bool frame_intake::admit(intake_sender& sender, std::string_view request_id,
                         std::chrono::steady_clock::time_point now) const {
    const rate_limiter::verdict verdict = charge(sender, now);
    if (verdict == rate_limiter::verdict::refuse) {
        sender.reply(make_error(error_code::rate_limited, "too many frames per second; slow down",
                                request_id));
    }
    return verdict == rate_limiter::verdict::pass;
}

bool frame_intake::take_control(intake_sender& sender,
                                std::chrono::steady_clock::time_point now) const {
    return charge(sender, now) == rate_limiter::verdict::pass;
}

bool frame_intake::answers_pending(const client_ptr& sender, const inbound_frame& frame) const {
    const auto* response = std::get_if<response_request>(&frame);
    return response != nullptr && sender != nullptr &&
           router_.ledger().is_pending(response->to, response->id, sender->id, sender->session);
}

void frame_intake::take(intake_sender& sender, std::string_view payload, bool text,
                        std::chrono::steady_clock::time_point now,
                        std::string_view carried_traceparent) const {
    counters::add(stats_.frames_received);
    const intake_limits limits = this->limits();
    if (!text) {
        if (!admit(sender, {}, now)) return;
        counters::add(stats_.bad_frames);
        sender.reply(make_error(error_code::bad_request,
                                "binary frames are not accepted: send one JSON object per text "
                                "frame"));
        return;
    }
    // The WebSocket wires cap a message as they read it; an MQTT payload
    // arrives whole, so this is its cap.
    if (payload.size() > limits.max_message_bytes) {
        if (!admit(sender, {}, now)) return;
        counters::add(stats_.oversized_frames);
        sender.reply(
            make_error(error_code::too_large, "frame of " + std::to_string(payload.size()) +
                                                  " bytes is over the limit of " +
                                                  std::to_string(limits.max_message_bytes)));
        return;
    }
    parse_result parsed = parse_frame(payload);
    if (auto* frame = std::get_if<inbound_frame>(&parsed);
        frame != nullptr && !carried_traceparent.empty()) {
        if (auto error = adopt_carried_traceparent(*frame, carried_traceparent)) {
            parsed = std::move(*error);
        }
    }
    if (auto* error = std::get_if<frame_error>(&parsed)) {
        if (!admit(sender, error->request_id, now)) return;
        counters::add(stats_.bad_frames);
        sender.reply(make_error(*error));
        return;
    }
    auto& frame = std::get<inbound_frame>(parsed);
    client_ptr me = sender.registered();
    // A response to a command pending for this sender is free: the command
    // was charged to its controller, and a device serving many controllers
    // must never be refused its answers. Any other response is charged like
    // every other frame (a flood of bogus answers is still a flood).
    if (!answers_pending(me, frame) && !admit(sender, request_id_of(frame), now)) return;
    if (const auto* reg = std::get_if<register_request>(&frame);
        reg != nullptr && !meta_fits(reg->meta_json, limits)) {
        counters::add(stats_.bad_frames);
        sender.reply(make_error(meta_too_large(limits)));
        return;
    }
    if (me) {
        router_.route(me, frame, now);
        return;
    }
    if (const auto* reg = std::get_if<register_request>(&frame)) return sender.on_register(*reg);
    sender.reply(make_error(error_code::not_registered, "send register first", request_id_of(frame),
                            type_name(frame)));
}

}  // namespace switchboard
