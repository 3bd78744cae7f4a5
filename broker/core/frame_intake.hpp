#pragma once
// The one intake of client frames, whichever transport brought them
// (docs/architecture.md, "One intake"): each frame a WebSocket session reads
// and each payload the MQTT bridge takes from `{prefix}/{id}/out` goes
// through take(), once, which counts it, checks its size, parses it, charges
// it to the sender's rate limit, answers what is wrong with it, and hands
// what is right to the router (or, for `register`, back to the sender).
// A rule added here holds for both transports.
// What differs between transports is behind `intake_sender`: where a reply
// goes, which rate bucket pays, the sender's registration, and what a flood
// ends in (close 4008 on WebSocket; refusal on MQTT, which has no
// connection of ours to close).
// Plain logic, no sockets. Stateless apart from its references and limits:
// one intake serves every thread; take() runs on the caller's thread.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string_view>

#include "client_record.hpp"
#include "counters.hpp"
#include "endpoint.hpp"
#include "inbound_frame.hpp"
#include "rate_limiter.hpp"

namespace switchboard {

class router;

// One sender as the intake sees it. Implemented by the WebSocket session and
// by the bridge for one MQTT ID; called only from within take(), on the
// caller's thread.
class intake_sender {
public:
    // The sender's registration, or null before it registered.
    virtual client_ptr registered() = 0;
    // The bucket this sender's frames are charged to.
    virtual rate_limiter& rate() = 0;
    // An answer for the sender (an error).
    virtual void reply(frame_ptr frame) = 0;
    // A valid `register` from a sender not yet registered.
    virtual void on_register(const register_request& request) = 0;
    // More refusals within a second than the rate limit's close_after: the
    // sender ignores the `rate_limited` errors.
    virtual void on_flood() = 0;

protected:
    ~intake_sender() = default;
};

struct intake_limits {
    std::size_t max_message_bytes = 65536;  // a larger frame is `too_large`
    std::size_t max_meta_bytes = 1024;      // a larger `meta` is `bad_request`
};

// Whether a `meta` object's text fits the cap; the error for the sender when
// it does not. Shared with the bridge's status payloads.
bool meta_fits(std::string_view meta_json, const intake_limits& limits) noexcept;
frame_error meta_too_large(const intake_limits& limits);

class frame_intake {
public:
    frame_intake(router& routing, intake_limits limits);

    // One whole frame from `sender`. `text` false: a binary message, refused.
    // `carried_traceparent`: a traceparent the transport carried beside the
    // payload (an MQTT 5 user property), empty for none; it counts as the
    // frame's own field when that is missing (adopt_carried_traceparent).
    void take(intake_sender& sender, std::string_view payload, bool text,
              std::chrono::steady_clock::time_point now,
              std::string_view carried_traceparent = {}) const;

    // A ping or pong: charged to the sender's rate like a frame, but never
    // answered with an error (that would be more output for a flood). False
    // when refused; a flood ends in on_flood() as for frames.
    bool take_control(intake_sender& sender, std::chrono::steady_clock::time_point now) const;

    // The limits in force now. set_limits() (a reload) applies to every
    // frame taken after it, from any thread.
    intake_limits limits() const noexcept {
        return {max_message_bytes_.load(std::memory_order_relaxed),
                max_meta_bytes_.load(std::memory_order_relaxed)};
    }
    void set_limits(const intake_limits& limits) noexcept {
        max_message_bytes_.store(limits.max_message_bytes, std::memory_order_relaxed);
        max_meta_bytes_.store(limits.max_meta_bytes, std::memory_order_relaxed);
    }

private:
    // Charges one frame to the sender's bucket; a refusal is counted, a
    // flood handed to on_flood().
    rate_limiter::verdict charge(intake_sender& sender,
                                 std::chrono::steady_clock::time_point now) const;
    // Charges one frame; false (the sender told why) when it is refused.
    bool admit(intake_sender& sender, std::string_view request_id,
               std::chrono::steady_clock::time_point now) const;
    // Whether `frame` is a response that answers a command pending for it.
    bool answers_pending(const client_ptr& sender, const inbound_frame& frame) const;

    router& router_;
    counters& stats_;
    // Two independent caps, so a reader seeing one old and one new is harmless.
    std::atomic<std::size_t> max_message_bytes_;
    std::atomic<std::size_t> max_meta_bytes_;
};

}  // namespace switchboard
