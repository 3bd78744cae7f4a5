#include "trace_context.hpp"

#include <algorithm>
#include <random>

#include "hex_digit.hpp"
#include "splitmix64.hpp"

namespace switchboard {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

bool is_lower_hex(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool all_lower_hex(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(), is_lower_hex);
}

bool all_zero(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

traceparent_parse refuse(std::string_view problem) noexcept { return {std::nullopt, problem}; }

// Layout of version 00 (and of the prefix a higher version shares with it).
constexpr std::size_t trace_id_at = 3;
constexpr std::size_t parent_id_at = 36;
constexpr std::size_t flags_at = 53;
constexpr std::uint8_t sampled_flag = 0x01;

}  // namespace

trace_context trace_context::with_parent(std::uint64_t span_id) const noexcept {
    if (span_id == 0) span_id = 1;
    trace_context child = *this;
    for (std::size_t i = 0; i < child.parent_id.size(); ++i) {
        child.parent_id[child.parent_id.size() - 1 - i] = hex_digits[(span_id >> (4 * i)) & 0xf];
    }
    return child;
}

traceparent_text trace_context::text() const noexcept {
    traceparent_text out;
    auto* p = out.chars.data();
    *p++ = '0';
    *p++ = '0';
    *p++ = '-';
    p = std::copy(trace_id.begin(), trace_id.end(), p);
    *p++ = '-';
    p = std::copy(parent_id.begin(), parent_id.end(), p);
    *p++ = '-';
    *p++ = hex_digits[flags >> 4];
    *p = hex_digits[flags & 0xf];
    return out;
}

traceparent_parse parse_traceparent(std::string_view text) noexcept {
    if (text.size() < 2 || !all_lower_hex(text.substr(0, 2))) {
        return refuse("the version is not two lowercase hex digits");
    }
    const std::string_view version = text.substr(0, 2);
    if (version == "ff") return refuse("version ff is invalid");
    const bool v00 = version == "00";
    if (v00 && text.size() != traceparent_length) {
        return refuse("version 00 is exactly 55 characters");
    }
    if (!v00) {
        // A later version: read what version 00 defines, if it is there.
        if (text.size() < traceparent_length) {
            return refuse("a traceparent is at least 55 characters");
        }
        if (text.size() > traceparent_length && text[traceparent_length] != '-') {
            return refuse("a later version's flags must be followed by a dash");
        }
    }
    if (text[2] != '-' || text[parent_id_at - 1] != '-' || text[flags_at - 1] != '-') {
        return refuse("the fields are not separated by dashes at 2, 35 and 52");
    }
    const std::string_view trace_id = text.substr(trace_id_at, 32);
    const std::string_view parent_id = text.substr(parent_id_at, 16);
    const std::string_view flags = text.substr(flags_at, 2);
    if (!all_lower_hex(trace_id)) return refuse("the trace-id is not 32 lowercase hex digits");
    if (all_zero(trace_id)) return refuse("the trace-id is all zeros");
    if (!all_lower_hex(parent_id)) return refuse("the parent-id is not 16 lowercase hex digits");
    if (all_zero(parent_id)) return refuse("the parent-id is all zeros");
    if (!all_lower_hex(flags)) return refuse("the flags are not two lowercase hex digits");

    trace_context c;
    std::copy(trace_id.begin(), trace_id.end(), c.trace_id.begin());
    std::copy(parent_id.begin(), parent_id.end(), c.parent_id.begin());
    c.flags = static_cast<std::uint8_t>(hex_digit_value(flags[0]) << 4 | hex_digit_value(flags[1]));
    // A later version's other flag bits may mean something else there.
    if (!v00) c.flags &= sampled_flag;
    return {c, {}};
}

std::uint64_t next_span_id() noexcept {
    // One generator per thread: eight bytes each, no lock.
    thread_local splitmix64 span_ids{[] {
        std::random_device entropy;
        return (std::uint64_t(entropy()) << 32) ^ entropy();
    }()};
    std::uint64_t id = span_ids();
    return id == 0 ? 1 : id;
}

}  // namespace switchboard
