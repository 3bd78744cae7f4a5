#pragma once
// Everything the gateway can be told at start-up (docs/configuration.md).
// Loaded from one JSON file and validated whole: an unknown key, a wrong type
// or a value out of range stops start-up with a message naming the key.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "authenticator.hpp"
#include "command_store.hpp"
#include "config_reader.hpp"  // config_error
#include "frame_intake.hpp"
#include "metrics_access.hpp"
#include "named_values.hpp"
#include "origin_policy.hpp"
#include "rate_limiter.hpp"
#include "registry.hpp"
#include "router.hpp"

namespace switchboard {

// Per-connection limits of the WebSocket side, one plain struct.
struct session_limits {
    std::size_t max_message_bytes = 65536;  // larger frames close the connection with 1009
    // ... and before `register` succeeds: a stranger may not make us buffer more.
    std::size_t register_message_bytes = 8192;
    std::size_t max_meta_bytes = 1024;  // `meta` of a register or an MQTT status, both transports
    std::size_t outbound_queue_bytes = 1 << 20;          // a reader this far behind is cut off
    std::size_t outbound_queue_frames = 4096;            // ... or this many frames behind
    std::chrono::milliseconds handshake_timeout{10000};  // TCP accept to WebSocket upgrade
    std::chrono::milliseconds register_timeout{5000};    // upgrade to `register`, else 4002
    std::chrono::milliseconds idle_timeout{60000};  // silence (answered pings count) before close
    std::size_t max_connections = 10000;            // open TCP connections in total; 0: no cap
    std::size_t max_connections_per_address = 64;   // ... from one remote address; 0: no cap
    rate_limit_options rate;                        // frames per second per connection
    bool permessage_deflate = false;                // compression; inflated size still capped

    bool operator==(const session_limits&) const = default;
};

// TLS on the one listener: each connection's first byte tells a TLS
// ClientHello from plain HTTP.
struct tls_options {
    bool enabled = false;
    std::string cert_file;    // PEM chain
    std::string key_file;     // PEM private key
    bool allow_plain = true;  // false: plain ws:// and http:// are refused

    bool operator==(const tls_options&) const = default;
};

// The MQTT bridge (docs/mqtt.md). Off unless `enabled`.
enum class mqtt_version { v3_1_1, v5 };

struct mqtt_tls_config {
    std::string ca_file;       // PEM trust store for the broker's certificate; empty: system's
    std::string cert_file;     // PEM client certificate, when the broker asks for one
    std::string key_file;      // its private key (may be in cert_file)
    std::string key_password;  // when the key is encrypted
    bool verify = true;        // check the broker's certificate and host name

    bool operator==(const mqtt_tls_config&) const = default;
};

struct mqtt_config {
    bool enabled = false;
    std::string url = "tcp://127.0.0.1:1883";  // tcp://, mqtt://, ssl://, mqtts://, ws://, wss://
    std::string client_id;                     // empty: "switchboard-" + node
    std::string username;
    std::string password;
    std::string topic_prefix = "sb";
    mqtt_version version = mqtt_version::v5;
    std::chrono::seconds keepalive{30};
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds reconnect_min{100};    // first retry after a failure ...
    std::chrono::milliseconds reconnect_max{10000};  // ... doubling up to this
    std::string shared_group = "switchboard";        // empty: plain subscription to sb/+/out
    // A frame for an MQTT client not yet acknowledged by the broker is
    // published again after a reconnect within this window, and (MQTT 5)
    // expires on the broker after it.
    std::chrono::milliseconds resend_window{30000};
    std::size_t max_unacked = 10000;  // frames awaiting PUBACK; past it deliveries are refused
    // The broker lets a client publish a status only with a credential for
    // its ID (the switchboard_mosquitto_auth plugin, or an equivalent): MQTT
    // records are then as trusted as authenticated WebSocket sessions and
    // may take their IDs over (docs/security.md).
    bool broker_authenticates = false;
    mqtt_tls_config tls;

