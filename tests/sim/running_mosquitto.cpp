#include "running_mosquitto.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace switchboard::test {

namespace {
constexpr const char* binary = "/usr/sbin/mosquitto";

// A port the kernel just handed out; free unless another process races for it.
unsigned short free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}
// Until something accepts on the port, with a deadline. mosquitto logs only
// errors and warnings here: nobody drains its stderr pipe while a test runs,
// and a chatty broker would block on a full pipe.
bool wait_for_port(unsigned short port, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(port);
        bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        if (ok) return true;
        // Not yet listening: look again shortly (the start-up of a process has no event to wait
        // on).
        pollfd none{};
        ::poll(&none, 0, 10);
    }
    return false;
}
}  // namespace

bool running_mosquitto::available() { return std::filesystem::exists(binary); }

running_mosquitto::running_mosquitto() {
    for (int attempt = 0; attempt < 3 && !ready_; ++attempt) {
        port_ = free_port();
        config_path_ = (std::filesystem::temp_directory_path() /
                        ("sb-sim-mosquitto-" + std::to_string(::getpid()) + "-" +
                         std::to_string(port_) + ".conf"))
                           .string();
        std::ofstream(config_path_) << "listener " << port_ << " 127.0.0.1\n"
                                    << "allow_anonymous true\n"
                                    << "persistence false\n"
                                    << "log_dest stderr\n"
                                    << "log_type error\nlog_type warning\n"
                                    << "max_queued_messages 100000\n";
        std::filesystem::permissions(config_path_, std::filesystem::perms::others_read,
                                     std::filesystem::perm_options::add);
        process_ =
            std::make_unique<child_process>(std::vector<std::string>{binary, "-c", config_path_});
        if (wait_for_port(port_, std::chrono::seconds(10))) {
            ready_ = true;
        } else {
            failure_ = process_->output();
            process_.reset();
            std::filesystem::remove(config_path_);
        }
    }
}

running_mosquitto::~running_mosquitto() {
    process_.reset();  // kills it
    if (!config_path_.empty()) std::filesystem::remove(config_path_);
}

}  // namespace switchboard::test
