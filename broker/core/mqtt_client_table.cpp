#include "mqtt_client_table.hpp"

#include "cluster_status.hpp"
#include "id_rules.hpp"
#include "json_text.hpp"
#include "json_writer.hpp"
#include "outbound_frame.hpp"
#include "router.hpp"

namespace switchboard {

status_payload read_status(std::string_view payload, const intake_limits& limits) {
    status_payload s;
    if (payload.empty()) return s;  // the retained status cleared
    auto invalid = [&s](std::string why) {
        s.what = status_payload::kind::invalid;
        s.why = std::move(why);
        return s;
    };
    if (payload.size() > limits.max_message_bytes) {
        return invalid("over " + std::to_string(limits.max_message_bytes) + " bytes");
    }
    json_object_view doc;
    switch (doc.parse(payload, max_json_depth)) {
        case json_object_view::status::ok:
            break;
        case json_object_view::status::not_json:
            return invalid("not valid JSON");
        case json_object_view::status::not_object:
            return invalid("not a JSON object");
        case json_object_view::status::too_deep:
            return invalid("nested deeper than " + std::to_string(max_json_depth) + " levels");
    }
    const json_member* online = doc.find("online");
    if (online == nullptr || online->kind != json_kind::boolean) {
        return invalid("'online' must be true or false");
    }
    if (online->value != "true") return s;
    if (const json_member* node = doc.find("node")) {
        s.node = node->kind == json_kind::string ? json_string_value(node->value) : std::string();
        if (!is_valid_id(s.node)) return invalid("'node' must be a valid ID");
        const json_member* since = doc.find("since");
        auto us = since && since->kind == json_kind::number ? json_integer_value(since->value)
                                                            : std::nullopt;
        if (!us) return invalid("a node's status needs an integer 'since'");
        s.since_us = *us;
    }
    if (const json_member* role = doc.find("role")) {
        auto parsed = role->kind == json_kind::string ? parse_role(json_string_value(role->value))
                                                      : std::nullopt;
        if (!parsed) return invalid("'role' must be \"device\" or \"controller\"");
        s.request.role = *parsed;
    }
    if (const json_member* meta = doc.find("meta")) {
        if (meta->kind != json_kind::object) return invalid("'meta' must be an object");
        if (!meta_fits(meta->value, limits)) {
            return invalid("'meta' is over " + std::to_string(limits.max_meta_bytes) + " bytes");
        }
        s.request.meta_json = std::string(meta->value);
    }
    s.what = status_payload::kind::online;
    return s;
}

std::string event_payload(const event_request& event) {
    return json_writer{32 + event.name.size() + event.data_json.size()}
        .string("name", event.name)
        .raw("data", event.data_json)
        .finish();
}

// One registered MQTT ID as the intake sees it.
class mqtt_client_table::sender final : public intake_sender {
public:
    sender(mqtt_client_table& table, client& c, std::chrono::steady_clock::time_point now)
        : table_(table), client_(c), now_(now) {}

