#pragma once
// Drives commands from N controllers to random devices of a running fleet
// and measures the round trips: closed loop (a fixed window in flight per
// controller, for throughput) or open loop (a fixed offered rate, latency
// counted from each command's intended send time so a stall cannot hide).
// Every command sent in the measured window ends in exactly one bucket:
// answered, error (by code), timeout, or lost after a bounded drain.
//
// Owned by main() (or a test); run() blocks the calling thread while the
// controllers run on their own I/O threads.

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "client/ws_transport.hpp"
#include "load_report.hpp"

namespace switchboard::sim {

struct load_options {
    std::string gateway_url = "ws://127.0.0.1:8080/ws";
    unsigned controllers = 10;
    unsigned inflight = 32;   // closed loop: commands in flight per controller
    double rate = 0;          // > 0: open loop at this many commands/s in total
    std::uint64_t count = 0;  // > 0: stop after this many commands instead of `duration`
    std::chrono::milliseconds duration{10000};
    std::chrono::milliseconds warmup{0};  // sent, answered, not counted
    std::size_t devices = 1000;  // targets are id_prefix + [first_index, first_index + devices)
    std::string id_prefix = "dev-";
    std::size_t first_index = 0;
    std::string command = "echo";
    std::size_t args_bytes = 100;    // size of the `args` JSON
    std::int64_t timeout_ms = 5000;  // the gateway answers `timeout` after this
    // > 0: commands carry ttl_ms, and one the gateway queues (its device is
    // offline) is complete at its `ack queued` (sent once it is durable).
    std::int64_t ttl_ms = 0;
    std::chrono::milliseconds drain_grace{2000};  // waited past timeout_ms before counting lost
    unsigned threads = 1;
    std::string controller_prefix = "load-";
    std::vector<boost::asio::ip::address> source_addresses;
    int gateway_pid = 0;  // > 0: its CPU and RSS over the window are reported
    int fleet_pid = 0;
    std::chrono::milliseconds connect_timeout{10000};
    std::string token;       // controllers register with it
    std::string jwt_secret;  // or with a JWT (role controller) minted per controller ID
    client::tls_trust tls;   // wss:// only
};

class load_runner {
public:
    explicit load_runner(load_options options);
    // Throws std::runtime_error when the controllers cannot register.
    load_result run();

private:
    load_options options_;
};

// The `args` JSON of a load command: exactly `bytes` long when bytes >= 10.
std::string make_load_args(std::size_t bytes);

}  // namespace switchboard::sim
