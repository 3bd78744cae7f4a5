#pragma once
// A real mosquitto broker for a test: its own config file, a free loopback
// port, started in the foreground and killed when the object goes. Ready
// once it logs that it runs (no sleeping). As root, mosquitto drops to user
// `mosquitto`, so it keeps no files (persistence off, log to stderr).

#include <memory>
#include <string>

#include "child_process.hpp"

namespace switchboard::test {

class running_mosquitto {
public:
    running_mosquitto();
    ~running_mosquitto();

    bool ready() const noexcept { return ready_; }
    const std::string& failure() const noexcept { return failure_; }
    unsigned short port() const noexcept { return port_; }
    std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
    static bool available();
    // Everything the broker logged so far (for failure messages).
    std::string log() const { return process_ ? process_->output() : failure_; }

private:
    std::string config_path_;
    unsigned short port_ = 0;
    std::unique_ptr<child_process> process_;
    bool ready_ = false;
    std::string failure_;
};

}  // namespace switchboard::test
