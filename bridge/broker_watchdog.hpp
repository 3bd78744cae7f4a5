#pragma once
// Notices a broker that stopped answering (frozen, SIGSTOP, a half-open
// link) sooner than Paho's keepalive does: Paho declares the link lost only
// after a keepalive with no PINGRESP on top of the keepalive that prompted
// the PINGREQ (measured: ~2.75 keepalives). Rule, with `limit` the
// keepalive:
//  - while the bridge awaits an answer (a QoS 1 publish without PUBACK, or
//    our probe), `limit` of silence from the broker means it is lost;
//  - an idle link is probed after limit / 2 of silence (the bridge sends an
//    UNSUBSCRIBE, answered by every live broker and touching nothing), so a
//    silent broker is noticed within `limit` plus one tick even when no
//    traffic flows.
// Plain state, no timer: the bridge calls check() every tick(). Owned by
// mqtt_bridge and used on its strand only.

#include <chrono>

namespace switchboard {

class broker_watchdog {
public:
    using clock = std::chrono::steady_clock;

    enum class verdict {
        fine,   // heard recently, or nothing awaited yet
        probe,  // idle and quiet for limit / 2: send the probe now
        lost,   // an answer awaited and nothing heard for `limit`
    };

    explicit broker_watchdog(std::chrono::milliseconds limit) noexcept;

    // A connection was made: the broker just answered CONNECT.
    void connected(clock::time_point now) noexcept;

    // Anything from the broker: a PUBACK (even a refusal), SUBACK,
    // UNSUBACK or message.
    void heard(clock::time_point now) noexcept;

    // `publishes_awaited`: the bridge holds publishes the broker has not
    // acknowledged yet.
    verdict check(clock::time_point now, bool publishes_awaited) noexcept;

    // How often to call check(): an eighth of the limit, at most a second,
    // so detection stays within limit + 1/8.
    std::chrono::milliseconds tick() const noexcept;

    std::chrono::milliseconds limit() const noexcept { return limit_; }

private:
    std::chrono::milliseconds limit_;
    clock::time_point last_heard_{};
    bool probe_out_ = false;  // our probe is unanswered
};

}  // namespace switchboard
