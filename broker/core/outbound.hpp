#pragma once
// What one WebSocket connection has to send, and where its sending stands:
// the queue of frames, its byte and frame bounds, our control frames (a
// keep-alive ping), the one pong owed to the peer, our close frame, and one
// state for the whole write side. The session puts frames in (any thread),
// the wire takes a batch out when it can write and reports it written (its
// I/O thread), and nobody else keeps a "writing" flag: whoever moves the
// state out of `idle` (a `start` answer) starts the writer, and the writer
// runs until written() finds nothing more. Control frames go ahead of the
// frames, our close after them. Plain logic, no socket and no lock: the
// session's mutex guards it (deliver() and close() come from other threads).
//
//   idle --push/ping/pong/want_write--> writing --written, nothing left--> idle
//   idle, writing --close--> close_queued --written, the close in it--> close_sent
//   close_sent --shut_down--> shut;   any --abort / overflow--> shut
//
// In `idle` and `close_sent` no write is out; in `writing` and
// `close_queued` one is out or about to start; in `shut` nothing of ours
// is written again (a TLS close_notify may still leave: the wire's).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "endpoint.hpp"
#include "frame_queue.hpp"

namespace switchboard {

class outbound {
public:
    enum class state : std::uint8_t {
        idle,          // open, nothing to write and no write out
        writing,       // open, a write is out or about to start
        close_queued,  // our close waits behind the frames queued before it, or is being written
        close_sent,    // our close frame has left; no write is out
        shut,          // nothing more is written: cut, failed, or our side shut down
    };

    // What became of a frame, a ping or a pong handed in.
    enum class pushed : std::uint8_t {
        queued,    // it goes with the next batch; a write is out or about to start
        start,     // it was idle: the caller starts the writer
        refused,   // closing or shut: dropped
        overflow,  // over the bound: nothing more is written (shut); cut the connection
    };

    // `max_bytes` bounds the queued frames and the pong owed; `max_frames` the frames.
    outbound(std::size_t max_bytes, std::size_t max_frames)
        : max_bytes_(max_bytes), max_frames_(max_frames) {}

    state current() const noexcept { return state_; }
    bool open() const noexcept { return state_ == state::idle || state_ == state::writing; }
    std::size_t queued_frames() const noexcept { return queue_.size(); }
    // The bytes counted against the bound: the queued frames and the pong owed.
    std::size_t queued_bytes() const noexcept { return queued_bytes_; }
    void set_max_bytes(std::size_t bytes) noexcept { max_bytes_ = bytes; }

    // Read backpressure. A connection whose own queue is past half its
    // bound while a write is out is not read until the queue is back under
    // a quarter or the writer has nothing left: what piles up there is
    // mostly the answers to what it sent, and a gateway too busy to write
    // them (reading a controller's 64 KiB, ~400 commands, in one wake-up and
    // writing it at most 31 frames a round) would otherwise cut a client
    // that reads fine as a slow reader. One that really stops reading is
    // still cut: at the bound by what others send it, or by its keep-alive.
    bool reads_should_pause() const noexcept {
        return writer_out() && (queue_.size() > max_frames_ / 2 || queued_bytes_ > max_bytes_ / 2);
    }
    bool reads_may_resume() const noexcept {
        return !writer_out() ||
               (queue_.size() <= max_frames_ / 4 && queued_bytes_ <= max_bytes_ / 4);
    }

    // The session's side.
    pushed push(frame_ptr frame);
    // Our close after the frames queued so far; no frame is taken after it.
    // True when the caller starts the writer.
    bool close(std::uint16_t code, std::string_view reason);

    // The wire's side (its I/O thread).
    // Our keep-alive ping, ahead of the frames.
    pushed push_ping();
    // The pong for a ping carrying `payload`: one at most, for the latest
    // ping (RFC 6455 §5.5.3), counted against the bound until it has left.
    pushed push_pong(std::string_view payload);
    // A pong the wire's own writer sends (Beast's): only its bytes are
    // counted, until release().
    pushed charge(std::size_t bytes);
    void release(std::size_t bytes) noexcept;
    // Bytes of the wire's own (TLS records OpenSSL wrote) want a write:
    // true when the caller starts the writer.
    bool want_write();
    // Our close next: the frames not yet taken are dropped, and so is the
    // pong (the peer closed, or its framing broke). Code 0: a close frame
    // without a status. A close already queued keeps its code.
    bool close_now(std::uint16_t code, std::string_view reason);
    // Our side is shut (after our close has left): close_sent -> shut. False
    // in any other state (already shut, or not yet sent).
    bool shut_down() noexcept;
    // Nothing more will be written; what is queued is dropped.
    void abort() noexcept;

    // The next batch: our control frames and the pong owed, encoded, are
    // appended to `control`; up to frames.size() frames are copied to
    // `frames` (they stay queued, and counted, until written); when our
    // close comes after them, its frame is appended to `close_frame` and
    // close_follows is set (close_code()/close_reason() say what it is,
    // until written()). Returns the number of frames.
    std::size_t take(std::span<frame_ptr> frames, std::string& control, std::string& close_frame,
                     bool& close_follows);
    std::uint16_t close_code() const noexcept { return held_ ? held_->close_code : 0; }
    std::string_view close_reason() const noexcept {
        return held_ ? std::string_view(held_->close_reason) : std::string_view();
    }
    // The last batch taken has left. `more_bytes`: the wire has bytes of
    // its own to write (TLS records). True when the caller writes again
    // (take() has more); otherwise the state is idle, close_sent or shut.
    bool written(bool more_bytes = false);

private:
    // Rare state, made when first needed and dropped once taken: an idle
    // connection holds a null pointer.
    struct held_back {
        std::string control;  // encoded control frames: our ping
        std::string pong;     // the payload of the latest ping not yet answered
        std::string close_reason;
        std::uint16_t close_code = 0;
    };
    held_back& held();
    void drop_held_if_empty() noexcept;
    bool writer_out() const noexcept {
        return state_ == state::writing || state_ == state::close_queued;
    }
    bool fits(std::size_t bytes) const noexcept { return queued_bytes_ + bytes <= max_bytes_; }
    // Something for take(): frames, control, a pong, or a close not yet taken.
    bool has_more() const noexcept;
    void drop_frames() noexcept;
    void drop_pong() noexcept;
    // idle -> writing; true when that happened (the caller starts the writer).
    bool wake() noexcept;

    frame_queue queue_;
    std::size_t queued_bytes_ = 0;
    std::size_t max_bytes_;
    std::unique_ptr<held_back> held_;
    std::uint32_t max_frames_;
    // Starts as writing: the upgrade's answer is out, and the wire reports
    // it with written() like any batch.
    state state_ = state::writing;
    // The batch out: its frames and its pong's bytes (at most 31 and 127).
    std::uint8_t batch_frames_ = 0;
    std::uint8_t batch_pong_bytes_ = 0;
    // Bits, so that the whole is 64 bytes (a session's size is its idle cost).
    bool pong_pending_ : 1 = false;   // held_->pong is owed
    bool close_pending_ : 1 = false;  // held_ has our close, not yet taken
    bool batch_close_ : 1 = false;    // the batch out carries our close
};

}  // namespace switchboard
