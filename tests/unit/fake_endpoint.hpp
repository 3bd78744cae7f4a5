#pragma once
// A stand-in for a client connection in unit tests: records every frame the
// router hands it and every close, and can be told to refuse deliveries as a
// session with a full outbound queue does. Single-threaded use only.

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/endpoint.hpp"

namespace switchboard::testing {

class fake_endpoint : public endpoint {
public:
    struct close_call {
        unsigned short code;
        std::string reason;
    };

    bool deliver(frame_ptr frame) override {
        if (refuse_) {
            ++refused_;
            return false;
        }
        frames_.push_back(*frame);
        if (on_deliver_) on_deliver_(*frame);
        return true;
    }

    // Records the context a traced command came with, as the MQTT bridge
    // would put it in a user property.
    bool deliver_traced(frame_ptr frame, const trace_context& trace) override {
        carried_.emplace_back(trace.text().view());
        return deliver(std::move(frame));
    }

    void close(unsigned short code, std::string_view reason) override {
        closes_.push_back({code, std::string(reason)});
    }

    // From now on, refuse every frame (queue full).
    void refuse(bool on = true) { refuse_ = on; }

    // Called after a frame is accepted, as if the peer reacted at once (on
    // another thread, in the real gateway).
    void on_deliver(std::function<void(const std::string&)> hook) { on_deliver_ = std::move(hook); }

    const std::vector<std::string>& raw_frames() const { return frames_; }
    std::size_t frame_count() const { return frames_.size(); }
    std::size_t refused() const { return refused_; }
    // The traceparents handed beside frames (deliver_traced), in order.
    const std::vector<std::string>& carried_traceparents() const { return carried_; }
    const std::vector<close_call>& closes() const { return closes_; }

    // Frame `i`, parsed; a frame that is not valid JSON fails the parse loudly.
    nlohmann::json frame(std::size_t i) const { return nlohmann::json::parse(frames_.at(i)); }
    nlohmann::json last() const { return frame(frames_.size() - 1); }

    std::vector<nlohmann::json> frames() const {
        std::vector<nlohmann::json> out;
        for (const auto& f : frames_) out.push_back(nlohmann::json::parse(f));
        return out;
    }

    // Parsed frames whose `type` is `type`.
    std::vector<nlohmann::json> of_type(std::string_view type) const {
        std::vector<nlohmann::json> out;
        for (const auto& f : frames_) {
            auto j = nlohmann::json::parse(f);
            if (j.value("type", "") == type) out.push_back(std::move(j));
        }
        return out;
    }

    void clear() { frames_.clear(); }
    // Forgets the first `n` frames (a test has checked them).
    void drop_first(std::size_t n) {
        frames_.erase(frames_.begin(),
                      frames_.begin() + static_cast<std::ptrdiff_t>(std::min(n, frames_.size())));
    }

private:
    std::vector<std::string> frames_;
    std::vector<close_call> closes_;
    std::vector<std::string> carried_;
    std::size_t refused_ = 0;
    bool refuse_ = false;
    std::function<void(const std::string&)> on_deliver_;
};

}  // namespace switchboard::testing
