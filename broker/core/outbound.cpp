#include "outbound.hpp"

#include <algorithm>
#include <utility>

#include "ws_frame.hpp"

namespace switchboard {

namespace {

// An unmasked control frame (a payload of at most 125 bytes: a 2-byte header).
void append_control(std::string& out, ws_frame::opcode op, std::string_view payload) {
    unsigned char header[ws_frame::max_header_bytes];
    const std::size_t n = ws_frame::write_header(header, op, payload.size());
    out.append(reinterpret_cast<const char*>(header), n);
    out.append(payload);
}

constexpr std::size_t pong_bytes(std::size_t payload) { return 2 + payload; }

}  // namespace

outbound::held_back& outbound::held() {
    if (!held_) held_ = std::make_unique<held_back>();
    return *held_;
}

void outbound::drop_held_if_empty() noexcept {
    if (held_ && held_->control.empty() && !pong_pending_ && !close_pending_) held_.reset();
}

bool outbound::has_more() const noexcept {
    return !queue_.empty() || pong_pending_ || close_pending_ || (held_ && !held_->control.empty());
}

bool outbound::wake() noexcept {
    if (state_ != state::idle) return false;
    state_ = state::writing;
    return true;
}

void outbound::drop_frames() noexcept {
    for (; !queue_.empty(); queue_.pop_front()) queued_bytes_ -= queue_.front()->size();
    batch_frames_ = 0;  // the batch out, if any, was among them
}

void outbound::drop_pong() noexcept {
    if (!pong_pending_) return;
    queued_bytes_ -= pong_bytes(held_->pong.size());
    held_->pong.clear();
    pong_pending_ = false;
}

outbound::pushed outbound::push(frame_ptr frame) {
    if (!open()) return pushed::refused;
    if (queue_.size() >= max_frames_ || !fits(frame->size())) {
        abort();
        return pushed::overflow;
    }
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
    return wake() ? pushed::start : pushed::queued;
}

bool outbound::close(std::uint16_t code, std::string_view reason) {
    if (!open()) return false;
    held_back& h = held();
    h.close_code = code;
    h.close_reason = reason;
    close_pending_ = true;
    const bool start = state_ == state::idle;
    state_ = state::close_queued;
    return start;
}

outbound::pushed outbound::push_ping() {
    if (!open()) return pushed::refused;
    append_control(held().control, ws_frame::opcode::ping, {});
    return wake() ? pushed::start : pushed::queued;
}

outbound::pushed outbound::push_pong(std::string_view payload) {
    if (!open()) return pushed::refused;
    // Checked with the pong it replaces still counted, as a queued frame
    // would be: the bound holds at every moment.
    if (!fits(pong_bytes(payload.size()))) {
        abort();
        return pushed::overflow;
    }
    drop_pong();
    held().pong.assign(payload);
    pong_pending_ = true;
    queued_bytes_ += pong_bytes(payload.size());
    return wake() ? pushed::start : pushed::queued;
}

outbound::pushed outbound::charge(std::size_t bytes) {
    if (!open()) return pushed::refused;
    if (!fits(bytes)) {
        abort();
        return pushed::overflow;
    }
    queued_bytes_ += bytes;
    return pushed::queued;
}

void outbound::release(std::size_t bytes) noexcept {
    queued_bytes_ -= std::min(queued_bytes_, bytes);
}

bool outbound::want_write() { return wake(); }

bool outbound::close_now(std::uint16_t code, std::string_view reason) {
    if (!open() && state_ != state::close_queued) return false;
    drop_frames();
    drop_pong();
    // A close of ours already queued (the session's) goes next as it is.
    return close(code, reason);
}

bool outbound::shut_down() noexcept {
    if (state_ != state::close_sent) return false;
    state_ = state::shut;
    return true;
}

void outbound::abort() noexcept {
    state_ = state::shut;
    queue_.clear();
    queued_bytes_ = 0;
    held_.reset();
    pong_pending_ = false;
    close_pending_ = false;
    batch_frames_ = 0;
    batch_pong_bytes_ = 0;
    batch_close_ = false;
}

std::size_t outbound::take(std::span<frame_ptr> frames, std::string& control,
                           std::string& close_frame, bool& close_follows) {
    close_follows = false;
    batch_frames_ = 0;
    batch_pong_bytes_ = 0;
    batch_close_ = false;
    if (state_ != state::writing && state_ != state::close_queued) return 0;
    if (held_) {
        control.append(held_->control);
        held_->control.clear();
        if (pong_pending_) {
            append_control(control, ws_frame::opcode::pong, held_->pong);
            // Still counted until written.
            batch_pong_bytes_ = static_cast<std::uint8_t>(pong_bytes(held_->pong.size()));
            held_->pong.clear();
            pong_pending_ = false;
        }
    }
    const std::size_t n = std::min(queue_.size(), frames.size());
    queue_.copy_front(n, frames.begin());
    batch_frames_ = static_cast<std::uint8_t>(n);
    if (close_pending_ && n == queue_.size()) {
        // Code 0: a close without a status (answering one that had none).
        append_control(close_frame, ws_frame::opcode::close,
                       held_->close_code == 0
                           ? std::string()
                           : ws_frame::close_payload(held_->close_code, held_->close_reason));
        close_pending_ = false;
        batch_close_ = true;
        close_follows = true;
    }
    return n;
}

bool outbound::written(bool more_bytes) {
    for (; batch_frames_ > 0 && !queue_.empty(); --batch_frames_) {
        queued_bytes_ -= queue_.front()->size();
        queue_.pop_front();
    }
    batch_frames_ = 0;
    queued_bytes_ -= std::min<std::size_t>(queued_bytes_, batch_pong_bytes_);
    batch_pong_bytes_ = 0;
    const bool carried_close = batch_close_;
    batch_close_ = false;
    switch (state_) {
        case state::writing:
            if (has_more() || more_bytes) return true;
            state_ = state::idle;
            drop_held_if_empty();
            return false;
        case state::close_queued:
            if (!carried_close) return true;  // our close is still to go
            state_ = state::close_sent;
            held_.reset();
            return false;
        case state::idle:
        case state::close_sent:
        case state::shut:
            break;
    }
    return false;
}

}  // namespace switchboard
