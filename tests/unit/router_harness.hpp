#pragma once
// A router with a fake clock and fake endpoints, shared by the router's unit
// tests (one file per concern: registration, commands, messaging, presence,
// listing and access, the one-outcome property).

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "core/router.hpp"
#include "fake_endpoint.hpp"

namespace switchboard::testing {

using json = nlohmann::json;
using namespace std::chrono_literals;

// One registered client as the tests see it: its record and its fake link.
struct peer {
    client_ptr self;
    std::shared_ptr<fake_endpoint> link;

    const std::string& id() const { return self->id; }
    json last() const { return link->last(); }
    std::size_t count() const { return link->frame_count(); }
};

// A router with a fake clock; every client it holds is a fake endpoint.
class harness {
public:
    explicit harness(router_options options = test_options())
        : router_(std::move(options), stats_) {}

    static router_options test_options() {
        router_options o;
        o.node = "gw-test";
        o.command_timeout_default = 30000ms;
        o.command_timeout_max = 300000ms;
        // Controller recovery off: a leaving controller's commands drop at
        // once, as the tests written before it expect; its tests turn it on.
        o.recovery.window = 0ms;
        return o;
    }

    // Registers and checks the `registered` answer; clears the link so that
    // tests see only what follows.
    peer connect(const std::string& id, client_role role, json meta = json::object()) {
        auto link = std::make_shared<fake_endpoint>();
        register_request req;
        req.id = id;
        req.role = role;
        req.meta_json = meta.dump();
        client_ptr self =
            router_.register_client(req, transport_kind::ws, link, next_session(),
                                    registered_reply::send, client_trust::unauthenticated, now_);
        EXPECT_NE(self, nullptr) << "registration of " << id << " refused";
        if (self) {
            EXPECT_GE(link->frame_count(), 1u);
            EXPECT_EQ(link->frame(0)["type"], "registered");
        }
        // What a device is sent at once (its queued commands) and a controller
        // (the outcomes it missed) stays for the test.
        if (self) {
            link->drop_first(1);
        } else {
            link->clear();
        }
        return {self, link};
    }
    peer device(const std::string& id) { return connect(id, client_role::device); }
    peer controller(const std::string& id) { return connect(id, client_role::controller); }

    // Sends `frame` as `from` would over its connection; the frame must parse.
    void send(const peer& from, const json& frame) {
        parse_result parsed = parse_frame(frame.dump());
        if (auto* e = std::get_if<frame_error>(&parsed)) {
            FAIL() << "test frame does not parse: " << e->message << ": " << frame.dump();
        }
        router_.route(from.self, std::get<inbound_frame>(parsed), now_);
    }

    // Routes an already-parsed frame (the property test's fast path).
    void route(const peer& from, inbound_frame frame) { router_.route(from.self, frame, now_); }

    void command(const peer& from, const std::string& to, const std::string& id,
                 json extra = json::object()) {
        json f = {{"type", "command"}, {"to", to}, {"id", id}, {"name", "do_it"}};
        f.update(extra);
        send(from, f);
    }

    void respond(const peer& from, const std::string& to, const std::string& id,
                 json extra = {{"ok", true}}) {
        json f = {{"type", "response"}, {"to", to}, {"id", id}};
        f.update(extra);
        send(from, f);
    }

    void advance(std::chrono::milliseconds d) {
        now_ += d;
        router_.expire_commands(now_);
    }

    void leave(const peer& p) { router_.unregister_client(p.self, presence_reason::closed, now_); }

    std::string next_session() { return "session-" + std::to_string(++sessions_); }

    router& r() { return router_; }
    counters& stats() { return stats_; }
    steady_time now() const { return now_; }

private:
    counters stats_;
    router router_;
    steady_time now_{};
    int sessions_ = 0;
};

inline std::uint64_t load(const counters::counter& c) { return c.load(); }

// The ack a command queued for an offline device earns.
inline json queued_ack(const std::string& id) {
    return {{"type", "ack"}, {"id", id}, {"status", "queued"}};
}

// A command's state as `status` reports it to `from`.
inline std::string state_of(harness& h, const peer& from, const std::string& id) {
    h.send(from, {{"type", "status"}, {"id", id}});
    return from.last().value("state", "");
}

// The wall clock a store's rows are stamped with, in milliseconds.
inline std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}
}  // namespace switchboard::testing
