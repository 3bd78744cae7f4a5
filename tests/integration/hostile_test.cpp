// A live gateway under a hostile crowd: at least 10,000 malformed, truncated,
// oversized and out-of-order frames, impostors and invalid UTF-8, while
// well-behaved controllers keep commanding well-behaved devices. Zero
// crashes, zero lost commands among the well-behaved, sane latency.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "running_gateway.hpp"
#include "ws_test_client.hpp"

using namespace switchboard;
using namespace switchboard::test;
using json = nlohmann::json;

namespace {

const std::string device_token = "hostile-test-device-token";
const std::string dash_token = "hostile-test-dash-token-0";

// One hostile frame: `n` picks the kind; returns whether the gateway will
// close the connection for it (so the attacker reconnects).
std::pair<std::string, bool> hostile_frame(std::uint64_t n, std::mt19937_64& rng) {
    static const std::vector<std::string> valid = {
        R"({"type":"command","to":"good-dev-0","id":"c-1","name":"set_speed","args":{"rpm":1}})",
        R"({"type":"response","to":"good-ctl-0","id":"g0-1","ok":true})",
        R"({"type":"message","to":"good-ctl-1","payload":{"x":1}})",
        R"({"type":"subscribe","ids":["good-*"]})",
        R"({"type":"list","limit":1000000})",
        R"({"type":"register","id":"good-dev-0","role":"device","token":"guess"})",
        R"({"type":"event","name":"e","data":[1,2,3]})",
    };
    const std::string& base = valid[n % valid.size()];
    switch (n % 11) {
        case 0:  // truncated
            return {base.substr(0, rng() % base.size()), false};
        case 1: {  // a byte flipped to something else printable
            std::string s = base;
            s[rng() % s.size()] = static_cast<char>(' ' + rng() % 94);
            return {s, false};
        }
        case 2:  // deep nesting
            return {std::string(200, '[') + std::string(200, ']'), false};
        case 3:  // wrong types
            return {R"({"type":"command","to":["a"],"id":{},"name":null,"timeout_ms":1e300})",
                    false};
        case 4:  // out of order or foreign: valid-looking frames from the wrong party
            return {base, false};
        case 5:  // junk
            return {"}{\"type\"::,,", false};
        case 6:  // huge numbers and odd escapes
            return {R"({"type":"list","limit":18446744073709551616,"prefix":"\u0000\ud800"})",
                    false};
        case 7:  // empty
            return {"", false};
        case 8:  // duplicate keys
            return {R"({"type":"list","type":"command","to":"good-dev-1","id":"x","name":"y"})",
                    false};
        case 9:  // every 50th of these is oversized, the rest a long string
            if ((n / 11) % 50 == 0) return {std::string(70000, 'x'), true};
            return {"{\"type\":\"event\",\"name\":\"" + std::string(300, 'n') + "\"}", false};
        default:  // invalid UTF-8, now and then; otherwise an unknown type
            if ((n / 11) % 50 == 0) return {"{\"type\":\"\xff\xfe\"}", true};
            return {R"({"type":"teleport","to":"good-dev-0"})", false};
    }
}

}  // namespace

