#pragma once
// Identity rules (docs/protocol.md §1). An ID becomes an MQTT topic level, so
// the same check guards the WebSocket and the MQTT side.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard {

inline constexpr std::size_t max_id_bytes = 128;
inline constexpr std::size_t max_correlation_id_bytes = 64;

// 1..128 bytes of A-Z a-z 0-9 . _ : @ -
bool is_valid_id(std::string_view id) noexcept;

// Command and event names follow the ID grammar: one rule for every name a
// client sends that an ACL may match.
inline bool is_valid_name(std::string_view name) noexcept { return is_valid_id(name); }

// A glob of the ACL config (`from`, `to`, `commands`): the ID grammar plus
// the wildcards `*` and `?`, 1..256 bytes. Anything else could never match a
// valid name, and a rule that looks meaningful but never matches is a trap.
bool is_valid_name_glob(std::string_view glob) noexcept;

// A node name when the config gives none: "<host>:<port>", the host name's
// characters outside the ID grammar turned into `-` (and cut to fit an ID),
// "switchboard" for an empty host name. Two nodes on one broker then differ
// unless they share a host and a port, which they cannot.
std::string default_node_name(std::string_view host, std::uint16_t port);

// An ID, or a prefix followed by a single trailing `*` ("pump-*", or "*" for all).
bool is_valid_id_pattern(std::string_view pattern) noexcept;

// An MQTT topic prefix for the bridge's topics: 1..64 bytes of topic levels
// separated by single `/`, no empty level, no `+`, `#`, NUL, and not starting
// with `$` (reserved by brokers: $SYS, $share).
bool is_valid_topic_prefix(std::string_view prefix) noexcept;

// Whether `id` is matched by a pattern accepted by is_valid_id_pattern.
bool pattern_matches(std::string_view pattern, std::string_view id) noexcept;

// Shell-style glob of the auth and ACL config: `*` matches any run of bytes
// (also none), `?` exactly one byte, everything else itself. Linear in the
// text for each `*` (no recursion), so a hostile pattern cannot blow up.
bool glob_matches(std::string_view pattern, std::string_view text) noexcept;

}  // namespace switchboard
