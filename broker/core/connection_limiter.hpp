#pragma once
// Caps open connections, in total and per remote address, so that one host
// (or everyone together) cannot exhaust file descriptors and memory.
// Thread-safe: the listener acquires on its thread; a slot is released
// wherever its connection ends. Slots keep the limiter's state alive, so
// they may outlive the limiter.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace switchboard {

class connection_limiter {
    struct state {
        std::mutex mutex;
        std::size_t max_total = 0;
        std::size_t max_per_address = 0;
        std::size_t total = 0;
        std::unordered_map<std::string, std::size_t> per_address;
    };

public:
    // Held for as long as the connection lives; releases on destruction.
    class slot {
    public:
        slot() = default;
        slot(slot&&) noexcept = default;
        slot& operator=(slot&& other) noexcept;
        ~slot();

        // The remote address this slot counts against.
        const std::string& address() const noexcept { return address_; }

    private:
        friend class connection_limiter;
        slot(std::shared_ptr<state> s, std::string address)
            : state_(std::move(s)), address_(std::move(address)) {}
        void release() noexcept;

        std::shared_ptr<state> state_;
        std::string address_;
    };

    enum class refusal { none, total, per_address };

    // 0 means no limit.
    connection_limiter(std::size_t max_total, std::size_t max_per_address);

    // A slot for a connection from `address`, or why there is none.
    // Addresses are counted by address_key: one IPv6 /64 is one address.
    refusal try_acquire(const std::string& address, slot& out);

    // What the per-address cap counts `address` as: an IPv4 address as it
    // is (also when mapped into IPv6), an IPv6 address by its /64 prefix
    // ("2001:db8:0:1::/64"): one host usually holds a whole /64 and may pick
    // any address in it. Anything else as it is.
    static std::string address_key(const std::string& address);

    std::size_t open() const;

    // New caps (a reload), for connections accepted from now on; open ones
    // stay, even over a lowered cap. 0 means no limit.
    void set_caps(std::size_t max_total, std::size_t max_per_address);

private:
    std::shared_ptr<state> state_;
};

}  // namespace switchboard
