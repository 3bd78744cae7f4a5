// core/cluster_status and the client table's remote clients (scale-out,
// docs/scaling.md): statuses naming a node, the tie-break between two
// registrations of one ID, relayed responses. No sockets, no broker.

#include "core/cluster_status.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/mqtt_client_table.hpp"
#include "core/router.hpp"
#include "fake_endpoint.hpp"
#include "tight_rate.hpp"

namespace switchboard {
namespace {

using json = nlohmann::json;
using testing::fake_endpoint;
using testing::tight_rate;

class node_links final : public mqtt_client_links {
public:
    std::shared_ptr<endpoint> make_link(const std::string& id, const std::string&) override {
        auto link = std::make_shared<fake_endpoint>();
        links[id] = link;
        return link;
    }
    void send_to_inbox(const std::string&, frame_ptr) override {}
    std::string status_topic(const std::string& id) const override {
        return "sb/" + id + "/status";
    }
    std::map<std::string, std::shared_ptr<fake_endpoint>> links;
};

std::string status_of(const std::string& node, std::int64_t since,
                      const std::string& role = "device") {
    return json{{"online", true}, {"role", role},      {"meta", json::object()},
                {"node", node},   {"transport", "ws"}, {"since", since}}
        .dump();
}

// One node ("gw-a") as its bridge's client table sees the others.
class ClusterTable : public ::testing::Test {
protected:
    explicit ClusterTable(duplicate_policy policy = duplicate_policy::takeover)
        : routing_(options(policy), stats_) {}
    static router_options options(duplicate_policy policy) {
        router_options o;
        o.node = "gw-a";
        o.duplicates = policy;
        return o;
    }
    // A WebSocket client of this node, registered `since` µs after the epoch.
    client_ptr local(const std::string& id, std::shared_ptr<fake_endpoint> link,
                     client_role role = client_role::device) {
        register_request r;
        r.id = id;
        r.role = role;
        return routing_.register_client(r, transport_kind::ws, std::move(link), "ws-" + id);
    }

