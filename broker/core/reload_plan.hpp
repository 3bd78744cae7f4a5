#pragma once
// What re-reading the config (SIGHUP) would change in a running gateway.
// Some keys shape what cannot be rebuilt under open connections (the
// listening socket, the I/O threads, the MQTT bridge's session): a new file
// that changes one of them is refused whole, naming every such key, and the
// running config stays. Everything else (the TLS certificate and key,
// credentials, ACL rules, origins, limits, timeouts, the log level, who may
// read /metrics) applies
// live (docs/operations.md, "Reload").
// Plain logic over two checked configs; no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway_config.hpp"

namespace switchboard {

struct reload_plan {
    // Keys whose value differs but which cannot change while running, as
    // config paths ("listen.port"). Any of them: the reload is refused.
    std::vector<std::string> fixed_changes;
    // The live parts that differ ("auth", "acl", "limits", ...), in the order
    // of the config file. The TLS certificate and key are read again on every
    // reload, so "tls certificate" is listed whenever TLS is on.
    std::vector<std::string> live_changes;

    bool refused() const noexcept { return !fixed_changes.empty(); }
    // "'listen.port', 'threads' cannot change while running (restart to change them)".
    std::string refusal() const;
    // "auth, acl" or "nothing".
    std::string summary() const;
};

// Compares the running config with a newly read one; both finalized and checked.
reload_plan plan_reload(const gateway_config& running, const gateway_config& next);

// Whether the key at `path` (a config_keys() path, "auth.tokens[].id")
// applies on reload; nullopt for a key nobody has classified (a test keeps
// that list empty).
std::optional<bool> is_live_key(std::string_view path);

// The keys plan_reload compares for fixed_changes (a test checks that they
// are every key is_live_key calls fixed).
std::vector<std::string> fixed_key_paths();

}  // namespace switchboard
