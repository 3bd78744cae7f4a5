#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>

namespace switchboard::test {

child_process::child_process(std::vector<std::string> argv) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(fds[1]);
    out_fd_ = fds[0];
    fcntl(out_fd_, F_SETFL, O_NONBLOCK);
}

child_process::~child_process() {
    if (!status_ && pid_ > 0) {
        kill(pid_, SIGKILL);
        wait_exit(std::chrono::seconds(5));
    }
    if (out_fd_ >= 0) close(out_fd_);
}

bool child_process::pump(std::chrono::milliseconds timeout) {
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buf[4096];
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) return false;
    output_.append(buf, static_cast<std::size_t>(n));
    return true;
}

std::optional<std::string> child_process::wait_for_line(const std::string& needle,
                                                        std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        std::size_t pos = output_.find(needle);
        if (pos != std::string::npos) {
            std::size_t start = output_.rfind('\n', pos);
            start = start == std::string::npos ? 0 : start + 1;
            std::size_t end = output_.find('\n', pos);
            if (end != std::string::npos) return output_.substr(start, end - start);
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        pump(left);
    }
}

void child_process::signal(int signo) {
    if (!status_) kill(pid_, signo);
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!status_) {
        int raw = 0;
        pid_t r = waitpid(pid_, &raw, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        pump(std::chrono::milliseconds(10));
    }
    while (pump(std::chrono::milliseconds(0))) {
    }
    return status_;
}

const std::string& child_process::output() {
    while (pump(std::chrono::milliseconds(0))) {
    }
    return output_;
}

run_result run_program(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
    child_process child(std::move(argv));
    auto status = child.wait_exit(timeout);
    return {status.value_or(-1), child.output()};
}

}  // namespace switchboard::test
