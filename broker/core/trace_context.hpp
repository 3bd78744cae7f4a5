#pragma once
// A W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/,
// §3.2): `version-traceid-parentid-flags`, carried by a `command` and its
// `response` (docs/protocol.md §4, "Tracing"). Parsed and validated here,
// kept as a fixed-size value (no allocation, whatever the input), and
// written back in version 00, always 55 characters.
// Plain values and functions; any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchboard {

// The one length of a version-00 traceparent, and of what we write.
inline constexpr std::size_t traceparent_length = 55;

// A traceparent as text, ready to be written into a frame or a property.
struct traceparent_text {
    std::array<char, traceparent_length> chars{};
    std::string_view view() const noexcept { return {chars.data(), chars.size()}; }
};

struct trace_context {
    std::array<char, 32> trace_id{};   // lowercase hex, not all zero
    std::array<char, 16> parent_id{};  // lowercase hex, not all zero: the sender's span
    std::uint8_t flags = 0;            // bit 0: sampled

    bool operator==(const trace_context&) const = default;

    std::string_view trace_id_view() const noexcept { return {trace_id.data(), trace_id.size()}; }
    std::string_view parent_id_view() const noexcept {
        return {parent_id.data(), parent_id.size()};
    }
    bool same_trace(const trace_context& other) const noexcept {
        return trace_id == other.trace_id;
    }

    // The same trace and flags with `span_id` as the parent-id: what a hop
    // that opens its own span sends on. A zero `span_id` is replaced by 1
    // (an all-zero parent-id is invalid).
    trace_context with_parent(std::uint64_t span_id) const noexcept;

    // Version 00: "00-<trace-id>-<parent-id>-<flags>".
    traceparent_text text() const noexcept;
};

// Why a traceparent was refused: a constant phrase, for the error message.
struct traceparent_parse {
    std::optional<trace_context> context;
    std::string_view problem;  // empty when `context` holds a value
};

// Parses `text` as the spec's §3.2 and §3.3 say: version 00 is exactly 55
// characters of lowercase hex and dashes; version ff is invalid; a higher
// version is read for its version-00 prefix (at least 55 characters, a dash
// or the end after the flags) and keeps only the sampled flag; all-zero
// trace-id or parent-id is invalid. Never throws, never allocates.
traceparent_parse parse_traceparent(std::string_view text) noexcept;

// A fresh span ID for this thread's next hop: random, never zero. Any
// thread (each has its own generator).
std::uint64_t next_span_id() noexcept;

}  // namespace switchboard
