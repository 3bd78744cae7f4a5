#pragma once
// The gateway's log lines (docs/operations.md): spdlog's default logger (standard
// output), each line stamped with ISO 8601 local time and its UTC offset,
// either as text for people or as one JSON object a line for collectors.
// Called once at start-up, before any thread logs.

#include "core/gateway_config.hpp"

namespace switchboard {

void configure_logging(const gateway_config& config);
// At start-up and on reload.
void set_log_level(log_level level);

}  // namespace switchboard
