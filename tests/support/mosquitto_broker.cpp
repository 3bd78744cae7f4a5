#include "mosquitto_broker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "test_paths.hpp"

namespace switchboard::test {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Started as root, mosquitto drops to the user `mosquitto`, who must read these.
void make_readable(const std::filesystem::path& path) {
    using std::filesystem::perms;
    std::filesystem::permissions(
        path, perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
}

}  // namespace

std::string mosquitto_program(const std::string& name) {
    std::string dirs = "/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin";
    if (const char* path = std::getenv("PATH")) dirs = std::string(path) + ":" + dirs;
    std::size_t start = 0;
    while (start <= dirs.size()) {
        std::size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::filesystem::path candidate =
            std::filesystem::path(dirs.substr(start, end - start)) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        start = end + 1;
    }
    throw std::runtime_error(name + " not found (apt-get install mosquitto mosquitto-clients)");
}

unsigned short free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

mosquitto_broker::mosquitto_broker() { start(); }

mosquitto_broker::mosquitto_broker(auth_plugin_setup plugin) : plugin_(std::move(plugin)) {
    start();
}

void mosquitto_broker::start() {
    char pattern[] = "/tmp/switchboard-test-mosquitto.XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    try {
        prepare();
        launch();
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
        throw;
    }
}

void mosquitto_broker::prepare() {
    std::filesystem::permissions(
        dir_, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                  std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                  std::filesystem::perms::others_exec);
    const std::filesystem::path config_dir =
        std::filesystem::path(test_paths::source_dir()) / "config";
    port_ = free_loopback_port();
    std::string config = read_file(config_dir / "mosquitto.conf") + "\nlistener " +
                         std::to_string(port_) + " 127.0.0.1\n";
    if (plugin_) {
        write_file(dir_ / "switchboard.json", plugin_->gateway_config_json);
        write_file(dir_ / "gateway-password", std::string(gateway_password) + "\n");
        // A copy: mosquitto cannot read the build's copy when the clone is under /root/.
        const std::filesystem::path plugin_copy = dir_ / "switchboard_mosquitto_auth.so";
        std::filesystem::copy_file(test_paths::mosquitto_plugin(), plugin_copy);
        write_file(dir_ / "mosquitto.conf",
                   config + "plugin " + plugin_copy.string() + "\nplugin_opt_config " +
                       (dir_ / "switchboard.json").string() + "\nplugin_opt_gateway_username " +
                       gateway_user + "\nplugin_opt_gateway_password_file " +
                       (dir_ / "gateway-password").string() + "\n");
        for (const char* name : {"switchboard.json", "gateway-password", "mosquitto.conf",
                                 "switchboard_mosquitto_auth.so"})
            make_readable(dir_ / name);
        return;
    }
    write_file(dir_ / "mosquitto.acl", read_file(config_dir / "mosquitto.acl"));
    write_file(dir_ / "passwords", "");
    auto passwd = run_program({mosquitto_program("mosquitto_passwd"), "-b",
                               (dir_ / "passwords").string(), gateway_user, gateway_password});
    if (passwd.status != 0)
        throw std::runtime_error("mosquitto_passwd failed (status " +
                                 std::to_string(passwd.status) + "): " + passwd.output);
    write_file(dir_ / "mosquitto.conf", config + "password_file " + (dir_ / "passwords").string() +
                                            "\nacl_file " + (dir_ / "mosquitto.acl").string() +
                                            "\n");
    for (const char* name : {"mosquitto.acl", "passwords", "mosquitto.conf"})
        make_readable(dir_ / name);
}

mosquitto_broker::~mosquitto_broker() {
    if (process_) {
        process_->signal(SIGKILL);
        process_->wait_exit(std::chrono::seconds(5));
        process_.reset();
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void mosquitto_broker::launch() {
    // A restart may find the port still held for a moment by the kernel;
    // mosquitto then exits at once and is tried again, a bounded number of times.
    for (int attempt = 0; attempt < 20; ++attempt) {
        process_ = std::make_unique<child_process>(std::vector<std::string>{
            mosquitto_program("mosquitto"), "-c", (dir_ / "mosquitto.conf").string()});
        if (process_->wait_for_line(" running", std::chrono::seconds(10))) return;
        earlier_log_ += process_->output();
        process_->signal(SIGKILL);
        process_->wait_exit(std::chrono::seconds(5));
    }
    throw std::runtime_error("mosquitto did not start on port " + std::to_string(port_) + ":\n" +
                             earlier_log_);
}

void mosquitto_broker::kill() {
    if (!process_) return;
    process_->signal(SIGKILL);
    process_->wait_exit(std::chrono::seconds(5));
    earlier_log_ += process_->output();
    process_.reset();
}

void mosquitto_broker::freeze() {
    if (process_) process_->signal(SIGSTOP);
}

void mosquitto_broker::thaw() {
    if (process_) process_->signal(SIGCONT);
}

void mosquitto_broker::restart() {
    kill();
    launch();
}

std::string mosquitto_broker::log() {
    return earlier_log_ + (process_ ? process_->output() : std::string());
}

}  // namespace switchboard::test
