#include "command_ledger.hpp"

#include <algorithm>

namespace switchboard {
namespace {

// "controller\nid" (a command's key) or "device\nsession" (the device
// index's): neither part may hold a newline.
std::string make_key(std::string_view first, std::string_view second) {
    std::string key;
    key.reserve(first.size() + second.size() + 1);
    key.append(first).push_back('\n');
    key.append(second);
    return key;
}

// Only the device session a command was handed to may answer it.
bool went_to(const pending_command& command, std::string_view device,
             std::string_view device_session) noexcept {
    return command.device == device && command.device_session == device_session;
}

// A key "controller\nid" in two parts, compared with the stored keys as if
// joined, so a lookup builds no string.
struct split_key {
    std::string_view controller;
    std::string_view id;
};

int compare(const split_key& a, std::string_view key) noexcept {
    const std::size_t head = std::min(a.controller.size(), key.size());
    if (int c = a.controller.compare(0, head, key.substr(0, head)); c != 0) return c;
    if (a.controller.size() > head) return 1;  // key ended inside the controller part
    key.remove_prefix(head);
    if (key.empty()) return 1;
    // Bytes compare unsigned, as std::string's ordering does.
    if (key.front() != '\n') return static_cast<unsigned char>(key.front()) > '\n' ? -1 : 1;
    key.remove_prefix(1);
    return a.id.compare(key);
}

[[maybe_unused]] bool operator<(const split_key& a, const std::string& key) noexcept {
    return compare(a, key) < 0;
}
[[maybe_unused]] bool operator<(const std::string& key, const split_key& a) noexcept {
    return compare(a, key) > 0;
}

}  // namespace

std::size_t queued_command::bytes() const noexcept {
    // The fixed part: the entry, its three index nodes and the key.
    constexpr std::size_t overhead = 384;
    return overhead + (frame ? frame->size() : 0) + 2 * (id.size() + device.size()) +
           (controller ? 2 * controller->id.size() : 0);
}

command_ledger::shard& command_ledger::shard_for(std::string_view controller) {
    return shards_[std::hash<std::string_view>{}(controller) % shard_count];
}

const command_ledger::shard& command_ledger::shard_for(std::string_view controller) const {
    return shards_[std::hash<std::string_view>{}(controller) % shard_count];
}

bool command_ledger::is_pending(std::string_view controller, std::string_view id,
                                std::string_view device, std::string_view device_session) const {
    const shard& s = shard_for(controller);
    std::lock_guard lock(s.mutex);
    auto it = s.commands.find(split_key{controller, id});
    return it != s.commands.end() && went_to(it->second.command, device, device_session);
}

pending_command command_ledger::extract_locked(
    shard& s, std::map<std::string, entry, std::less<>>::iterator it) {
    auto count = s.per_controller.find(it->second.command.controller->id);
    if (count != s.per_controller.end() && --count->second == 0) s.per_controller.erase(count);
    s.deadlines.erase(it->second.by_deadline);
    s.devices.erase(it->second.by_device);
    pending_command command = std::move(it->second.command);
    // However it ends, it is not to be sent again after a restart.
    if (command.stored && store_) store_->erase(command.controller->id, command.id);
    s.commands.erase(it);
    return command;
}

pending_command command_ledger::end_locked(shard& s,
                                           std::map<std::string, entry, std::less<>>::iterator it,
                                           command_state how, steady_time now) {
    std::string key = it->first;
    pending_command command = extract_locked(s, it);
    remember_end_locked(s, std::move(key), how, command.device, now);
    return command;
}

void command_ledger::remember_end_locked(shard& s, std::string key, command_state how,
                                         std::string device, steady_time now) {
    const std::uint64_t seq = ++s.ended_seq;
    s.ended.insert_or_assign(key, ended_command{how, std::move(device), now, seq});
    s.ended_order.push_back(ended_mark{std::move(key), seq, now});
    forget_ended_locked(s, now);
}

void command_ledger::forget_ended_locked(shard& s, steady_time now) const noexcept {
    while (!s.ended_order.empty() && (s.ended_order.size() > limits_.ended_per_shard ||
                                      s.ended_order.front().at + limits_.ended_for < now)) {
        const ended_mark& oldest = s.ended_order.front();
        // A newer end of the same key keeps its record.
        if (auto it = s.ended.find(oldest.key); it != s.ended.end() && it->second.seq == oldest.seq)
            s.ended.erase(it);
        s.ended_order.pop_front();
    }
}

command_ledger::add_result command_ledger::add(pending_command command,
                                               std::size_t max_per_controller) {
    shard& s = shard_for(command.controller->id);
    std::string key = make_key(command.controller->id, command.id);
    // While something is queued, its ID is as taken as one in flight.
    std::unique_lock<std::mutex> queue_lock;
    if (queued_count_.load(std::memory_order_acquire) > 0) {
        queue_lock = std::unique_lock(queue_.mutex);
        if (queue_.commands.contains(key)) return add_result::duplicate_id;
    }
    std::lock_guard lock(s.mutex);
    if (s.commands.contains(key)) return add_result::duplicate_id;
    std::size_t& count = s.per_controller[command.controller->id];
    if (count >= max_per_controller) {
        if (count == 0) s.per_controller.erase(command.controller->id);
        return add_result::too_many;
    }
    ++count;
    insert_locked(s, std::move(key), std::move(command));
    return add_result::added;
}

void command_ledger::insert_locked(shard& s, std::string key, pending_command command) {
    auto deadline = s.deadlines.emplace(command.deadline, key);
    auto device = s.devices.emplace(make_key(command.device, command.device_session), key);
    s.commands.emplace(std::move(key), entry{std::move(command), deadline, device});
}

command_ledger::take_result command_ledger::take(std::string_view controller, std::string_view id,
                                                 std::string_view device,
                                                 std::string_view device_session,
                                                 command_state answer, steady_time now) {
    shard& s = shard_for(controller);
    std::string key = make_key(controller, id);
    std::lock_guard lock(s.mutex);
    auto it = s.commands.find(key);
    if (it != s.commands.end() && went_to(it->second.command, device, device_session)) {
        return {take_status::found, end_locked(s, it, answer, now)};
    }
    if (it == s.commands.end()) {
        // Late only from the device it went to, and only when the gateway
        // ended it: a second answer is as unknown as a wrong one.
        if (auto ended = s.ended.find(key);
            ended != s.ended.end() && ended->second.device == device &&
            (ended->second.state == command_state::timeout ||
             ended->second.state == command_state::device_disconnected)) {
            return {take_status::late, std::nullopt, ended->second.state};
        }
    }
    return {take_status::unknown, std::nullopt};
}

bool command_ledger::add_released(pending_command& command) {
    shard& s = shard_for(command.controller->id);
    std::string key = make_key(command.controller->id, command.id);
    std::lock_guard lock(s.mutex);
    // Only an add() racing the enqueue() of the same ID can have put it here.
    if (s.commands.contains(key)) return false;
    ++s.per_controller[command.controller->id];
    insert_locked(s, std::move(key), std::move(command));
    return true;
}

command_ledger::enqueue_result command_ledger::enqueue(queued_command command,
                                                       const queue_limits& limits,
                                                       command_store::done_fn on_durable) {
    std::string key = make_key(command.controller->id, command.id);
    const std::size_t bytes = command.bytes();
    std::lock_guard lock(queue_.mutex);
    if (queue_.commands.contains(key)) return enqueue_result::duplicate_id;
    {
        const shard& s = shard_for(command.controller->id);
        std::lock_guard shard_lock(s.mutex);
        if (s.commands.contains(key)) return enqueue_result::duplicate_id;
    }
    auto& waiting = queue_.devices[command.device];
    if (waiting.size() >= limits.per_device) {
        if (waiting.empty()) queue_.devices.erase(command.device);
        return enqueue_result::device_full;
    }
    if (queue_.bytes + bytes > limits.total_bytes) {
        if (waiting.empty()) queue_.devices.erase(command.device);
        return enqueue_result::gateway_full;
    }
    if (store_) {
        command.stored = true;
        // Under the queue's lock: the store keeps rows in the order queued.
        store_->put(stored_command{command.controller->id, command.id, command.device,
                                   command.frame ? *command.frame : std::string{}, command.timeout,
                                   command.expires_ms, command.ack,
                                   command.trace ? std::string(command.trace->text().view())
                                                 : std::string{}},
                    std::move(on_durable));
    }
    queue_locked(std::move(key), std::move(command), store_ == nullptr);
    return enqueue_result::queued;
}

void command_ledger::queue_locked(std::string key, queued_command command, bool durable) {
    const std::size_t bytes = command.bytes();
    const std::uint64_t seq = ++queue_.seq;
    queue_.devices[command.device].emplace(seq, key);
    auto expiry = queue_.expiries.emplace(command.expires, key);
    queue_.bytes += bytes;
    queue_.commands.emplace(std::move(key), queue_entry{std::move(command), seq, expiry, durable});
    queued_count_.fetch_add(1, std::memory_order_release);
}

bool command_ledger::mark_durable(std::string_view controller, std::string_view id) {
    std::lock_guard lock(queue_.mutex);
    auto it = queue_.commands.find(split_key{controller, id});
    if (it == queue_.commands.end()) return false;
    it->second.durable = true;
    return true;
}

std::optional<queued_command> command_ledger::withdraw_queued(std::string_view controller,
                                                              std::string_view id) {
    std::lock_guard lock(queue_.mutex);
    auto it = queue_.commands.find(split_key{controller, id});
    if (it == queue_.commands.end()) return std::nullopt;
    return unqueue_locked(it, true);
}

queued_command command_ledger::unqueue_locked(
    std::map<std::string, queue_entry, std::less<>>::iterator it, bool ended) {
    queue_entry& e = it->second;
    if (auto waiting = queue_.devices.find(e.command.device); waiting != queue_.devices.end()) {
        waiting->second.erase(e.seq);
        if (waiting->second.empty()) queue_.devices.erase(waiting);
    }
    queue_.expiries.erase(e.by_expiry);
    queue_.bytes -= e.command.bytes();
    queued_command command = std::move(e.command);
    if (ended && command.stored && store_) store_->erase(command.controller->id, command.id);
    queue_.commands.erase(it);
    queued_count_.fetch_sub(1, std::memory_order_release);
    return command;
}

std::vector<queued_command> command_ledger::take_expired_queued(steady_time now) {
    std::vector<queued_command> out;
    if (queued_count_.load(std::memory_order_acquire) == 0) return out;
    std::lock_guard lock(queue_.mutex);
    while (!queue_.expiries.empty() && queue_.expiries.begin()->first <= now) {
        std::string key = queue_.expiries.begin()->second;
        queued_command command = unqueue_locked(queue_.commands.find(key), true);
        // Remembered before the queue's lock is let go (see release()).
        shard& s = shard_for(command.controller->id);
        std::lock_guard shard_lock(s.mutex);
        remember_end_locked(s, std::move(key), command_state::expired, command.device, now);
        out.push_back(std::move(command));
    }
    return out;
}

command_ledger::cancel_result command_ledger::cancel_queued(std::string_view controller,
                                                            std::string_view id, steady_time now) {
    std::string key = make_key(controller, id);
    shard& s = shard_for(controller);
    std::lock_guard lock(queue_.mutex);
    if (auto it = queue_.commands.find(key); it != queue_.commands.end()) {
        queued_command command = unqueue_locked(it, true);
        std::lock_guard shard_lock(s.mutex);
        remember_end_locked(s, std::move(key), command_state::cancelled, command.device, now);
        return {cancel_status::cancelled, std::move(command)};
    }
    std::lock_guard shard_lock(s.mutex);
    if (s.commands.contains(key)) return {cancel_status::already_sent, std::nullopt};
    if (auto ended = s.ended.find(key); ended != s.ended.end() &&
                                        ended->second.at + limits_.ended_for >= now &&
                                        ended->second.state != command_state::expired &&
                                        ended->second.state != command_state::cancelled) {
        return {cancel_status::already_sent, std::nullopt};
    }
    return {cancel_status::unknown, std::nullopt};
}

std::optional<command_ledger::command_status> command_ledger::status(std::string_view controller,
                                                                     std::string_view id,
                                                                     steady_time now) const {
    // The queue first, under its lock: a command leaves it only once it is
    // in flight or its end is remembered, so it is always found somewhere.
    std::lock_guard queue_lock(queue_.mutex);
    if (auto it = queue_.commands.find(split_key{controller, id}); it != queue_.commands.end()) {
        return command_status{command_state::queued, it->second.command.device};
    }
    const shard& s = shard_for(controller);
    std::lock_guard lock(s.mutex);
    if (auto it = s.commands.find(split_key{controller, id}); it != s.commands.end()) {
        return command_status{command_state::sent, it->second.command.device};
    }
    auto ended = s.ended.find(make_key(controller, id));
    if (ended == s.ended.end() || ended->second.at + limits_.ended_for < now) return std::nullopt;
    return command_status{ended->second.state, ended->second.device};
}

bool command_ledger::cancel(std::string_view controller, std::string_view id) {
    shard& s = shard_for(controller);
    std::lock_guard lock(s.mutex);
    auto it = s.commands.find(make_key(controller, id));
    if (it == s.commands.end()) return false;
    extract_locked(s, it);
    return true;
}

std::vector<pending_command> command_ledger::take_expired(steady_time now) {
    // Only forward: a pass with an older time (another thread's) keeps the newer.
    const auto ticks = now.time_since_epoch().count();
    auto last = last_expiry_pass_.load(std::memory_order_relaxed);
    while (last < ticks &&
           !last_expiry_pass_.compare_exchange_weak(last, ticks, std::memory_order_relaxed)) {
    }
    std::vector<pending_command> out;
    for (shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        while (!s.deadlines.empty() && s.deadlines.begin()->first <= now) {
            auto it = s.commands.find(s.deadlines.begin()->second);
            out.push_back(end_locked(s, it, command_state::timeout, now));
        }
        forget_ended_locked(s, now);
    }
    return out;
}

template <typename Visit>
std::size_t command_ledger::for_each_of_controller(const client_record& controller, Visit visit) {
    shard& s = shard_for(controller.id);
    std::string prefix = controller.id + '\n';
    std::lock_guard lock(s.mutex);
    std::size_t visited = 0;
    auto it = s.commands.lower_bound(prefix);
    while (it != s.commands.end() && it->first.starts_with(prefix)) {
        auto next = std::next(it);
        if (it->second.command.controller->session == controller.session) {
            visit(s, it);
            ++visited;
        }
        it = next;
    }
    return visited;
}

std::size_t command_ledger::drop_controller(const client_record& controller) {
    return for_each_of_controller(controller, [this](shard& s, auto it) { extract_locked(s, it); });
}

std::size_t command_ledger::drop_orphans(std::string_view controller,
                                         const std::function<std::string()>& current_session) {
    shard& s = shard_for(controller);
    const std::string prefix = std::string(controller) + '\n';
    std::lock_guard lock(s.mutex);
    const std::string keep = current_session();
    std::size_t dropped = 0;
    auto it = s.commands.lower_bound(prefix);
    while (it != s.commands.end() && it->first.starts_with(prefix)) {
        auto next = std::next(it);
        if (it->second.command.controller->session != keep || keep.empty()) {
            extract_locked(s, it);
            ++dropped;
        }
        it = next;
    }
    return dropped;
}

std::size_t command_ledger::move_controller(const client_record& from, const client_ptr& to) {
    // Same ID, so the same shard and keys: only the session they answer to changes.
    return for_each_of_controller(from,
                                  [&to](shard&, auto it) { it->second.command.controller = to; });
}

std::vector<pending_command> command_ledger::take_device(const client_record& device) {
    const steady_time now{steady_time::duration(last_expiry_pass_.load(std::memory_order_relaxed))};
    std::vector<pending_command> out;
    const std::string key = make_key(device.id, device.session);
    for (shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        for (auto [first, last] = s.devices.equal_range(key); first != last;) {
            auto command = s.commands.find((first++)->second);
            out.push_back(end_locked(s, command, command_state::device_disconnected, now));
        }
    }
    return out;
}

std::size_t command_ledger::move_device(const client_record& from, const client_record& to) {
    std::size_t moved = 0;
    const std::string from_key = make_key(from.id, from.session);
    const std::string to_key = make_key(to.id, to.session);
    for (shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        // Collected first: the new entries could land inside the range.
        auto [first, last] = s.devices.equal_range(from_key);
        std::vector<std::string> keys;
        for (auto it = first; it != last; ++it) keys.push_back(it->second);
        s.devices.erase(first, last);
        for (const std::string& key : keys) {
            auto command = s.commands.find(key);
            command->second.command.device_session = to.session;
            command->second.by_device = s.devices.emplace(to_key, key);
            ++moved;
        }
    }
    return moved;
}

std::size_t command_ledger::size() const {
    std::size_t n = 0;
    for (const shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.commands.size();
    }
    return n;
}

std::size_t command_ledger::queued_size() const {
    std::lock_guard lock(queue_.mutex);
    return queue_.commands.size();
}

std::size_t command_ledger::queued_bytes() const {
    std::lock_guard lock(queue_.mutex);
    return queue_.bytes;
}

std::size_t command_ledger::ended_size() const {
    std::size_t n = 0;
    for (const shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.ended.size();
    }
    return n;
}

void command_ledger::clear() {
    {
        decltype(queue_.commands) gone;
        std::lock_guard lock(queue_.mutex);
        gone.swap(queue_.commands);
        queue_.devices.clear();
        queue_.expiries.clear();
        queue_.bytes = 0;
        queued_count_.store(0, std::memory_order_release);
    }
    for (shard& s : shards_) {
        decltype(s.commands) gone;
        {
            std::lock_guard lock(s.mutex);
            gone.swap(s.commands);
            s.deadlines.clear();
            s.devices.clear();
            s.per_controller.clear();
            s.ended.clear();
            s.ended_order.clear();
        }
    }
}

}  // namespace switchboard