    counters stats_;
    router routing_;
    frame_intake intake_{routing_, intake_limits{4096, 64}};
    node_links links_;
    mqtt_client_table table_{routing_, intake_, tight_rate(), links_, client_trust::unauthenticated,
                             "gw-a"};
    steady_time now_ = std::chrono::steady_clock::now();
};

class ClusterTableReject : public ClusterTable {
protected:
    ClusterTableReject() : ClusterTable(duplicate_policy::reject) {}
};

TEST(ClusterStatus, NodeStatusReadsBackWithNodeAndSince) {
    client_record c;
    c.id = "dash";
    c.role = client_role::controller;
    c.meta_json = R"({"room":"b"})";
    auto text = node_status_payload(c, "gw-b", 1234567);
    auto s = read_status(text, intake_limits{4096, 64});
    ASSERT_EQ(s.what, status_payload::kind::online) << s.why;
    EXPECT_EQ(s.node, "gw-b");
    EXPECT_EQ(s.since_us, 1234567);
    EXPECT_EQ(s.request.role, client_role::controller);
    EXPECT_EQ(s.request.meta_json, R"({"room":"b"})");
    EXPECT_EQ(json::parse(text)["transport"], "ws");
    // A node's status without its time, or with a node that is no ID, is invalid.
    for (const char* bad :
         {R"({"online":true,"node":"gw-b"})", R"({"online":true,"node":"a b","since":1})",
          R"({"online":true,"node":7,"since":1})"}) {
        EXPECT_EQ(read_status(bad, intake_limits{4096, 64}).what, status_payload::kind::invalid)
            << bad;
    }
}

TEST(ClusterStatus, TieBreakIsTotalAndTheSameEverywhere) {
    registration_stamp a{100, "gw-a"}, b{100, "gw-b"}, later{101, "gw-a"};
    EXPECT_TRUE(newer_registration(b, a));
    EXPECT_FALSE(newer_registration(a, b));
    EXPECT_TRUE(newer_registration(later, b));
    EXPECT_FALSE(newer_registration(a, a));
}

TEST(ClusterStatus, RemoteSessionsAreToldApart) {
    EXPECT_TRUE(is_remote_session(remote_session("gw-b", 3)));
    EXPECT_FALSE(is_remote_session("mqtt-3"));
    EXPECT_FALSE(is_remote_session("ws-1"));
}

TEST(ClusterStatus, RelayedResponseRoundTripsAndOthersAreDelivered) {
    response_request r;
    r.to = "dash";
    r.id = "c-1";
    r.ok = true;
    r.result_json = R"({"rpm":5})";
    auto frame = make_relayed_response("pump", r);
    auto reading = read_inbox_frame(*frame, "dash", 4096);
    ASSERT_EQ(reading.what, inbox_frame_reading::kind::relayed_response);
    EXPECT_EQ(reading.from, "pump");
    EXPECT_EQ(reading.response.id, "c-1");
    EXPECT_EQ(reading.response.result_json, R"({"rpm":5})");
    // Addressed to someone else: not settled here.
    EXPECT_EQ(read_inbox_frame(*frame, "other", 4096).what, inbox_frame_reading::kind::invalid);
    EXPECT_EQ(
        read_inbox_frame(R"({"type":"command","from":"dash","id":"c","name":"x"})", "pump", 4096)
            .what,
        inbox_frame_reading::kind::deliver);
    EXPECT_EQ(
        read_inbox_frame(R"({"type":"response","from":"pump","id":"c","ok":true})", "dash", 4096)
            .what,
        inbox_frame_reading::kind::deliver);
    EXPECT_EQ(read_inbox_frame("[", "dash", 4096).what, inbox_frame_reading::kind::invalid);
}

TEST_F(ClusterTable, AnotherNodesStatusRegistersARemoteClientAndOurOwnIsIgnored) {
    auto outcome = table_.on_status("dash", status_of("gw-b", 5, "controller"), now_);
    ASSERT_TRUE(outcome.opened);
    auto dash = routing_.clients().find("dash");
    ASSERT_TRUE(dash);
    EXPECT_TRUE(is_remote_session(dash->session));
    EXPECT_EQ(dash->via, transport_kind::ws);
    EXPECT_EQ(dash->role, client_role::controller);
    // The same registration again changes nothing.
    EXPECT_FALSE(table_.on_status("dash", status_of("gw-b", 5, "controller"), now_).opened);
    // Our own status coming back registers nothing.
    auto own = table_.on_status("mine", status_of("gw-a", 5), now_);
    EXPECT_TRUE(own.own);
    EXPECT_EQ(routing_.clients().find("mine"), nullptr);
    // Its node cleared it: offline, for the reason `close`.
    table_.on_status("dash", "", now_);
    EXPECT_EQ(routing_.clients().find("dash"), nullptr);
}

TEST_F(ClusterTable, ResponseForARemoteControllersCommandIsRelayedToItsInbox) {
    table_.on_status("dash", status_of("gw-b", 5, "controller"), now_);
    table_.on_status("pump", R"({"online":true})", now_);  // an MQTT device
    // pump answers a command dash sent through gw-b: not in this ledger.
    table_.on_out("pump", R"({"type":"response","to":"dash","id":"c-9","ok":true,"result":{}})",
                  now_);
    auto& inbox = *links_.links.at("dash");
    ASSERT_EQ(inbox.frame_count(), 1u);
    auto relayed = inbox.last();
    EXPECT_EQ(relayed["type"], "response");
    EXPECT_EQ(relayed["to"], "dash");
    EXPECT_EQ(relayed["from"], "pump");
    EXPECT_EQ(relayed["id"], "c-9");
    EXPECT_EQ(links_.links.at("pump")->frame_count(), 0u) << "no unknown_command for pump";
}

// The bridge refusing the relay (disconnected, or max_unacked publishes
// awaiting PUBACK): the device hears that its answer was lost.
TEST_F(ClusterTable, RelayRefusedByTheBridgeIsAnOverloadedErrorForTheDevice) {
    table_.on_status("dash", status_of("gw-b", 5, "controller"), now_);
    table_.on_status("pump", R"({"online":true})", now_);
    links_.links.at("dash")->refuse();
    table_.on_out("pump", R"({"type":"response","to":"dash","id":"c-9","ok":true,"result":{}})",
                  now_);
    EXPECT_EQ(links_.links.at("dash")->refused(), 1u);
    auto& pump = *links_.links.at("pump");
    ASSERT_EQ(pump.frame_count(), 1u);
    auto error = pump.last();
    EXPECT_EQ(error["type"], "error");
    EXPECT_EQ(error["code"], "overloaded");
    EXPECT_EQ(error["id"], "c-9");
    EXPECT_EQ(stats_.overloaded_errors.load(), 1u);
}

TEST_F(ClusterTable, RelayedResponseSettlesTheCommandHeldHere) {
    auto ctl_link = std::make_shared<fake_endpoint>();
    auto ctl = local("dash", ctl_link, client_role::controller);
    table_.on_status("pump", R"({"online":true})", now_);
    inbound_frame cmd = command_request{"pump", "c-1", "go", "", 5000, std::nullopt, false, {}};
    routing_.route(ctl, cmd, now_);
    ASSERT_EQ(routing_.ledger().size(), 1u);
    // The answer came through another node, relayed to dash's inbox.
    response_request r;
    r.to = "dash";
    r.id = "c-1";
    r.ok = true;
    auto reading = read_inbox_frame(*make_relayed_response("pump", r), "dash", 4096);
    ASSERT_EQ(reading.what, inbox_frame_reading::kind::relayed_response);
    EXPECT_EQ(routing_.settle_response(routing_.clients().find(reading.from), reading.response,
                                       router::response_source::inbox_relay, now_),
              router::settlement::settled);
    EXPECT_EQ(routing_.ledger().size(), 0u);
    auto answer = ctl_link->last();
    EXPECT_EQ(answer["type"], "response");
    EXPECT_EQ(answer["from"], "pump");
    EXPECT_EQ(answer["ok"], true);
}

// The bridge's side of the cluster relay, as the router sees it.
class fake_relay final : public cluster_relay {
public:
    outcome relay_response(const client_ptr& device, const response_request& response) override {
        if (answer == outcome::published) {
            frames.push_back(json::parse(*make_relayed_response(device->id, response)));
        }
        ++calls;
        return answer;
    }
    outcome answer = outcome::published;
    int calls = 0;
    std::vector<json> frames;
};

// An MQTT controller `ops` and an MQTT device `pump` on node gw-a, whose
// router relays through `relay_`.
class RelayDecision : public ClusterTable {
protected:
    RelayDecision() {
        routing_.set_cluster_relay(&relay_);
        table_.on_status("ops", R"({"online":true,"role":"controller"})", now_);
        table_.on_status("pump", R"({"online":true})", now_);
    }
    void pump_answers(const std::string& id) {
        table_.on_out(
            "pump",
            R"({"type":"response","to":"ops","id":")" + id + R"(","ok":true,"result":{"done":1}})",
            now_);
    }
    fake_endpoint& ops() { return *links_.links.at("ops"); }
    fake_endpoint& pump() { return *links_.links.at("pump"); }
    fake_relay relay_;
};

// The MQTT controller's command went to another node: the answer is relayed
// to every node, and the device hears nothing.
TEST_F(RelayDecision, AnswerToAnMqttControllersCommandHeldElsewhereGoesToEveryNode) {
    pump_answers("c-7");
    ASSERT_EQ(relay_.frames.size(), 1u);
    EXPECT_EQ(relay_.frames[0]["type"], "response");
    EXPECT_EQ(relay_.frames[0]["to"], "ops");
    EXPECT_EQ(relay_.frames[0]["from"], "pump");
    EXPECT_EQ(relay_.frames[0]["id"], "c-7");
    EXPECT_EQ(relay_.frames[0]["result"], json({{"done", 1}}));
    EXPECT_EQ(pump().frame_count(), 0u) << "no unknown_command for pump";
    EXPECT_EQ(ops().frame_count(), 0u);
    EXPECT_EQ(stats_.unknown_responses.load(), 0u);
}

// Alone, a node knows the command is nowhere: unknown_command, as on one node.
TEST_F(RelayDecision, WithNoOtherNodeUpTheAnswerIsUnknownAsOnOneNode) {
    relay_.answer = cluster_relay::outcome::no_peers;
    pump_answers("c-7");
    EXPECT_EQ(relay_.calls, 1);
    ASSERT_EQ(pump().frame_count(), 1u);
    EXPECT_EQ(pump().last()["code"], "unknown_command");
    EXPECT_EQ(stats_.unknown_responses.load(), 1u);
}

// A relay no node held ends at the relaying node's bridge, later: the device
// gets the frame, words and count one node gives at once; a device gone
// since is counted and sent nothing.
TEST_F(RelayDecision, HeldNowhereIsTheOneNodeUnknownCommandAtOnceOrLater) {
    relay_.answer = cluster_relay::outcome::no_peers;
    pump_answers("c-7");
    ASSERT_EQ(pump().frame_count(), 1u);
    json at_once = pump().last();
    EXPECT_EQ(at_once["type"], "error");
    EXPECT_EQ(at_once["code"], "unknown_command");
    EXPECT_EQ(at_once["id"], "c-7");
    EXPECT_EQ(at_once["message"], "no command 'c-7' from ops is pending for you");

    routing_.answer_held_nowhere(routing_.clients().find("pump"), "ops", "c-7");
    ASSERT_EQ(pump().frame_count(), 2u);
    EXPECT_EQ(pump().last(), at_once);
    EXPECT_EQ(stats_.unknown_responses.load(), 2u);
    EXPECT_EQ(stats_.frames_sent[static_cast<std::size_t>(outbound_type::error)].load(), 2u);

    routing_.answer_held_nowhere(nullptr, "ops", "c-8");
    EXPECT_EQ(pump().frame_count(), 2u);
    EXPECT_EQ(stats_.unknown_responses.load(), 3u);
    EXPECT_EQ(stats_.frames_sent[static_cast<std::size_t>(outbound_type::error)].load(), 2u);
}

TEST_F(RelayDecision, RelayRefusedIsAnOverloadedErrorForTheDevice) {
    relay_.answer = cluster_relay::outcome::refused;
    pump_answers("c-7");
    ASSERT_EQ(pump().frame_count(), 1u);
    EXPECT_EQ(pump().last()["code"], "overloaded");
    EXPECT_EQ(pump().last()["id"], "c-7");
    EXPECT_EQ(stats_.overloaded_errors.load(), 1u);
}

// A command held here is answered here: nothing relayed.
TEST_F(RelayDecision, CommandsHeldHereAreNotRelayed) {
    client_ptr ops_record = routing_.clients().find("ops");
    routing_.route(ops_record,
                   command_request{"pump", "c-1", "go", "", 5000, std::nullopt, false, {}}, now_);
    pump_answers("c-1");
    EXPECT_EQ(ops().of_type("response").size(), 1u);
    EXPECT_EQ(relay_.calls, 0);
    EXPECT_EQ(pump().frame_count(), 1u) << "the command only";
}

// A WebSocket controller of this node whose command is not held here: it
// moved here (its node restarted) and left its commands on the node it sent
// them from, which nothing names. The answer goes to every node.
TEST_F(RelayDecision, AnswerToALocalControllersCommandHeldElsewhereGoesToEveryNode) {
    auto dash_link = std::make_shared<fake_endpoint>();
    local("dash", dash_link, client_role::controller);
    table_.on_out("pump", R"({"type":"response","to":"dash","id":"c-2","ok":true,"result":{}})",
                  now_);
    ASSERT_EQ(relay_.frames.size(), 1u);
    EXPECT_EQ(relay_.frames[0]["to"], "dash");
    EXPECT_EQ(relay_.frames[0]["from"], "pump");
    EXPECT_EQ(relay_.frames[0]["id"], "c-2");
    EXPECT_EQ(pump().frame_count(), 0u) << "no unknown_command for pump";
    EXPECT_EQ(dash_link->frame_count(), 1u) << "registered only";
}

// A controller registered nowhere (away, reconnecting): its commands run on
// wherever it sent them, so its answer goes to every node too; an answer to
// a device's ID is unknown at once.
TEST_F(RelayDecision, AnswerForAnAwayControllerGoesToEveryNodeOneForADeviceIsUnknown) {
    table_.on_out("pump", R"({"type":"response","to":"gone","id":"c-3","ok":true,"result":{}})",
                  now_);
    ASSERT_EQ(relay_.frames.size(), 1u);
    EXPECT_EQ(relay_.frames[0]["to"], "gone");
    EXPECT_EQ(pump().frame_count(), 0u);

    table_.on_status("fan", R"({"online":true})", now_);
    table_.on_out("pump", R"({"type":"response","to":"fan","id":"c-4","ok":true,"result":{}})",
                  now_);
    EXPECT_EQ(relay_.calls, 1);
    ASSERT_EQ(pump().frame_count(), 1u);
    EXPECT_EQ(pump().last()["code"], "unknown_command");
}

// A response relayed to the inbox of this node's controller and not held
// here (the controller moved here from the node holding it, a third one):
// passed on to every node, never to another inbox; held here, settled once.
TEST_F(RelayDecision, AnInboxRelayNotHeldHereGoesToEveryNode) {
    auto dash_link = std::make_shared<fake_endpoint>();
    auto dash = local("dash", dash_link, client_role::controller);
    response_request r;
    r.to = "dash";
    r.id = "c-5";
    r.ok = true;
    client_ptr device = routing_.clients().find("pump");
    EXPECT_EQ(routing_.settle_response(device, r, router::response_source::inbox_relay, now_),
              router::settlement::not_held);
    ASSERT_EQ(relay_.frames.size(), 1u);
    EXPECT_EQ(relay_.frames[0]["id"], "c-5");
    EXPECT_EQ(pump().frame_count(), 0u);

    routing_.route(dash, command_request{"pump", "c-6", "go", "", 5000, std::nullopt, false, {}},
                   now_);
    r.id = "c-6";
    EXPECT_EQ(routing_.settle_response(device, r, router::response_source::inbox_relay, now_),
              router::settlement::settled);
    EXPECT_EQ(dash_link->of_type("response").size(), 1u);
    EXPECT_EQ(relay_.calls, 1);
    // A second answer is held nowhere: passed on like the first, never
    // settled twice.
    EXPECT_EQ(routing_.settle_response(device, r, router::response_source::inbox_relay, now_),
              router::settlement::not_held);
    EXPECT_EQ(dash_link->of_type("response").size(), 1u);
    EXPECT_EQ(relay_.calls, 2);
    EXPECT_EQ(pump().of_type("error").size(), 0u);
}

// Every node reads the relay; only the one holding the command settles it,
// once, and the others say nothing to anybody (nor relay it on).
TEST_F(RelayDecision, TheNodeHoldingTheCommandSettlesTheRelayAndOthersSendNothing) {
    client_ptr ops_record = routing_.clients().find("ops");
    routing_.route(ops_record,
                   command_request{"pump", "c-1", "go", "", 5000, std::nullopt, false, {}}, now_);
    ASSERT_EQ(routing_.ledger().size(), 1u);
    response_request r;
    r.to = "ops";
    r.id = "c-1";
    r.ok = true;
    r.result_json = R"({"done":1})";
    auto reading = read_cluster_relay(*make_relayed_response("pump", r), 4096);
    ASSERT_EQ(reading.what, inbox_frame_reading::kind::relayed_response);
    EXPECT_EQ(reading.from, "pump");
    client_ptr device = routing_.clients().find(reading.from);
    EXPECT_EQ(routing_.settle_response(device, reading.response,
                                       router::response_source::broadcast_relay, now_),
              router::settlement::settled);
    EXPECT_EQ(routing_.ledger().size(), 0u);
    auto answers = ops().of_type("response");
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0]["from"], "pump");
    EXPECT_EQ(answers[0]["result"], json({{"done", 1}}));

