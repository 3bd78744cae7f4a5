// Scale-out with real gateway processes (docs/scaling.md): three nodes on
// their own loopback ports, one mosquitto, clients spread over them. One
// node is killed with SIGKILL; the broker's Last Will for it (1.5 x the
// 3 s keepalive) tells the others, whose followers see its clients go.
// (A 1 s keepalive let the bridges' watchdogs give up on a live broker on
// a loaded machine.)

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "child_process.hpp"
#include "command_frame.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_test_client.hpp"
#include "ws_test_client.hpp"

using namespace switchboard::test;
using json = nlohmann::json;

namespace {

// One gateway process named `name`, bridged to `broker`.
class node_process {
public:
    node_process(const mosquitto_broker& broker, const std::string& name) {
        dir_ = std::filesystem::temp_directory_path() /
               ("sb-cluster-" + std::to_string(getpid()) + "-" + name);
        std::filesystem::create_directories(dir_);
        json config = {{"node", name},
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
        std::ofstream(dir_ / "config.json") << config.dump();
        process_ = std::make_unique<child_process>(std::vector<std::string>{
            SWITCHBOARD_BINARY, "--config", (dir_ / "config.json").string()});
        auto line = process_->wait_for_line("listening on ", std::chrono::seconds(30));
        if (!line) throw std::runtime_error("node " + name + " did not start: " + output());
        port_ = static_cast<unsigned short>(std::stoi(line->substr(line->rfind(':') + 1)));
        // Subscribed at the broker: the log says so once the bridge is up.
        process_->wait_for_line("mqtt: connected", std::chrono::seconds(30));
    }
    ~node_process() {
        process_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    unsigned short port() const { return port_; }
    void signal(int signo) { process_->signal(signo); }
    void kill() {
        process_->signal(SIGKILL);
        process_->wait_exit(std::chrono::seconds(10));
    }
    std::string output() { return process_ ? process_->output() : std::string(); }

private:
    std::filesystem::path dir_;
    std::unique_ptr<child_process> process_;
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

std::unique_ptr<ws_test_client> answering_ws_device(unsigned short port, const std::string& id) {
    auto d = std::make_unique<ws_test_client>(port);
    EXPECT_EQ(d->register_as(id, "device")["type"], "registered");
    d->set_handler([](const json& f, ws_test_client& self) {
        if (f.value("type", "") != "command") return;
        self.send({{"type", "response"}, {"to", f["from"]}, {"id", f["id"]}, {"ok", true}});
    });
    return d;
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
