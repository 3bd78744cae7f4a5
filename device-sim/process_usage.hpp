#pragma once
// CPU time and resident memory of a process, read from /proc (another
// process: the gateway under test) or getrusage (this one). Free functions
// over a plain snapshot; callable from any thread.

#include <chrono>
#include <cstdint>
#include <optional>

namespace switchboard::sim {

struct cpu_sample {
    double user_s = 0;
    double system_s = 0;
    double total_s() const noexcept { return user_s + system_s; }
};

// utime and stime of `pid` (fields 14 and 15 of /proc/PID/stat); nullopt if gone.
std::optional<cpu_sample> process_cpu(int pid);
// VmRSS of `pid` in KiB; nullopt if gone.
std::optional<std::uint64_t> process_rss_kib(int pid);
// This process, all threads.
cpu_sample own_cpu();

}  // namespace switchboard::sim
