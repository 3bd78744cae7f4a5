#include "access_rules.hpp"

#include <algorithm>

#include "id_rules.hpp"

namespace switchboard {

access_rules::access_rules(access_options options) : options_(std::move(options)) {}

bool access_rules::builtin(access_action action, client_role from, client_role to) noexcept {
    if (action == access_action::command) {
        return from == client_role::controller && to == client_role::device;
    }
    if (action == access_action::observe) return from == client_role::controller;
    return !(from == client_role::device && to == client_role::device);
}

bool access_rules::allows(access_action action, const client_record& sender, std::string_view to,
                          client_role to_role, std::string_view name) const {
    for (const auto& r : options_.rules) {
        if (r.action && *r.action != action) continue;
        if (r.from_role && *r.from_role != sender.role) continue;
        if (r.to_role && *r.to_role != to_role) continue;
        if (!glob_matches(r.from, sender.id) || !glob_matches(r.to, to)) continue;
        if (!r.names.empty()) {
            // A rule about command names says nothing about messages.
            if (action != access_action::command) continue;
            bool named = std::any_of(r.names.begin(), r.names.end(),
                                     [&](const std::string& g) { return glob_matches(g, name); });
            if (!named) continue;
        }
        return r.allow;
    }
    return options_.builtin_defaults && builtin(action, sender.role, to_role);
}

bool access_rules::allows_some_role(access_action action, const client_record& sender,
                                    std::string_view to, std::string_view name) const {
    return allows(action, sender, to, client_role::device, name) ||
           allows(action, sender, to, client_role::controller, name);
}

bool access_rules::allows_observe(const client_record& sender, std::string_view pattern,
                                  std::optional<client_role> role) const {
    for (const auto& r : options_.rules) {
        if (r.action && *r.action != access_action::observe) continue;
        if (!r.names.empty()) continue;  // about command names only
        if (r.from_role && *r.from_role != sender.role) continue;
        if (r.to_role && r.to_role != role) continue;
        if (!glob_matches(r.from, sender.id) || !glob_matches(r.to, pattern)) continue;
        return r.allow;
    }
    return options_.builtin_defaults &&
           builtin(access_action::observe, sender.role, client_role::device);
}

}  // namespace switchboard
