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
    s.commands.erase(it);
    return command;
}

pending_command command_ledger::end_locked(shard& s,
                                           std::map<std::string, entry, std::less<>>::iterator it,
                                           command_state how, steady_time now) {
    std::string key = it->first;
    pending_command command = extract_locked(s, it);
    const std::uint64_t seq = ++s.ended_seq;
    s.ended.insert_or_assign(key, ended_command{how, command.device, now, seq});
    s.ended_order.push_back(ended_mark{std::move(key), seq, now});
    forget_ended_locked(s, now);
    return command;
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
    std::lock_guard lock(s.mutex);
    if (s.commands.contains(key)) return add_result::duplicate_id;
    std::size_t& count = s.per_controller[command.controller->id];
    if (count >= max_per_controller) {
        if (count == 0) s.per_controller.erase(command.controller->id);
        return add_result::too_many;
    }
    ++count;
    auto deadline = s.deadlines.emplace(command.deadline, key);
    auto device = s.devices.emplace(make_key(command.device, command.device_session), key);
    s.commands.emplace(std::move(key), entry{std::move(command), deadline, device});
    return add_result::added;
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

std::optional<command_ledger::command_status> command_ledger::status(std::string_view controller,
                                                                     std::string_view id,
                                                                     steady_time now) const {
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

std::size_t command_ledger::ended_size() const {
    std::size_t n = 0;
    for (const shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.ended.size();
    }
    return n;
}

void command_ledger::clear() {
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