    // A node that does not hold it (here: another id): nothing, to anyone.
    const std::size_t ops_frames = ops().frame_count();
    const std::size_t pump_frames = pump().frame_count();
    r.id = "c-2";
    EXPECT_EQ(routing_.settle_response(device, r, router::response_source::broadcast_relay, now_),
              router::settlement::not_held);
    EXPECT_EQ(ops().frame_count(), ops_frames);
    EXPECT_EQ(pump().frame_count(), pump_frames);
    EXPECT_EQ(relay_.calls, 0) << "a relay is never relayed on";
}

// The command timed out on its node before the relay came: a late answer,
// as on one node (the device is told, once, by that node).
TEST_F(RelayDecision, ARelayForACommandThatTimedOutIsALateAnswer) {
    client_ptr ops_record = routing_.clients().find("ops");
    routing_.route(ops_record,
                   command_request{"pump", "c-1", "go", "", 100, std::nullopt, false, {}}, now_);
    routing_.expire_commands(now_ + std::chrono::seconds(1));
    ASSERT_EQ(ops().of_type("response").size(), 1u);  // the timeout
    response_request r;
    r.to = "ops";
    r.id = "c-1";
    r.ok = true;
    EXPECT_EQ(routing_.settle_response(routing_.clients().find("pump"), r,
                                       router::response_source::broadcast_relay,
                                       now_ + std::chrono::seconds(2)),
              router::settlement::late);
    ASSERT_EQ(pump().frame_count(), 2u);  // the command, then the error
    EXPECT_EQ(pump().last()["code"], "unknown_command");
    EXPECT_NE(pump().last()["message"].get<std::string>().find("timed out"), std::string::npos);
    EXPECT_EQ(ops().of_type("response").size(), 1u);
    EXPECT_EQ(stats_.late_responses.load(), 1u);
}

