#include "recovery_outbox.hpp"

#include <memory>

namespace switchboard {

frame_ptr mark_recovered(const frame_ptr& frame) {
    const std::string& text = *frame;
    const auto close = text.find_last_of('}');
    if (close == std::string::npos) return frame;
    const auto before = text.find_last_not_of(" \t\r\n", close == 0 ? 0 : close - 1);
    const bool empty_object = close == 0 || before == std::string::npos || text[before] == '{';
    std::string marked;
    marked.reserve(text.size() + 18);
    marked.append(text, 0, close);
    marked.append(empty_object ? "\"recovered\":true" : ",\"recovered\":true");
    marked.append(text, close, std::string::npos);
    return std::make_shared<const std::string>(std::move(marked));
}

recovery_outbox::shard& recovery_outbox::shard_for(std::string_view id) {
    return shards_[std::hash<std::string_view>{}(id) % shard_count];
}

void recovery_outbox::go_away_locked(shard& s, const std::string& id, box& b, steady_time deadline,
                                     std::int64_t deadline_ms) {
    b.is = state::away;
    b.link.reset();
    b.deadline = deadline;
    b.deadline_ms = deadline_ms;
    b.by_deadline = s.deadlines.emplace(deadline, id);
}

std::size_t recovery_outbox::discard_locked(const std::string& id, box& b) {
    const std::size_t n = b.frames.size();
    bytes_.fetch_sub(b.bytes, std::memory_order_relaxed);
    if (b.stored && store_) store_->forget_outcomes(id);
    b.frames.clear();
    b.bytes = 0;
    b.stored = false;
    return n;
}

recovery_outbox::route_result recovery_outbox::route(const std::string& id, const frame_ptr& frame,
                                                     const recovery_limits& limits, steady_time now,
                                                     std::int64_t now_ms) {
    shard& s = shard_for(id);
    std::lock_guard lock(s.mutex);
    auto [it, added] = s.boxes.try_emplace(id);
    box& b = it->second;
    // No connection and no box: a restored command's controller, or one
    // whose window ended while its queued command waited. It gets a window
    // from now.
    if (added) go_away_locked(s, id, b, now + limits.window, now_ms + limits.window.count());
    if (b.is == state::attached) return {routed::live, b.link};
    if (b.is == state::draining) {
        // Sent by the attaching thread after what was kept, in order.
        b.frames.push_back(frame);
        return {routed::queued, nullptr};
    }
    frame_ptr marked = mark_recovered(frame);
    const std::size_t size = marked->size();
    if (b.frames.size() >= limits.per_controller) return {routed::overflow, nullptr};
    if (bytes_.fetch_add(size, std::memory_order_relaxed) + size > limits.total_bytes) {
        bytes_.fetch_sub(size, std::memory_order_relaxed);
        return {routed::overflow, nullptr};
    }
    if (store_) {
        store_->keep_outcome({id, *marked, b.deadline_ms});
        b.stored = true;
    }
    b.bytes += size;
    b.frames.push_back(std::move(marked));
    return {routed::kept, nullptr};
}

recovery_outbox::attach_result recovery_outbox::attach(
    const client_ptr& controller, steady_time now,
    const std::function<void(const frame_ptr&)>& send) {
    attach_result result;
    shard& s = shard_for(controller->id);
    std::deque<frame_ptr> frames;
    {
        std::lock_guard lock(s.mutex);
        auto [it, added] = s.boxes.try_emplace(controller->id);
        box& b = it->second;
        if (!added && b.is == state::away) {
            s.deadlines.erase(b.by_deadline);
            if (b.deadline <= now) result.discarded = discard_locked(controller->id, b);
        }
        // What was kept leaves the store now: it is on its way to the connection.
        if (b.stored && store_) store_->forget_outcomes(controller->id);
        b.stored = false;
        bytes_.fetch_sub(b.bytes, std::memory_order_relaxed);
        b.bytes = 0;
        frames.swap(b.frames);
        b.is = frames.empty() ? state::attached : state::draining;
        b.link = controller;
    }
    while (!frames.empty()) {
        for (const frame_ptr& f : frames) send(f);
        result.sent += frames.size();
        frames.clear();
        std::lock_guard lock(s.mutex);
        auto it = s.boxes.find(controller->id);
        // It left, or a newer connection took the ID over: the rest is theirs.
        if (it == s.boxes.end() || it->second.link != controller) break;
        frames.swap(it->second.frames);
        if (frames.empty()) it->second.is = state::attached;
    }
    return result;
}

bool recovery_outbox::leave(const client_record& controller, std::chrono::milliseconds window,
                            steady_time now, std::int64_t now_ms) {
    shard& s = shard_for(controller.id);
    std::lock_guard lock(s.mutex);
    auto it = s.boxes.find(controller.id);
    if (it == s.boxes.end() || it->second.link.get() != &controller) return false;
    box& b = it->second;
    if (window.count() <= 0) {
        s.boxes.erase(it);
        return false;
    }
    go_away_locked(s, it->first, b, now + window, now_ms + window.count());
    // Outcomes that queued behind a drain it did not finish are kept as any other.
    for (frame_ptr& f : b.frames) {
        f = mark_recovered(f);
        b.bytes += f->size();
        bytes_.fetch_add(f->size(), std::memory_order_relaxed);
        if (store_) {
            store_->keep_outcome({it->first, *f, b.deadline_ms});
            b.stored = true;
        }
    }
    return true;
}

std::vector<recovery_outbox::ended_window> recovery_outbox::take_expired(steady_time now) {
    std::vector<ended_window> out;
    for (shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        while (!s.deadlines.empty() && s.deadlines.begin()->first <= now) {
            auto it = s.boxes.find(s.deadlines.begin()->second);
            s.deadlines.erase(s.deadlines.begin());
            if (it == s.boxes.end()) continue;
            out.push_back({it->first, discard_locked(it->first, it->second)});
            s.boxes.erase(it);
        }
    }
    return out;
}

recovery_outbox::restored recovery_outbox::restore(std::vector<kept_outcome> rows, steady_time now,
                                                   std::int64_t now_ms) {
    restored done;
    std::vector<std::string> expired_ids;
    for (kept_outcome& row : rows) {
        if (row.deadline_ms <= now_ms) {
            ++done.expired;
            expired_ids.push_back(row.controller);
            continue;
        }
        shard& s = shard_for(row.controller);
        std::lock_guard lock(s.mutex);
        auto [it, added] = s.boxes.try_emplace(row.controller);
        box& b = it->second;
        const steady_time deadline = now + std::chrono::milliseconds(row.deadline_ms - now_ms);
        if (added) {
            go_away_locked(s, it->first, b, deadline, row.deadline_ms);
        } else if (b.is == state::away && row.deadline_ms > b.deadline_ms) {
            s.deadlines.erase(b.by_deadline);
            go_away_locked(s, it->first, b, deadline, row.deadline_ms);
        }
        auto frame = std::make_shared<const std::string>(std::move(row.frame));
        b.bytes += frame->size();
        bytes_.fetch_add(frame->size(), std::memory_order_relaxed);
        b.frames.push_back(std::move(frame));
        b.stored = true;
        ++done.kept;
    }
    // An ID with only expired rows: they go now. (One with kept rows too
    // loses them all when its box is delivered or its window ends.)
    for (const std::string& id : expired_ids) {
        shard& s = shard_for(id);
        std::lock_guard lock(s.mutex);
        if (!s.boxes.contains(id) && store_) store_->forget_outcomes(id);
    }
    return done;
}

std::size_t recovery_outbox::kept_frames() const {
    std::size_t n = 0;
    for (const shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        for (const auto& [id, b] : s.boxes) {
            if (b.is == state::away) n += b.frames.size();
        }
    }
    return n;
}

void recovery_outbox::clear() {
    for (shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        s.boxes.clear();
        s.deadlines.clear();
    }
    bytes_.store(0, std::memory_order_relaxed);
}

}  // namespace switchboard
