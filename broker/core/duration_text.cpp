#include "duration_text.hpp"

#include <charconv>
#include <cstdint>
#include <system_error>

namespace switchboard {

bool parse_duration(std::string_view text, std::chrono::milliseconds& out) noexcept {
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || !(value >= 0)) return false;
    std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    double ms_per_unit = 0;
    if (unit.empty() || unit == "s")
        ms_per_unit = 1000;
    else if (unit == "ms")
        ms_per_unit = 1;
    else if (unit == "m" || unit == "min")
        ms_per_unit = 60000;
    else if (unit == "h")
        ms_per_unit = 3600000;
    else if (unit == "d")
        ms_per_unit = 86400000;
    else
        return false;
    double ms = value * ms_per_unit;
    // Past this the conversion to an integer would overflow.
    if (!(ms < 1e18)) return false;
    out = std::chrono::milliseconds(static_cast<std::int64_t>(ms + 0.5));
    return true;
}

}  // namespace switchboard
