#include "logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include "core/outbound_frame.hpp"  // append_json_string

namespace switchboard {
namespace {

// %* in a pattern: the message as a JSON string literal, quotes included.
class json_message_flag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        std::string quoted;
        quoted.reserve(msg.payload.size() + 2);
        append_json_string(quoted, std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(quoted.data(), quoted.data() + quoted.size());
    }

    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<json_message_flag>();
    }
};

// 2026-12-01T16:14:07.123+01:00: local time with its offset, so lines from
// hosts in different zones sort and compare.
constexpr const char* timestamp = "%Y-%m-%dT%H:%M:%S.%e%z";

}  // namespace

// core's log_level lists spdlog's levels in spdlog's order.
static_assert(static_cast<int>(log_level::trace) == spdlog::level::trace &&
              static_cast<int>(log_level::warn) == spdlog::level::warn &&
              static_cast<int>(log_level::off) == spdlog::level::off);

void set_log_level(log_level level) {
    spdlog::set_level(static_cast<spdlog::level::level_enum>(level));
}

void configure_logging(const gateway_config& config) {
    set_log_level(config.log_level);
    if (config.log_format == log_line_format::json) {
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<json_message_flag>('*').set_pattern(
            std::string(R"({"time":")") + timestamp + R"(","level":"%l","message":%*})");
        spdlog::set_formatter(std::move(formatter));
    } else {
        spdlog::set_pattern(std::string(timestamp) + " %^%l%$ %v");
    }
}

}  // namespace switchboard