    client_ptr registered() override { return client_.record; }
    rate_limiter& rate() override { return client_.rate; }
    void reply(frame_ptr frame) override { client_.record->link->deliver(std::move(frame)); }
    void on_register(const register_request&) override {}  // registered already: routed
    void on_flood() override {
        // No connection of ours to close: the frames are refused, counted,
        // and the client hears why at most once a second.
        ++table_.stats_.flood_refused;
        if (now_ - client_.flood_told < std::chrono::seconds(1)) return;
        client_.flood_told = now_;
        reply(make_error(error_code::rate_limited,
                         "rate limit exceeded repeatedly: frames are refused until you slow "
                         "down"));
    }

private:
    mqtt_client_table& table_;
    client& client_;
    std::chrono::steady_clock::time_point now_;
};

mqtt_client_table::mqtt_client_table(router& routing, const frame_intake& intake,
                                     rate_limit_options rate, mqtt_client_links& links,
                                     client_trust trust, std::string node)
    : router_(routing),
      intake_(intake),
      rate_(rate),
      links_(links),
      trust_(trust),
      node_(std::move(node)),
      strangers_(rate, std::chrono::steady_clock::now()) {}

client_ptr mqtt_client_table::find(const std::string& id) const {
    auto it = clients_.find(id);
    return it == clients_.end() ? nullptr : it->second.record;
}

mqtt_client_table::status_outcome mqtt_client_table::on_status(
    const std::string& id, std::string_view payload, std::chrono::steady_clock::time_point now) {
    status_payload status = read_status(payload, intake_.limits());
    status_outcome outcome{status.what, std::move(status.why)};
    if (status.what == status_payload::kind::invalid) ++stats_.statuses_refused;
    auto known = clients_.find(id);
    if (status.what != status_payload::kind::online) {
        if (known != clients_.end()) {
            // A remote client's node cleared its status: it closed there.
            const bool remote = !known->second.node.empty();
            outcome.closed = std::move(known->second.record);
            clients_.erase(known);
            router_.unregister_client(outcome.closed,
                                      status.what == status_payload::kind::offline && !remote
                                          ? presence_reason::last_will
                                          : presence_reason::closed);
        }
        return outcome;
    }
    if (!status.node.empty()) return on_remote_status(id, std::move(status), now);
    if (known != clients_.end() && !known->second.node.empty()) {
        // Was another node's WebSocket client: this MQTT client is a new one.
        client_ptr remote = std::move(known->second.record);
        clients_.erase(known);
        router_.unregister_client(remote, presence_reason::closed);
        known = clients_.end();
    }
    register_request& request = status.request;
    request.id = id;
    if (known != clients_.end() && known->second.record->role == request.role &&
        known->second.record->meta_json == request.meta_json) {
        return outcome;  // the same status again (a retained replay after resubscribing)
    }
    std::string session = "mqtt-" + std::to_string(++next_session_);
    auto link = links_.make_link(id, session);
    client_ptr previous = known != clients_.end() ? known->second.record : nullptr;
    // A new status does not refill the client's bucket: it goes on paying.
    client next =
        known != clients_.end() ? known->second : client{nullptr, {}, 0, rate_limiter(rate_, now)};
    // No `registered` reply: the client asked nothing, it published a status.
    client_ptr record = router_.register_client(request, transport_kind::mqtt, std::move(link),
                                                std::move(session), registered_reply::skip, trust_);
    if (previous) {
        // Our own earlier record of this client (its role or meta changed):
        // the takeover closed its link. The connection is the same, so with
        // the same role its follows and commands go on under the new record.
        if (record) router_.carry_over(*previous, record);
        clients_.erase(id);
        router_.unregister_client(previous);
        outcome.closed = std::move(previous);
    }
    if (!record) {
        outcome.refused = true;
        return outcome;
    }
    outcome.opened = record;
    next.record = std::move(record);
    clients_.insert_or_assign(id, std::move(next));
    return outcome;
}

mqtt_client_table::status_outcome mqtt_client_table::on_remote_status(
    const std::string& id, status_payload status, std::chrono::steady_clock::time_point now) {
    status_outcome outcome{status.what};
    if (status.node == node_) {
        outcome.own = true;
        return outcome;
    }
    const registration_stamp theirs{status.since_us, status.node};
    // Two registrations of one ID: with `takeover` the newer one wins, with
    // `reject` the older one; every node decides alike (newer_registration).
    const bool takeover = router_.options()->duplicates == duplicate_policy::takeover;
    auto they_win = [&](const registration_stamp& mine) {
        return takeover ? newer_registration(theirs, mine) : newer_registration(mine, theirs);
    };
    auto known = clients_.find(id);
    if (known != clients_.end() && !known->second.node.empty()) {
        const client& c = known->second;
        if (c.node == status.node && c.since_us == status.since_us) {
            return outcome;  // the same registration again (a retained replay)
        }
        if (c.node != status.node && !they_win({c.since_us, c.node})) {
            outcome.outlived = true;
            return outcome;
        }
    }
    if (known == clients_.end()) {
        client_ptr local = router_.clients().find(id);
        if (local && local->via == transport_kind::ws && !is_remote_session(local->session)) {
            if (!they_win({micros_since_epoch(local->since), node_})) {
                outcome.outlived = true;
                return outcome;
            }
            if (!takeover) {
                // `reject`: the other node registered it first; ours yields.
                local->link->close(close_code::replaced, "registered on another node first");
                router_.unregister_client(local, presence_reason::closed);
                outcome.closed = local;
            }
        }
    }
    if (known != clients_.end()) {
        // Another registration of the ID (reconnected, or on another node):
        // a new client, nothing carries over.
        client_ptr previous = std::move(known->second.record);
        clients_.erase(known);
        router_.unregister_client(previous, presence_reason::closed);
        outcome.closed = std::move(previous);
    }
    register_request& request = status.request;
    request.id = id;
    std::string session = remote_session(status.node, ++next_session_);
    auto link = links_.make_link(id, session);
    client_ptr record = router_.register_client(request, transport_kind::ws, std::move(link),
                                                std::move(session), registered_reply::skip, trust_);
    if (!record) {
        outcome.refused = true;
        return outcome;
    }
    outcome.opened = record;
    clients_.insert_or_assign(
        id, client{record, status.node, status.since_us, rate_limiter(rate_, now)});
    return outcome;
}

std::vector<std::string> mqtt_client_table::forget_node(std::string_view node) {
    std::vector<client_ptr> gone;
    for (auto it = clients_.begin(); it != clients_.end();) {
        if (it->second.node != node) {
            ++it;
            continue;
        }
        gone.push_back(std::move(it->second.record));
        it = clients_.erase(it);
    }
    std::vector<std::string> ids;
    for (const client_ptr& record : gone) {
        router_.unregister_client(record, presence_reason::node_lost);
        ids.push_back(record->id);
    }
    return ids;
}

void mqtt_client_table::on_out(const std::string& id, std::string_view payload,
                               std::chrono::steady_clock::time_point now,
                               std::string_view traceparent) {
    ++stats_.frames_in;
    auto known = clients_.find(id);
    // A remote client is another node's WebSocket client: nothing of it
    // comes through `out`.
    if (known == clients_.end() || !known->second.node.empty()) {
        ++stats_.unregistered_frames;
        counters& counts = router_.stats();
        counters::add(counts.frames_received);
        counters::add(counts.bad_frames);
        if (strangers_.on_frame(now) != rate_limiter::verdict::pass) {
            counters::add(counts.rate_limited);
            return;
        }
        links_.send_to_inbox(
            id, make_error(error_code::not_registered,
                           "publish a retained status {\"online\":true,\"role\":...} to " +
                               links_.status_topic(id) + " before sending frames"));
        return;
    }
    sender s(*this, known->second, now);
    intake_.take(s, payload, true, now, traceparent);
}

void mqtt_client_table::set_rate(const rate_limit_options& rate,
                                 std::chrono::steady_clock::time_point now) {
    if (rate == rate_) return;
    rate_ = rate;
    for (auto& [id, c] : clients_) c.rate = rate_limiter(rate_, now);
    strangers_ = rate_limiter(rate_, now);
}

void mqtt_client_table::forget_all() {
    auto clients = std::move(clients_);
    clients_.clear();
    for (auto& [id, c] : clients) router_.unregister_client(c.record, presence_reason::broker_lost);
}

client_ptr mqtt_client_table::forget(const std::string& id, const std::string& session) {
    auto it = clients_.find(id);
    if (it == clients_.end() || it->second.record->session != session) return nullptr;
    // Another connection took this ID over; the registry entry is already
    // theirs, so unregistering only drops this record's follows and commands.
    client_ptr record = std::move(it->second.record);
    clients_.erase(it);
    router_.unregister_client(record);
    return record;
}

}  // namespace switchboard
