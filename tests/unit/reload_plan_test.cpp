#include "core/reload_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/snapshot_cell.hpp"

namespace switchboard {
namespace {

gateway_config config_of(std::string_view text) {
    gateway_config c = parse_config(text, "test.json");
    c.finalize();
    return c;
}

constexpr const char* base = R"({
    "auth": {"tokens": [{"token": "dev-token-0123456789", "id": "pump-*", "role": "device"}]},
    "tls": {"enabled": true, "cert_file": "a.pem", "key_file": "a.key"}
})";

TEST(ReloadPlan, SameFileChangesNothingButTheCertificateIsReadAgain) {
    reload_plan plan = plan_reload(config_of(base), config_of(base));
    EXPECT_FALSE(plan.refused());
    EXPECT_EQ(plan.live_changes, std::vector<std::string>{"tls certificate"});
    plan = plan_reload(config_of("{}"), config_of("{}"));
    EXPECT_TRUE(plan.live_changes.empty());
    EXPECT_EQ(plan.summary(), "nothing");
}

TEST(ReloadPlan, CredentialsAclOriginsAndLimitsChangeLive) {
    reload_plan plan = plan_reload(config_of(base), config_of(R"({
        "log_level": "debug",
        "server_names": ["gw.example.com"],
        "limits": {"max_message_bytes": 4096, "max_pending_commands": 8},
        "timeouts": {"idle_ms": 5000},
        "tls": {"enabled": true, "cert_file": "b.pem", "key_file": "b.key"},
        "auth": {"tokens": [{"token": "other-token-0123456789", "id": "pump-*", "role": "device"}]},
        "acl": {"rules": [{"effect": "deny", "from": "pump-1"}]},
        "origins": {"allowed": ["https://ops.example.com"]}
    })"));
    EXPECT_FALSE(plan.refused()) << plan.refusal();
    EXPECT_EQ(plan.summary(),
              "log_level, server_names, limits, timeouts, tls certificate, auth, acl, origins");
}

TEST(ReloadPlan, EachLimitAndTimeoutCounts) {
    for (const char* text :
         {R"({"limits": {"outbound_queue_frames": 7}})", R"({"limits": {"list_limit_max": 700}})",
          R"({"limits": {"frames_per_second": 7}})", R"({"limits": {"max_connections": 7}})",
          R"({"limits": {"permessage_deflate": true}})"}) {
        EXPECT_EQ(plan_reload(config_of("{}"), config_of(text)).summary(), "limits") << text;
    }
    for (const char* text :
         {R"({"timeouts": {"register_ms": 700}})",
          R"({"timeouts": {"command_max_ms": 700, "command_default_ms": 600}})"}) {
        EXPECT_EQ(plan_reload(config_of("{}"), config_of(text)).summary(), "timeouts") << text;
    }
    EXPECT_EQ(
        plan_reload(config_of("{}"), config_of(R"({"duplicate_id_policy": "reject"})")).summary(),
        "duplicate_id_policy");
    EXPECT_EQ(
        plan_reload(config_of("{}"), config_of(R"({"auth": {"jwt": {"leeway_s": 1}}})")).summary(),
        "auth");
}

TEST(ReloadPlan, FixedKeysAreRefusedByName) {
    reload_plan plan = plan_reload(config_of(base), config_of(R"({
        "threads": 3,
        "listen": {"port": 9999},
        "auth": {"tokens": [{"token": "dev-token-0123456789", "id": "pump-*", "role": "device"}]},
        "tls": {"enabled": true, "cert_file": "a.pem", "key_file": "a.key", "allow_plain": false},
        "mqtt": {"enabled": true, "tls": {"verify": false}}
    })"));
    ASSERT_TRUE(plan.refused());
    EXPECT_EQ(plan.fixed_changes,
              (std::vector<std::string>{"threads", "listen.port", "mqtt.enabled", "mqtt.tls.verify",
                                        "tls.allow_plain"}));
    EXPECT_EQ(plan.refusal(),
              "'threads', 'listen.port', 'mqtt.enabled', 'mqtt.tls.verify', 'tls.allow_plain' "
              "cannot change while running (restart to change them)");
    plan = plan_reload(config_of("{}"), config_of(R"({"node": "gw-b"})"));
    EXPECT_EQ(plan.refusal(), "'node' cannot change while running (restart to change it)");
}

// A key added to the config must be placed: live, or fixed and compared.
TEST(ReloadPlan, EveryConfigKeyIsClassified) {
    auto fixed = fixed_key_paths();
    for (const config_key& key : config_keys()) {
        std::optional<bool> live = is_live_key(key.path);
        ASSERT_TRUE(live.has_value()) << key.path << " is neither live nor fixed (reload_plan.cpp)";
        if (!*live) {
            EXPECT_NE(std::find(fixed.begin(), fixed.end(), key.path), fixed.end())
                << key.path << " is fixed but plan_reload does not compare it";
        }
    }
    for (const auto& path : fixed) {
        EXPECT_EQ(is_live_key(path), false) << path;
        auto keys = config_keys();
        EXPECT_TRUE(std::any_of(keys.begin(), keys.end(),
                                [&](const config_key& k) { return k.path == path; }))
            << path << " is not a config key";
    }
}

TEST(SnapshotCell, ReaderKeepsWhatItLoaded) {
    snapshot_cell<std::string> cell(std::make_shared<const std::string>("old"));
    std::shared_ptr<const std::string> held = cell.load();
    cell.store(std::make_shared<const std::string>("new"));
    EXPECT_EQ(*held, "old");
    EXPECT_EQ(*cell.load(), "new");
}

}  // namespace
}  // namespace switchboard