TEST(ClusterStatus, OnlyARelayedResponseIsReadFromTheRelayTopic) {
    for (const char* payload :
         {R"({"type":"response","to":"ops","id":"c-1","ok":true,"result":{}})",  // no from
          R"({"type":"message","to":"ops","from":"pump","body":{}})",
          R"({"type":"response","to":"ops","from":"bad id","id":"c-1","ok":true,"result":{}})",
          "not json", "[]"}) {
        EXPECT_EQ(read_cluster_relay(payload, 4096).what, inbox_frame_reading::kind::invalid)
            << payload;
    }
    std::string big =
        R"({"type":"response","to":"ops","from":"pump","id":"c-1","ok":true,"result":")" +
        std::string(5000, 'x') + "\"}";
    EXPECT_EQ(read_cluster_relay(big, 4096).what, inbox_frame_reading::kind::invalid);
}

TEST_F(ClusterTable, TakeoverNewerRemoteRegistrationWinsOlderIsOutlived) {
    auto link = std::make_shared<fake_endpoint>();
    auto mine = local("dev-x", link);
    const std::int64_t since = micros_since_epoch(mine->since);
    // Older than ours: ours stays.
    auto older = table_.on_status("dev-x", status_of("gw-b", since - 1), now_);
    EXPECT_TRUE(older.outlived);
    EXPECT_EQ(routing_.clients().find("dev-x")->session, mine->session);
    EXPECT_TRUE(link->closes().empty());
    // Newer: it takes over, and our connection is closed with 4003.
    auto newer = table_.on_status("dev-x", status_of("gw-b", since + 1), now_);
    ASSERT_TRUE(newer.opened);
    EXPECT_TRUE(is_remote_session(routing_.clients().find("dev-x")->session));
    ASSERT_EQ(link->closes().size(), 1u);
    EXPECT_EQ(link->closes()[0].code, 4003);
    // Between two other nodes the newer wins too.
    EXPECT_TRUE(table_.on_status("dev-x", status_of("gw-c", since), now_).outlived);
    EXPECT_TRUE(table_.on_status("dev-x", status_of("gw-c", since + 2), now_).opened);
}

