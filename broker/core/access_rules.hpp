#pragma once
// Authorisation: which IDs may command or message which IDs. Checked by the
// router on every command and message, whichever transport it came by
// (WebSocket or MQTT). Rules are tried in order; the first that matches
// decides. When none matches, the built-in defaults decide (or, with
// `builtin_defaults` off, the frame is denied):
//   - commands: a controller may command a device; nothing else;
//   - messages: anyone may message a controller; a controller may message a
//     device; a device may not message a device.
// Responses need no rule: only the device a command went to may answer it.
// Immutable after construction; shared read-only by all threads.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client_record.hpp"

namespace switchboard {

enum class access_action { command, message };

struct access_rule {
    bool allow = true;
    std::optional<access_action> action;  // none: both
    std::string from = "*";               // glob of the sender's ID
    std::optional<client_role> from_role;
    std::string to = "*";  // glob of the target's ID
    std::optional<client_role> to_role;
    std::vector<std::string> names;  // command-name globs; empty: any
};

struct access_options {
    std::vector<access_rule> rules;
    bool builtin_defaults = true;  // false: what no rule allows is denied
};

class access_rules {
public:
    explicit access_rules(access_options options = {});

    // `name` is the command's name (empty for a message).
    bool allows(access_action action, const client_record& sender, std::string_view to,
                client_role to_role, std::string_view name) const;

    static std::optional<access_action> parse_action(std::string_view text) noexcept;

private:
    static bool builtin(access_action action, client_role from, client_role to) noexcept;

    access_options options_;
};

}  // namespace switchboard
