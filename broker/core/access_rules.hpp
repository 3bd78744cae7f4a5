#pragma once
// Authorisation: which IDs may command, message or observe which IDs.
// Checked by the router on every command, message, subscribe and list,
// whichever transport it came by (WebSocket or MQTT). Rules are tried in
// order; the first that matches decides. When none matches, the built-in
// defaults decide (or, with `builtin_defaults` off, the frame is denied):
//   - commands: a controller may command a device; nothing else;
//   - messages: anyone may message a controller; a controller may message a
//     device; a device may not message a device;
//   - observe (subscribe, list): a controller may observe everyone; a device
//     no one.
// An observe target is a pattern, not one client: a subscribe's `pump-*`
// or a list's prefix followed by `*`; a rule's `to` glob is matched against
// that text, and a rule with a `to_role` only against a list filtered by
// that role.
// Responses need no rule: only the device a command went to may answer it.
// Immutable after construction; shared read-only by all threads.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client_record.hpp"
#include "named_values.hpp"

namespace switchboard {

enum class access_action { command, message, observe };

// A rule's `effect` and `action` as the config writes them (named_values.hpp).
inline constexpr named_value<bool> rule_effect_names[] = {{"allow", true}, {"deny", false}};
inline constexpr named_value<std::optional<access_action>> rule_action_names[] = {
    {"command", access_action::command},
    {"message", access_action::message},
    {"observe", access_action::observe},
    {"any", std::nullopt}};

struct access_rule {
    bool allow = true;
    std::optional<access_action> action;  // none: both
    std::string from = "*";               // glob of the sender's ID
    std::optional<client_role> from_role;
    std::string to = "*";  // glob of the target's ID
    std::optional<client_role> to_role;
    std::vector<std::string> names;  // command-name globs; empty: any

    bool operator==(const access_rule&) const = default;
};

struct access_options {
    std::vector<access_rule> rules;
    bool builtin_defaults = true;  // false: what no rule allows is denied

    bool operator==(const access_options&) const = default;
};

class access_rules {
public:
    explicit access_rules(access_options options = {});

    // `name` is the command's name (empty for a message).
    bool allows(access_action action, const client_record& sender, std::string_view to,
                client_role to_role, std::string_view name) const;

    // Before the target is looked up (so `offline` tells nothing to whom
    // the ACL refuses): whether any role the target could have is allowed.
    bool allows_some_role(access_action action, const client_record& sender, std::string_view to,
                          std::string_view name) const;

    // May `sender` observe the clients matched by `pattern` (an ID, `prefix*`
    // or `*`), of `role` when the request names one?
    bool allows_observe(const client_record& sender, std::string_view pattern,
                        std::optional<client_role> role) const;

private:
    static bool builtin(access_action action, client_role from, client_role to) noexcept;

    access_options options_;
};

}  // namespace switchboard