    bool operator==(const mqtt_config&) const = default;
};

// How log lines are written: `text` for people, `json` (one object a line)
// for log collectors.
enum class log_line_format { text, json };

// The least severe lines logged, in spdlog's order (broker/logging.cpp
// checks that the numbers match spdlog's level_enum).
enum class log_level { trace, debug, info, warn, error, critical, off };

struct gateway_config {
    // Sent in `registered`; names the bridge's client ID and, with several
    // nodes, this node in the cluster. Empty: main() names it after the host
    // and listen.port (default_node_name); an in-process gateway, "switchboard".
    std::string node;
    std::string listen_address = "127.0.0.1";
    std::uint16_t listen_port = 8080;
    unsigned threads = 0;  // 0: one per core
    switchboard::log_level log_level = log_level::info;
    log_line_format log_format = log_line_format::text;
    // Empty: the installed dashboard when running from the install prefix
    // (main.cpp), else none. load_config makes a relative one relative to the
    // file's folder.
    std::string dashboard_dir;
    duplicate_policy duplicates = duplicate_policy::takeover;
    session_limits session;
    router_options routing;  // node and max_message_bytes are copied in by finalize()
    mqtt_config mqtt;
    tls_options tls;
    auth_options auth;
    origin_options origins;
    metrics_options metrics;
    // admin.socket: where `switchboard reload` reaches the running gateway
    // (broker/admin_socket); empty: no socket.
    std::string admin_socket;
    // store: where queued commands survive a restart (broker/store/); no path: nowhere.
    store_options store;
    // After SIGTERM: how long /readyz answers 503 and new upgrades are
    // refused before connections are closed (timeouts.drain_ms).
    std::chrono::milliseconds drain{0};

    // Copies shared values into the parts that need them.
    void finalize();
};

// The intake's limits (frame size, meta size) from the `limits` section.
intake_limits intake_limits_of(const gateway_config& config) noexcept;

// Settings that are valid one by one but unsafe or unusable together (auth
// required with no credentials, TLS without a certificate). Throws
// config_error naming the key. Called once the file and flags are applied.
void check_security(const gateway_config& config);

// The files the config names are usable: the TLS certificate and key load
// (OpenSSL) and match, dashboard_dir is a folder, admin.socket's folder
// exists. Throws config_error naming
// the key and the file. Called by --check-config and at start-up.
void check_files(const gateway_config& config);

// Reads `path`; throws config_error naming the file and the key at fault. A
// relative dashboard_dir is taken relative to the file's folder, not to the
// working directory the gateway happens to be started from.
// admin.socket of the config file at `path`, for `switchboard reload`: only
// that key is read (the gateway checks the rest when it reloads). Throws
// config_error when the file cannot be read or parsed, or names no socket.
std::string admin_socket_of(const std::string& path);

gateway_config load_config(const std::filesystem::path& path);

// Parses the JSON text of a config file over the defaults.
gateway_config parse_config(std::string_view text, const std::string& source);

// Every key parse_config knows, with its default, in the order it reads
// them (docs/configuration.md is checked against this).
std::vector<config_key> config_keys();

// The words each setting takes (named_values.hpp): the file, the flags and
// their errors read the same table.
inline constexpr named_value<duplicate_policy> duplicate_policy_names[] = {
    {"takeover", duplicate_policy::takeover}, {"reject", duplicate_policy::reject}};
inline constexpr named_value<log_level> log_level_names[] = {
    {"trace", log_level::trace}, {"debug", log_level::debug}, {"info", log_level::info},
    {"warn", log_level::warn},   {"error", log_level::error}, {"critical", log_level::critical},
    {"off", log_level::off}};
inline constexpr named_value<log_line_format> log_format_names[] = {
    {"text", log_line_format::text}, {"json", log_line_format::json}};
// The file may also give 3 or 5 as a number; "4" is MQTT 3.1.1's protocol level.
inline constexpr named_value<mqtt_version> mqtt_version_names[] = {{"3.1.1", mqtt_version::v3_1_1},
                                                                   {"5", mqtt_version::v5},
                                                                   {"3", mqtt_version::v3_1_1},
                                                                   {"4", mqtt_version::v3_1_1}};
// auth.mode: whether every client must authenticate.
inline constexpr named_value<bool> auth_mode_names[] = {{"required", true}, {"disabled", false}};
// metrics.allow: whether only loopback peers may scrape.
inline constexpr named_value<bool> metrics_allow_names[] = {{"any", false}, {"loopback", true}};

std::string_view to_string(log_level level) noexcept;
std::string_view to_string(log_line_format format) noexcept;

}  // namespace switchboard