TEST(Hostile, TenThousandBadFramesWhileGoodClientsLoseNothing) {
    running_gateway gw([](gateway_config& c) {
        c.auth.required = true;
        c.auth.tokens = {{device_token, "good-dev-*", client_role::device},
                         {dash_token, "good-ctl-*", client_role::controller},
                         {"hostile-controller-token", "evil-*", client_role::controller},
                         {"hostile-device-token-0001", "evil-*", client_role::device}};
        c.session.rate.frames_per_second = 0;  // the parser is under test here, not the limiter
        c.session.max_connections_per_address = 0;
        c.threads = 2;
    });

    constexpr int devices = 2, controllers = 2, commands_each = 300, window = 8;
    std::atomic<std::uint64_t> good_frames{devices};  // every frame the good clients send
    client_io good_io;
    std::vector<std::unique_ptr<ws_test_client>> devs;
    for (int i = 0; i < devices; ++i) {
        devs.push_back(std::make_unique<ws_test_client>(gw.port(), client_options{}, &good_io));
        auto r = devs.back()->register_as("good-dev-" + std::to_string(i), "device",
                                          {{"token", device_token}});
        ASSERT_EQ(r["type"], "registered") << r;
        devs.back()->set_handler([&good_frames](const json& f, ws_test_client& self) {
            // Attackers' commands reach it too (controllers may command devices):
            // answer whatever arrives, reading it defensively.
            if (!f.is_object() || f.value("type", "") != "command") return;
            self.send({{"type", "response"},
                       {"to", f.value("from", "")},
                       {"id", f.value("id", "")},
                       {"ok", true},
                       {"result", f.value("args", json())}});
            ++good_frames;
        });
    }

    std::atomic<bool> attack_done{false};
    std::atomic<std::uint64_t> hostile_frames{0}, hostile_reconnects{0};
    std::vector<std::thread> attackers;
    for (int a = 0; a < 3; ++a) {
        attackers.emplace_back([&, a] {
            std::mt19937_64 rng(a * 7919 + 1);
            client_io io;
            std::uint64_t n = a;
            // On until the gateway has read at least 10,000 frames from attackers.
            // Frames sent after a close-inducing one never arrive, so the
            // gateway's count decides, not ours.
            auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            while (gw.stats().frames_received.load() < 10'000 + good_frames.load() &&
                   std::chrono::steady_clock::now() < deadline) {
                ws_test_client evil(gw.port(), client_options{}, &io);
                if (!evil.connected()) continue;
                ++hostile_reconnects;
                // Two of three attackers log in (as evil-*), so routing sees them too.
                if (a != 0) {
                    evil.register_as("evil-" + std::to_string(a), a == 1 ? "controller" : "device",
                                     {{"token", a == 1 ? "hostile-controller-token"
                                                       : "hostile-device-token-0001"}});
                }
                bool closing = false;
                for (int i = 0; i < 400 && !evil.closed(); ++i, n += 3) {
                    auto [text, closes] = hostile_frame(n, rng);
                    if (n % 97 == 0) {
                        evil.send_binary(text);
                    } else {
                        evil.send_text(text);
                    }
                    ++hostile_frames;
                    if (closes) {
                        n += 3;  // the loop's own step is skipped by the break
                        closing = true;
                        evil.wait_closed(5s);
                        break;
                    }
                }
                if (closing) continue;
                // Frames are queued for writing; wait until the gateway has
                // answered the last one (replies come in order) before leaving.
                evil.send({{"type", "list"}, {"id", "sync"}});
                while (auto f = evil.receive(5s)) {
                    if (f->value("id", "") == "sync") break;
                }
            }
        });
    }

    std::vector<std::vector<double>> latencies(controllers);
    std::vector<std::thread> good;
    std::atomic<int> lost{0}, answered{0}, issued{0};
    for (int c = 0; c < controllers; ++c) {
        good.emplace_back([&, c] {
            ws_test_client ctl(gw.port(), client_options{}, &good_io);
            auto r = ctl.register_as("good-ctl-" + std::to_string(c), "controller",
                                     {{"token", dash_token}});
            ++good_frames;
            if (r["type"] != "registered") {
                lost += commands_each;
                return;
            }
            std::map<std::string, std::chrono::steady_clock::time_point> sent;
            int next = 0;
            for (;;) {
                // At least commands_each, and on for as long as the attack lasts.
                while ((next < commands_each || !attack_done.load()) &&
                       static_cast<int>(sent.size()) < window) {
                    std::string id = "g" + std::to_string(c) + "-" + std::to_string(next);
                    ctl.send({{"type", "command"},
                              {"to", "good-dev-" + std::to_string(next % devices)},
                              {"id", id},
                              {"name", "set_speed"},
                              {"args", {{"n", next}}},
                              {"timeout_ms", 10000}});
                    sent[id] = std::chrono::steady_clock::now();
                    ++good_frames;
                    ++issued;
                    ++next;
                }
                if (sent.empty()) break;
                auto f = ctl.receive(15s);
                if (!f) {
                    lost += static_cast<int>(sent.size());
                    break;
                }
                if ((*f)["type"] != "response") continue;  // messages from attackers, etc.
                auto it = sent.find(f->value("id", ""));
                if (it == sent.end() || (*f)["ok"] != true) {
                    ++lost;
                    continue;
                }
                latencies[c].push_back(std::chrono::duration<double, std::milli>(
                                           std::chrono::steady_clock::now() - it->second)
                                           .count());
                sent.erase(it);
                ++answered;
            }
        });
    }
    for (auto& t : attackers) t.join();
    attack_done = true;
    for (auto& t : good) t.join();

    std::vector<double> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    double p99 = all.empty() ? 1e9 : all[all.size() * 99 / 100];
    std::printf("hostile frames %llu over %llu connections; good commands %d, p99 %.1f ms\n",
                static_cast<unsigned long long>(hostile_frames.load()),
                static_cast<unsigned long long>(hostile_reconnects.load()), answered.load(), p99);

    EXPECT_GE(hostile_frames.load(), 10'000u);
    EXPECT_EQ(lost.load(), 0);
    EXPECT_GE(answered.load(), controllers * commands_each);
    EXPECT_EQ(answered.load(), issued.load());
    EXPECT_LT(p99, 500.0);
    EXPECT_GE(gw.stats().frames_received.load(), 10'000u + good_frames.load());
    EXPECT_GE(gw.stats().bad_frames.load(), 3'000u);
    EXPECT_GE(gw.stats().unauthorized.load(), 1u);
    // The gateway still serves newcomers normally.
    ws_test_client late(gw.port());
    EXPECT_EQ(late.register_as("good-dev-9", "device", {{"token", device_token}})["type"],
              "registered");
}
