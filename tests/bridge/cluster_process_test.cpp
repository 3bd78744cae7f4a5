// Scale-out with real gateway processes (docs/scaling.md): three nodes on
// their own loopback ports, one mosquitto, clients spread over them. One
// node is killed with SIGKILL; the broker's Last Will for it (1.5 x the
// 3 s keepalive) tells the others, whose followers see its clients go.
// A rolling restart of two nodes with a store loses no queued command.
// (A 1 s keepalive let the bridges' watchdogs give up on a live broker on
// a loaded machine.)

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>

#include "answering_devices.hpp"
#include "child_process.hpp"
#include "command_frame.hpp"
#include "http_get.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_test_client.hpp"
#include "test_paths.hpp"
#include "ws_test_client.hpp"

using namespace switchboard::test;
using json = nlohmann::json;

namespace {

// One gateway process named `name`, bridged to `broker`; `extra` is merged
// into its config (a store, for instance). Its folder lives as long as the
// object, so a store in it survives restart().
class node_process {
public:
    node_process(const mosquitto_broker& broker, const std::string& name,
                 const json& extra = json::object())
        : name_(name) {
        dir_ = std::filesystem::temp_directory_path() /
               ("sb-cluster-" + std::to_string(getpid()) + "-" + name);
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        config_ = {{"node", name},
                   {"listen", {{"address", "127.0.0.1"}, {"port", 0}}},
                   {"threads", 1},
                   {"auth", {{"mode", "disabled"}}},
                   {"mqtt",
                    {{"enabled", true},
                     {"url", broker.url()},
                     {"username", mosquitto_broker::gateway_user},
                     {"password", mosquitto_broker::gateway_password},
                     {"keepalive_s", 3},
                     {"reconnect_min_ms", 20},
                     {"reconnect_max_ms", 250}}}};
        config_.merge_patch(extra);
        start();
    }
    ~node_process() {
        process_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    unsigned short port() const { return port_; }
    const std::filesystem::path& dir() const { return dir_; }
    void signal(int signo) { process_->signal(signo); }
    void kill() {
        process_->signal(SIGKILL);
        process_->wait_exit(std::chrono::seconds(10));
    }
    // Stops it as an operator does (SIGTERM, then its exit), runs
    // `while_down`, and starts it again on the same port with the same config.
    void restart(const std::function<void()>& while_down = {}) {
        process_->signal(SIGTERM);
        if (process_->wait_exit(std::chrono::seconds(30)) != 0) {
            throw std::runtime_error("node " + name_ + " did not stop cleanly: " + output());
        }
        earlier_ += process_->output();
        process_.reset();
        if (while_down) while_down();
        config_["listen"]["port"] = port_;
        start();
    }
    // Everything it printed, since its first start.
    std::string output() { return earlier_ + (process_ ? process_->output() : std::string()); }

private:
    void start() {
        std::ofstream(dir_ / "config.json") << config_.dump();
        process_ = std::make_unique<child_process>(std::vector<std::string>{
            test_paths::gateway(), "--config", (dir_ / "config.json").string()});
        auto line = process_->wait_for_line("listening on ", std::chrono::seconds(30));
        if (!line) throw std::runtime_error("node " + name_ + " did not start: " + output());
        port_ = static_cast<unsigned short>(std::stoi(line->substr(line->rfind(':') + 1)));
        // Subscribed at the broker: the log says so once the bridge is up.
        process_->wait_for_line("mqtt: connected", std::chrono::seconds(30));
    }

    std::string name_;
    std::filesystem::path dir_;
    json config_;
    std::unique_ptr<child_process> process_;
    std::string earlier_;  // what it printed before its last restart
    unsigned short port_ = 0;
};

// Waits for `id` to be listed by `c` (its node knows it), bounded.
bool listed(ws_test_client& c, const std::string& id, bool present = true) {
    for (int i = 0; i < 200; ++i) {
        c.send({{"type", "list"}});
        auto l = c.receive_type("list", 10s);
        if (!l) return false;
        bool found = false;
        for (const auto& item : (*l)["items"]) found = found || item["id"] == id;
        if (found == present) return true;
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

// Every command gets exactly one outcome, a `response`; returns how many ok.
int outcomes(ws_test_client& ctl, const std::vector<std::string>& ids) {
    std::set<std::string> seen;
    int ok = 0;
    while (seen.size() < ids.size()) {
        auto f = ctl.receive(30s);
        if (!f) return -1;
        if ((*f)["type"] != "response") continue;
        if (!seen.insert((*f)["id"].get<std::string>()).second) return -2;
        ok += (*f)["ok"] == true;
    }
    return ctl.quiet_for(300ms) ? ok : -3;
}

}  // namespace

TEST(ClusterProcess, ThreeNodesRouteEveryWayAndAKilledNodesClientsGoOffline) {
    mosquitto_broker broker;
    node_process n1(broker, "gw-1"), n2(broker, "gw-2"), n3(broker, "gw-3");
    // On failure, what every node said.
    struct dump_on_failure {
        node_process *a, *b, *c;
        ~dump_on_failure() {
            if (::testing::Test::HasFailure()) {
                std::cerr << "--- gw-1\n"
                          << a->output() << "--- gw-2\n"
                          << b->output() << "--- gw-3\n"
                          << c->output();
            }
        }
    } dump{&n1, &n2, &n3};

    ws_test_client ctl(n1.port());
    ASSERT_EQ(ctl.register_as("ctl-1", "controller")["type"], "registered");
    ctl.send({{"type", "subscribe"}, {"ids", {"dev-3"}}});
    ASSERT_TRUE(ctl.receive_type("subscribed"));
    auto dev2 = answering_ws_device(n2.port(), "dev-2");
    auto dev3 = answering_ws_device(n3.port(), "dev-3");
    mqtt_client_options o = registering_client("pump-9", "device");
    o.answer_topic = "sb/pump-9/out";
    mqtt_test_client pump(broker.url(), o);
    ASSERT_TRUE(pump.connect());
    ws_test_client ctl3(n3.port());
    ASSERT_EQ(ctl3.register_as("ctl-3", "controller")["type"], "registered");
    ASSERT_TRUE(listed(ctl, "dev-2") && listed(ctl, "dev-3") && listed(ctl, "pump-9"))
        << n1.output();
    ASSERT_TRUE(listed(ctl3, "dev-2") && listed(ctl3, "pump-9") && listed(ctl3, "ctl-1"));

    // Commands in every direction: WS -> WS on two other nodes, WS -> MQTT,
    // from nodes 1 and 3.
    std::vector<std::string> ids;
    for (int i = 0; i < 30; ++i) {
        std::string to = i % 3 == 0 ? "dev-2" : i % 3 == 1 ? "dev-3" : "pump-9";
        ids.push_back("k-" + std::to_string(i));
        ctl.send(command(to, ids.back(), {{"timeout_ms", 20000}}));
    }
    EXPECT_EQ(outcomes(ctl, ids), 30);
    std::vector<std::string> ids3;
    for (int i = 0; i < 20; ++i) {
        ids3.push_back("m-" + std::to_string(i));
        ctl3.send(command(i % 2 ? "dev-2" : "pump-9", ids3.back(), {{"timeout_ms", 20000}}));
    }
    EXPECT_EQ(outcomes(ctl3, ids3), 20);

    // Node 3 dies: its device goes offline on node 1 within the keepalive
    // (3 s, the broker's Last Will after 4.5 s; the deadline is generous).
    n3.kill();
    bool offline = false;
    for (int i = 0; i < 20 && !offline; ++i) {
        auto p = ctl.receive_type("presence", 20s);
        ASSERT_TRUE(p) << n1.output();
        offline = (*p)["id"] == "dev-3" && (*p)["online"] == false;
        if (offline) {
            EXPECT_EQ((*p)["reason"], "node_lost") << p->dump();
        }
    }
    EXPECT_TRUE(offline);
    EXPECT_TRUE(listed(ctl, "ctl-3", false));
    ctl.send(command("dev-3", "after"));
    auto err = ctl.receive_type("error");
    ASSERT_TRUE(err);
    EXPECT_EQ((*err)["code"], "offline");
    // Its clients can come back on another node.
    auto again = answering_ws_device(n2.port(), "dev-3");
    ASSERT_TRUE(listed(ctl, "dev-3"));
    ctl.send(command("dev-3", "back", {{"timeout_ms", 20000}}));
    EXPECT_EQ(outcomes(ctl, {"back"}), 1);
}

// A node that freezes (SIGSTOP: its sockets stay open, it says nothing) is
// given up by the broker after 1.5 x its 3 s keepalive: its Last Will tells
// the other node, whose followers see its clients go. When it thaws, it
// reconnects and says again who is connected to it: they come back.
TEST(ClusterProcess, AFrozenNodesClientsGoOfflineAndComeBackWhenItThaws) {
    mosquitto_broker broker;
    node_process n1(broker, "gw-1"), n2(broker, "gw-2");
    struct dump_on_failure {
        node_process *a, *b;
        ~dump_on_failure() {
            if (::testing::Test::HasFailure()) {
                std::cerr << "--- gw-1\n" << a->output() << "--- gw-2\n" << b->output();
            }
        }
    } dump{&n1, &n2};
    ws_test_client ctl(n1.port());
    ASSERT_EQ(ctl.register_as("ctl-1", "controller")["type"], "registered");
    ctl.send({{"type", "subscribe"}, {"ids", {"dev-2"}}});
    ASSERT_TRUE(ctl.receive_type("subscribed"));
    auto dev = answering_ws_device(n2.port(), "dev-2");
    auto presence_of_dev = [&](bool online) {
        for (int i = 0; i < 20; ++i) {
            auto p = ctl.receive_type("presence", 30s);
            if (!p) return false;
            if ((*p)["id"] == "dev-2" && (*p)["online"] == online) return true;
        }
        return false;
    };
    ASSERT_TRUE(presence_of_dev(true));

    n2.signal(SIGSTOP);
    EXPECT_TRUE(presence_of_dev(false));
    n2.signal(SIGCONT);
    ASSERT_TRUE(presence_of_dev(true));
    ctl.send(command("dev-2", "thawed", {{"timeout_ms", 20000}}));
    EXPECT_EQ(outcomes(ctl, {"thawed"}), 1);
}

namespace {

// What a node's bridge says in /stats (its `mqtt` object).
json bridge_stats(unsigned short port) {
    auto r = http_get(port, "/stats");
    auto stats = json::parse(r.body(), nullptr, false);
    return stats.is_object() && stats.contains("mqtt") ? stats["mqtt"] : json::object();
}

// Waits, bounded, for the node on `port` to know that another node is up.
bool sees_a_peer(unsigned short port) {
    for (int i = 0; i < 400; ++i) {
        if (bridge_stats(port).value("peers_up", 0) > 0) return true;
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

// A rolling restart (issue 14), with a store on both nodes: controller
// `ops` on node A queues `n` commands (ttl_ms, ack) for `dev`, offline.
// A restarts (ops reconnects to B while A is down), then B restarts (ops
// reconnects to B once it is back), then `dev` comes online (each test).
// A holds every command (its store kept them across its restart), ops is
// B's own WebSocket client: the device's answers that reach B are relayed
// to A, which settles them and sends the outcomes to ops through its inbox.
// Every command must end at ops with exactly one outcome, the device's ok
// response (recovered or not), and at most one `ack delivered`.
class RollingRestart : public ::testing::Test {
protected:
    static constexpr int n = 20;

    RollingRestart() : a_(broker_, "gw-a", store_config()), b_(broker_, "gw-b", store_config()) {}

    static json store_config() { return {{"store", {{"path", "commands.db"}}}}; }

    void TearDown() override {
        if (HasFailure()) {
            std::cerr << "--- gw-a\n" << a_.output() << "--- gw-b\n" << b_.output();
        }
    }

    // Steps up to the device coming online: ops ends on B.
    void queue_then_restart_both() {
        auto ops = std::make_unique<ws_test_client>(a_.port());
        ASSERT_EQ(ops->register_as("ops", "controller")["type"], "registered");
        for (int i = 0; i < n; ++i) {
            ops->send(command("dev", "q-" + std::to_string(i),
                              {{"ttl_ms", 600000}, {"timeout_ms", 30000}, {"ack", true}}));
        }
        for (int i = 0; i < n; ++i) {
            auto ack = ops->receive_type("ack", 30s);
            ASSERT_TRUE(ack) << i << " acks";
            ASSERT_EQ((*ack)["status"], "queued");
        }
        // A restarts: ops, cut off, reconnects to B while A is down.
        a_.restart([&] {
            ASSERT_TRUE(ops->wait_closed(30s));
            ops = std::make_unique<ws_test_client>(b_.port());
            ASSERT_EQ(ops->register_as("ops", "controller")["type"], "registered");
        });
        // B restarts: ops reconnects to B once it is back.
        b_.restart([&] { ASSERT_TRUE(ops->wait_closed(30s)); });
        ops_ = std::make_unique<ws_test_client>(b_.port());
        ASSERT_EQ(ops_->register_as("ops", "controller")["type"], "registered");
        // Both nodes know the other is up (else an answer is theirs alone).
        ASSERT_TRUE(sees_a_peer(a_.port()) && sees_a_peer(b_.port()));
    }

    // Reads ops' frames until every command has a response; checks each had
    // one, ok, and at most one `ack delivered`; then nothing more comes.
    void expect_one_ok_response_each() {
        std::map<std::string, int> responses, acks;
        int ok = 0;
        for (int frames = 0; responses.size() < static_cast<std::size_t>(n) && frames < 10 * n;
             ++frames) {
            auto f = ops_->receive(60s);
            ASSERT_TRUE(f) << responses.size() << " of " << n << " commands answered";
            const std::string type = f->value("type", "");
            if (type == "ack") {
                EXPECT_EQ((*f)["status"], "delivered") << f->dump();
                EXPECT_EQ(++acks[(*f)["id"].get<std::string>()], 1) << f->dump();
                continue;
            }
            ASSERT_EQ(type, "response") << f->dump();
            EXPECT_EQ(++responses[(*f)["id"].get<std::string>()], 1) << f->dump();
            if ((*f)["ok"] == true) ++ok;
        }
        EXPECT_EQ(responses.size(), static_cast<std::size_t>(n));
        EXPECT_EQ(ok, n) << "every answer came back (none timed out on A)";
        EXPECT_TRUE(ops_->quiet_for(500ms)) << "no second outcome";
    }

    mosquitto_broker broker_;
    node_process a_, b_;
    std::unique_ptr<ws_test_client> ops_;
};

// The device is a WebSocket client of B: A sends it the queued commands
// through its inbox, and every answer reaches B first.
TEST_F(RollingRestart, QueuedCommandsAnsweredByAWebSocketDeviceOnTheOtherNode) {
    queue_then_restart_both();
    if (HasFatalFailure()) return;
    // Registered by hand, with the handler set first: the queued commands
    // follow `registered` at once.
    std::atomic<bool> registered{false};
    std::atomic<int> device_errors{0};
    auto dev = std::make_unique<ws_test_client>(b_.port());
    dev->set_handler([&](const json& f, ws_test_client& self) {
        const std::string type = f.value("type", "");
        if (type == "registered") registered = true;
        if (type == "error") ++device_errors;
        if (type != "command") return;
        self.send({{"type", "response"}, {"to", f["from"]}, {"id", f["id"]}, {"ok", true}});
    });
    dev->send({{"type", "register"}, {"id", "dev"}, {"role", "device"}});
    expect_one_ok_response_each();
    EXPECT_TRUE(registered.load());
    EXPECT_EQ(device_errors.load(), 0) << "no unknown_command for the device";
    EXPECT_GE(bridge_stats(a_.port()).value("relays_settled", 0), 1);
}

// The device is an MQTT client: the shared subscription hands its answers
// to either node.
TEST_F(RollingRestart, QueuedCommandsAnsweredByAnMqttDevice) {
    queue_then_restart_both();
    if (HasFatalFailure()) return;
    mqtt_client_options o = registering_client("dev", "device");
    o.answer_topic = "sb/dev/out";
    mqtt_test_client dev(broker_.url(), o);
    ASSERT_TRUE(dev.connect());
    expect_one_ok_response_each();
    EXPECT_EQ(dev.commands_answered(), n);
    // The device heard nothing but its commands (no unknown_command).
    while (auto m = dev.receive(500ms)) {
        EXPECT_EQ(json::parse(m->payload, nullptr, false).value("type", ""), "command")
            << m->payload;
    }
}

}  // namespace
