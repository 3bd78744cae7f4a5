#pragma once
// Runs a program as a child process for tests: its stdout and stderr are
// captured, lines can be awaited with a deadline, and it is killed if still
// running when the object goes.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::test {

class child_process {
public:
    explicit child_process(std::vector<std::string> argv);
    ~child_process();

    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    int pid() const { return pid_; }
    // The first output line (stdout or stderr) containing `needle`.
    std::optional<std::string> wait_for_line(const std::string& needle,
                                             std::chrono::milliseconds timeout);
    void signal(int signo);
    // Exit status (or 128 + signal); nullopt at the deadline.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    // Everything printed so far.
    const std::string& output();

private:
    bool pump(std::chrono::milliseconds timeout);

    int pid_ = -1;
    int out_fd_ = -1;
    std::string output_;
    std::size_t scanned_ = 0;
    std::optional<int> status_;
};

// Runs a program to completion (bounded by `timeout`), returning its exit
// status and everything it printed.
struct run_result {
    int status = -1;
    std::string output;
};
run_result run_program(std::vector<std::string> argv,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace switchboard::test
