#pragma once
// Durations as people type them on a command line: "250ms", "10s", "2m",
// "24h", "7d", or a bare number of seconds.

#include <chrono>
#include <string_view>

namespace switchboard {

// False on anything else, a negative value, or more than about 30,000 years.
bool parse_duration(std::string_view text, std::chrono::milliseconds& out) noexcept;

}  // namespace switchboard
