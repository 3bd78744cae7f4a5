#include "keep_alive_sweep.hpp"

#include <boost/asio/steady_timer.hpp>

#include "raw_wire.hpp"

namespace switchboard {

namespace asio = boost::asio;

boost::asio::execution_context::id keep_alive_sweep::id;

// The members with one half period, in a list through their `place`.
struct keep_alive_sweep::clock {
    clock(const asio::any_io_executor& executor, duration half_period)
        : timer(executor), half(half_period), step(half_period / steps_per_tick) {}

    asio::steady_timer timer;
    const duration half;
    const duration step;
    std::uint32_t steps = 0;  // since the clock was made
    raw_wire* head = nullptr;
    bool running = false;
};

keep_alive_sweep::keep_alive_sweep(asio::execution_context& context)
    : asio::execution_context::service(context) {}

keep_alive_sweep::~keep_alive_sweep() = default;

void keep_alive_sweep::shutdown() {
    // The members outlive this service's timers only at shutdown: let them
    // know they are members no more, so they do not unlink from it later.
    for (auto& c : clocks_) {
        for (raw_wire* w = c->head; w != nullptr;) {
            raw_wire* next = w->sweep_place_.next;
            w->sweep_place_ = {};
            w = next;
        }
        c->head = nullptr;
    }
    clocks_.clear();
}

keep_alive_sweep::clock& keep_alive_sweep::clock_for(const asio::any_io_executor& executor,
                                                     duration half_period) {
    for (auto& c : clocks_) {
        if (c->half == half_period) return *c;
    }
    return *clocks_.emplace_back(std::make_unique<clock>(executor, half_period));
}

void keep_alive_sweep::join(raw_wire& wire, const asio::any_io_executor& executor,
                            duration half_period) {
    leave(wire);
    auto& sweep =
        asio::use_service<keep_alive_sweep>(asio::query(executor, asio::execution::context));
    clock& c = sweep.clock_for(executor, half_period);
    place& p = wire.sweep_place_;
    p.owner = &c;
    p.next = c.head;
    if (c.head != nullptr) c.head->sweep_place_.prev = &wire;
    c.head = &wire;
    const auto now = std::chrono::steady_clock::now();
    if (!c.running) {
        c.running = true;
        c.timer.expires_at(now + c.step);
        sweep.arm(c);
    }
    // The first step due at or after a half period from now: the steps come
    // due at the timer's expiry and a whole step apart after it (or later).
    const duration wait = now + c.half - c.timer.expiry();
    std::uint32_t more = 0;
    if (wait.count() > 0) more = static_cast<std::uint32_t>((wait + c.step - duration(1)) / c.step);
    p.due = c.steps + 1 + more;
}

void keep_alive_sweep::leave(raw_wire& wire) noexcept {
    place& p = wire.sweep_place_;
    if (p.owner == nullptr) return;
    if (p.prev != nullptr) {
        p.prev->sweep_place_.next = p.next;
    } else {
        p.owner->head = p.next;
    }
    if (p.next != nullptr) p.next->sweep_place_.prev = p.prev;
    p = {};
}

void keep_alive_sweep::arm(clock& c) {
    c.timer.async_wait([this, &c](boost::system::error_code ec) {
        if (!ec) on_step(c);
    });
}

void keep_alive_sweep::on_step(clock& c) {
    ++c.steps;
    for (raw_wire* w = c.head; w != nullptr;) {
        // A tick may make its own wire leave (a time-out), never another.
        raw_wire* next = w->sweep_place_.next;
        place& p = w->sweep_place_;
        if (static_cast<std::int32_t>(c.steps - p.due) >= 0) {
            p.due += steps_per_tick;
            w->on_keep_alive_tick();
        }
        w = next;
    }
    if (c.head == nullptr) {
        c.running = false;  // so an io_context with no connections left can return from run()
        return;
    }
    // From the last expiry, so the steps do not drift; but a step behind
    // (a busy thread) starts again from now: steps never come in a burst,
    // which would tick a member twice with no time for the peer to answer.
    auto next = c.timer.expiry() + c.step;
    if (const auto now = std::chrono::steady_clock::now(); next < now) next = now + c.step;
    c.timer.expires_at(next);
    arm(c);
}

}  // namespace switchboard
