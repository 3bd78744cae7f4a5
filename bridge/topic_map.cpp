#include "topic_map.hpp"

#include "core/id_rules.hpp"

namespace switchboard {

std::string_view to_string(topic_kind kind) noexcept {
    switch (kind) {
        case topic_kind::in:
            return "in";
        case topic_kind::out:
            return "out";
        case topic_kind::status:
            return "status";
        case topic_kind::events:
            return "events";
    }
    return "in";
}

topic_map::topic_map(std::string prefix) : prefix_(std::move(prefix)) {}

std::string topic_map::topic(std::string_view id, topic_kind kind) const {
    std::string_view suffix = to_string(kind);
    std::string t;
    t.reserve(prefix_.size() + id.size() + suffix.size() + 2);
    t.append(prefix_).append("/").append(id).append("/").append(suffix);
    return t;
}

std::string topic_map::filter(topic_kind kind) const { return topic("+", kind); }

std::string topic_map::probe_filter() const { return prefix_ + "/$watchdog"; }

std::string topic_map::relay_topic() const { return prefix_ + "/$relay"; }

std::string topic_map::relay_reply_topic(std::string_view node) const {
    return relay_topic().append("/").append(node);
}

std::string topic_map::shared_filter(topic_kind kind, std::string_view group) const {
    if (group.empty()) return filter(kind);
    return "$share/" + std::string(group) + "/" + filter(kind);
}

std::string topic_map::node_topic(std::string_view node) const {
    std::string t = prefix_;
    t.append("/$nodes/").append(node);
    return t;
}

std::string topic_map::node_filter() const { return node_topic("+"); }

std::optional<std::string_view> topic_map::node_of(std::string_view topic) const noexcept {
    std::string_view head = "/$nodes/";
    if (!topic.starts_with(prefix_) || topic.substr(prefix_.size(), head.size()) != head) {
        return std::nullopt;
    }
    std::string_view node = topic.substr(prefix_.size() + head.size());
    if (!is_valid_id(node)) return std::nullopt;
    return node;
}

topic_map::match topic_map::parse(std::string_view topic) const noexcept {
    match m;
    if (!topic.starts_with(prefix_) || topic.size() <= prefix_.size() ||
        topic[prefix_.size()] != '/') {
        return m;
    }
    std::string_view rest = topic.substr(prefix_.size() + 1);
    auto slash = rest.rfind('/');
    if (slash == std::string_view::npos) return m;
    std::string_view suffix = rest.substr(slash + 1);
    if (suffix == "in") {
        m.kind = topic_kind::in;
    } else if (suffix == "out") {
        m.kind = topic_kind::out;
    } else if (suffix == "status") {
        m.kind = topic_kind::status;
    } else if (suffix == "events") {
        m.kind = topic_kind::events;
    } else {
        return m;
    }
    // Everything between the prefix and the last level is the ID: a `/`
    // there makes it a bad ID rather than a foreign topic, so it is logged.
    m.id = rest.substr(0, slash);
    m.status = is_valid_id(m.id) ? match_status::ok : match_status::bad_id;
    return m;
}

}  // namespace switchboard
