#pragma once
// The keep-alive clock of every raw_wire on one io_context: one timer per
// I/O thread instead of one per connection. A timer per connection cost an
// idle connection ~330 bytes (the 120-byte timer, its pending wait in
// asio's recycled blocks, its slot in the timer queue: docs/benchmarks.md,
// W2); a member here costs 28. Each member is ticked every half idle
// period, the first time a half period after it joined, as its own timer
// did; the clock steps in quarters of a half period, so a tick comes at
// most a quarter of a half period late and never early.
// An asio service: one per io_context, made on first use, gone with it.
// Used on its io_context's one thread (io_pool runs one per context): join,
// leave and the ticks never run on another. A member leaves on its thread
// before it can be destroyed elsewhere (it is linked only while its reads
// are pending, and they keep it alive).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace switchboard {

class raw_wire;

class keep_alive_sweep : public boost::asio::execution_context::service {
    struct clock;

public:
    using duration = std::chrono::steady_clock::duration;

    // A member's place in its clock's list, embedded in the member.
    struct place {
        raw_wire* prev = nullptr;
        raw_wire* next = nullptr;
        clock* owner = nullptr;  // null: not a member
        std::uint32_t due = 0;   // the clock's tick count at which it is ticked next
    };

    static boost::asio::execution_context::id id;

    explicit keep_alive_sweep(boost::asio::execution_context& context);
    ~keep_alive_sweep() override;

    // Ticks `wire` (raw_wire::on_keep_alive_tick) every `half_period` until
    // it leaves; `executor` is the wire's. Joining twice is leaving first.
    static void join(raw_wire& wire, const boost::asio::any_io_executor& executor,
                     duration half_period);
    // No more ticks for `wire`; nothing if it is not a member.
    static void leave(raw_wire& wire) noexcept;

private:
    // Clock steps per half period.
    static constexpr std::uint32_t steps_per_tick = 4;

    void shutdown() override;
    clock& clock_for(const boost::asio::any_io_executor& executor, duration half_period);
    void arm(clock& c);
    void on_step(clock& c);

    std::vector<std::unique_ptr<clock>> clocks_;  // one per half period in use (few)
};

}  // namespace switchboard