TEST_F(ClusterTableReject, OlderRegistrationWinsOnEveryNode) {
    auto link = std::make_shared<fake_endpoint>();
    auto mine = local("dev-x", link);
    const std::int64_t since = micros_since_epoch(mine->since);
    // Newer than ours: ours stays (the other node yields when it reads ours).
    EXPECT_TRUE(table_.on_status("dev-x", status_of("gw-b", since + 1), now_).outlived);
    EXPECT_TRUE(link->closes().empty());
    // Older: registered there first, ours yields.
    auto older = table_.on_status("dev-x", status_of("gw-b", since - 1), now_);
    ASSERT_TRUE(older.opened);
    ASSERT_EQ(link->closes().size(), 1u);
    EXPECT_EQ(link->closes()[0].code, 4003);
    EXPECT_TRUE(is_remote_session(routing_.clients().find("dev-x")->session));
}

TEST_F(ClusterTable, ANodesClientsGoWithIt) {
    table_.on_status("dash", status_of("gw-b", 5, "controller"), now_);
    table_.on_status("pump", status_of("gw-b", 6), now_);
    table_.on_status("fan", status_of("gw-c", 7), now_);
    auto watch_link = std::make_shared<fake_endpoint>();
    auto watch = local("watch", watch_link, client_role::controller);
    routing_.route(watch, subscribe_request{true, {"pump"}, std::nullopt}, now_);
    EXPECT_EQ(table_.forget_node("gw-b").size(), 2u);
    auto presence = watch_link->of_type("presence");
    ASSERT_EQ(presence.size(), 1u);
    EXPECT_EQ(presence[0]["id"], "pump");
    EXPECT_EQ(presence[0]["online"], false);
    EXPECT_EQ(presence[0]["reason"], "node_lost");
    EXPECT_EQ(routing_.clients().find("dash"), nullptr);
    EXPECT_EQ(routing_.clients().find("pump"), nullptr);
    EXPECT_NE(routing_.clients().find("fan"), nullptr);
}

TEST_F(ClusterTable, RemoteClientsSendNothingThroughOut) {
    table_.on_status("dash", status_of("gw-b", 5, "controller"), now_);
    table_.on_out("dash", R"({"type":"list"})", now_);
    EXPECT_EQ(table_.counts().unregistered_frames, 1u);
}

}  // namespace
}  // namespace switchboard
