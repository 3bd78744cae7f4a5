#pragma once
// The idle rule of a WebSocket connection, kept the same on both wires
// (raw_wire on plain TCP and TLS, beast_wire for compression): a peer quiet
// for a half period is pinged, and one quiet for two half periods in a row
// (not even a pong to that ping) is cut off. Only data frames, and the pong
// that answers our own ping, are activity: a peer's own pings and
// unsolicited pongs would otherwise keep a dead client's connection open
// for ever (issue 10, item 3). Plain state, no timer: tick() is called
// every half period (raw_wire: by its thread's keep_alive_sweep; beast_wire:
// by its own timer). Used on one I/O thread.

namespace switchboard {

class keep_alive {
public:
    enum class action {
        wait,      // the peer was heard: nothing to do this half period
        ping,      // quiet for a half period: send a ping
        time_out,  // quiet for two, our ping unanswered: cut the connection
    };

    // A data frame (text or binary) from the peer.
    void heard_data() noexcept { heard_ = true; }

    // Our write left while we were not reading the peer (read backpressure:
    // its pong to our ping may be waiting unread). That it takes our data is
    // the one sign of life our pause leaves; a peer that takes nothing fills
    // the kernel's buffers, our writes stop completing, and it times out.
    void peer_took_data() noexcept { heard_ = true; }

    // A pong from the peer. True when it answers our ping (activity, and
    // free); false for an unsolicited pong, which the caller charges like
    // any control frame and which shows nothing.
    bool answers_ping() noexcept {
        if (!pinged_) return false;
        heard_ = true;
        return true;
    }

    // The half period has passed.
    action tick() noexcept {
        if (heard_) {
            heard_ = false;
            pinged_ = false;
            return action::wait;
        }
        if (pinged_) return action::time_out;
        pinged_ = true;
        return action::ping;
    }

private:
    bool heard_ = false;   // data, or the pong to our ping, since the last tick
    bool pinged_ = false;  // our ping is unanswered
};

}  // namespace switchboard
