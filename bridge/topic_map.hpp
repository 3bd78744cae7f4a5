#pragma once
// The bridge's MQTT topics (docs/mqtt.md): for an ID, `{prefix}/{id}/in`,
// `/out`, `/status` and `/events`; and back from a topic to the ID and kind,
// refusing any ID the WebSocket side would refuse (is_valid_id), so a topic
// level can never smuggle `+`, `#`, `/` or an over-long name in.
// Pure and immutable once built: any thread.

#include <optional>
#include <string>
#include <string_view>

namespace switchboard {

enum class topic_kind { in, out, status, events };

std::string_view to_string(topic_kind kind) noexcept;

class topic_map {
public:
    // `prefix` must pass is_valid_topic_prefix (the config checks it).
    explicit topic_map(std::string prefix);

    const std::string& prefix() const noexcept { return prefix_; }

    // `{prefix}/{id}/{kind}`; `id` must be valid (callers hold registered IDs).
    std::string topic(std::string_view id, topic_kind kind) const;

    // `{prefix}/+/{kind}`, for subscribing to every client's topic of a kind.
    std::string filter(topic_kind kind) const;

    // `$share/{group}/{prefix}/+/{kind}`: N gateways split the load instead
    // of each receiving everything. The plain filter when `group` is empty.
    std::string shared_filter(topic_kind kind, std::string_view group) const;

    // `{prefix}/$watchdog`: the filter the bridge's watchdog unsubscribes
    // from to probe an idle broker. `$` is not an ID character, so no
    // client's topic is ever this one.
    std::string probe_filter() const;

    // Scale-out: `{prefix}/$relay`, where a node publishes a response whose
    // command another node may hold (core/cluster_relay.hpp); every node
    // subscribes it, unshared. Like the others, never a client's topic.
    std::string relay_topic() const;
    // `{prefix}/$relay/{node}`: where the other nodes tell `node` whether
    // they held a relay it published (core/relay_waits.hpp); only `node`
    // subscribes it.
    std::string relay_reply_topic(std::string_view node) const;

    // Scale-out: `{prefix}/$nodes/{node}`, where each gateway node says
    // whether it is up (retained; its Last Will says it is down), and the
    // filter `{prefix}/$nodes/+` for all of them. `$` is not an ID
    // character, so no client's topic is ever one of these.
    std::string node_topic(std::string_view node) const;
    std::string node_filter() const;
    // The node a topic names, when it is a node topic with a valid name.
    std::optional<std::string_view> node_of(std::string_view topic) const noexcept;

    enum class match_status {
        ok,       // one of ours, with a valid ID
        foreign,  // not shaped like one of our topics
        bad_id,   // ours, but the ID level breaks the ID rules
    };
    struct match {
        match_status status = match_status::foreign;
        std::string_view id;  // points into the topic given to parse()
        topic_kind kind = topic_kind::in;
    };

    // Never throws; `topic` is untrusted.
    match parse(std::string_view topic) const noexcept;

private:
    std::string prefix_;
};

}  // namespace switchboard
