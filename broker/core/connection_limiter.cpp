#include "connection_limiter.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace switchboard {

connection_limiter::slot& connection_limiter::slot::operator=(slot&& other) noexcept {
    if (this != &other) {
        release();
        state_ = std::move(other.state_);
        address_ = std::move(other.address_);
    }
    return *this;
}

connection_limiter::slot::~slot() { release(); }

void connection_limiter::slot::release() noexcept {
    if (!state_) return;
    {
        std::lock_guard lock(state_->mutex);
        --state_->total;
        auto it = state_->per_address.find(address_);
        if (it != state_->per_address.end() && --it->second == 0) state_->per_address.erase(it);
    }
    state_.reset();
}

connection_limiter::connection_limiter(std::size_t max_total, std::size_t max_per_address)
    : state_(std::make_shared<state>()) {
    set_caps(max_total, max_per_address);
}

void connection_limiter::set_caps(std::size_t max_total, std::size_t max_per_address) {
    std::lock_guard lock(state_->mutex);
    state_->max_total = max_total;
    state_->max_per_address = max_per_address;
}

std::string connection_limiter::address_key(const std::string& address) {
    std::array<unsigned char, 16> bytes{};
    if (inet_pton(AF_INET6, address.c_str(), bytes.data()) != 1) return address;
    static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    char text[INET6_ADDRSTRLEN] = {};
    if (std::memcmp(bytes.data(), mapped, sizeof mapped) == 0) {
        inet_ntop(AF_INET, bytes.data() + 12, text, sizeof text);
        return text;
    }
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
    return std::string(text) + "/64";
}

connection_limiter::refusal connection_limiter::try_acquire(const std::string& raw_address,
                                                            slot& out) {
    std::string address = address_key(raw_address);
    {
        std::lock_guard lock(state_->mutex);
        if (state_->max_total != 0 && state_->total >= state_->max_total) return refusal::total;
        auto& mine = state_->per_address[address];
        if (state_->max_per_address != 0 && mine >= state_->max_per_address) {
            if (mine == 0) state_->per_address.erase(address);
            return refusal::per_address;
        }
        ++mine;
        ++state_->total;
    }
    out = slot(state_, address);
    return refusal::none;
}

std::size_t connection_limiter::open() const {
    std::lock_guard lock(state_->mutex);
    return state_->total;
}

}  // namespace switchboard
