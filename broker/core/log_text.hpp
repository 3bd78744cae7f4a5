#pragma once
// What the log does with text a client chose (IDs, names, reasons, paths,
// headers, topics): escapes it so it cannot forge a log line or send
// terminal escape sequences, cuts it to a length, and limits how many lines
// one reason may write, so a flood of bad requests cannot flood the disk.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "token_bucket.hpp"

namespace switchboard {

// `text` with every control character, DEL, backslash and byte that is not
// part of well-formed UTF-8 written as \xNN (backslash as \\), cut after
// `max_bytes` of input with "...(+N bytes)". Printable UTF-8 is kept.
std::string log_safe(std::string_view text, std::size_t max_bytes = 256);

// At most `lines_per_second` lines per reason (with a burst), the rest
// counted and reported with the next line that is let through. Reasons are
// the program's own constant strings, so their number is bounded. Thread-safe.
class log_limiter {
public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit log_limiter(double lines_per_second = 20, double burst = 50);

    // Whether a line for `reason` may be written now; if so, `suppressed`
    // gets how many of its lines were refused since the last one written.
    bool admit(std::string_view reason, std::uint64_t& suppressed,
               time_point now = std::chrono::steady_clock::now());

private:
    struct bucket {
        token_bucket tokens;
        std::uint64_t suppressed = 0;
    };
    double rate_;
    double burst_;
    std::mutex mutex_;
    std::map<std::string, bucket, std::less<>> buckets_;
};

// " (N similar lines suppressed)", or "" for 0: the tail of an admitted line.
std::string suppressed_note(std::uint64_t suppressed);

}  // namespace switchboard
