#pragma once
// A gateway started in this process on a free loopback port, stopped when
// the object goes. Tests tune its config through the callback.

#include <spdlog/spdlog.h>

#include <functional>
#include <memory>

#include "core/gateway_config.hpp"
#include "gateway.hpp"

namespace switchboard::test {

inline gateway_config test_config() {
    gateway_config c;
    c.node = "gw-test";
    c.listen_address = "127.0.0.1";
    c.listen_port = 0;
    c.threads = 2;
    c.log_level = log_level::warn;
    // Tests that are not about credentials run without them; security tests
    // turn auth back on.
    c.auth.required = false;
    // Test crowds all come from loopback addresses, and load runs send far
    // over a person's rate; the security tests set both limits back.
    c.session.max_connections_per_address = 0;
    c.session.rate.frames_per_second = 0;
    return c;
}

class running_gateway {
public:
    explicit running_gateway(const std::function<void(gateway_config&)>& tune = {}) {
        spdlog::set_level(spdlog::level::warn);
        gateway_config c = test_config();
        if (tune) tune(c);
        gateway_ = std::make_unique<gateway>(c);
        gateway_->start();
    }
    ~running_gateway() { gateway_->stop(std::chrono::milliseconds(1000)); }

    unsigned short port() const { return gateway_->port(); }
    gateway& get() { return *gateway_; }
    counters& stats() { return gateway_->stats(); }

private:
    std::unique_ptr<gateway> gateway_;
};

}  // namespace switchboard::test
