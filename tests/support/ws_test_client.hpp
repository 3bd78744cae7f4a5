#pragma once
// A WebSocket client for tests, used synchronously: its I/O runs on its own
// thread; the test sends, and waits for frames or the close with a deadline.
// Never sleeps: every wait ends on the event or the deadline.
// Thread-safe: send/receive may be called from the test's thread while the
// I/O thread reads.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace switchboard::test {

using boost_io_context = boost::asio::io_context;

using namespace std::chrono_literals;

struct client_options {
    std::string host = "127.0.0.1";
    std::string target = "/ws";
    std::vector<std::pair<std::string, std::string>> headers;  // extra upgrade headers
    std::string subprotocol;                                   // offered when not empty
    int receive_buffer_bytes = 0;                              // SO_RCVBUF when > 0
    bool deflate = false;                                      // offer permessage-deflate
};

// One I/O thread shared by many clients (a crowd of a thousand needs no
// thousand threads). Must outlive its clients.
class client_io {
public:
    client_io();
    ~client_io();
    boost_io_context& context();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

class ws_test_client {
public:
    // With `io` null the client runs its own I/O thread.
    explicit ws_test_client(unsigned short port, client_options options = {},
                            client_io* io = nullptr);
    ~ws_test_client();

    ws_test_client(const ws_test_client&) = delete;
    ws_test_client& operator=(const ws_test_client&) = delete;

    // Whether the upgrade succeeded; `upgrade_error` says why not.
    bool connected() const { return connected_; }
    const std::string& upgrade_error() const { return upgrade_error_; }
    const std::string& accepted_subprotocol() const { return subprotocol_; }

    void send_text(std::string text);
    void send_binary(std::string bytes);
    void send(const nlohmann::json& frame) { send_text(frame.dump()); }

    // The next text frame, parsed; nullopt at the deadline or once closed.
    std::optional<nlohmann::json> receive(std::chrono::milliseconds timeout = 5s);
    // The next frame of `type`, skipping others; nullopt at the deadline.
    std::optional<nlohmann::json> receive_type(const std::string& type,
                                               std::chrono::milliseconds timeout = 5s);
    // Whether nothing arrives within `window` (a negative check, bounded).
    bool quiet_for(std::chrono::milliseconds window);

    // The close code the server sent, once the connection is closed; nullopt
    // at the deadline. 1006 when it was cut without a close frame.
    std::optional<unsigned short> wait_closed(std::chrono::milliseconds timeout = 5s);
    bool closed() const;

    // Sends `register` and returns the `registered` frame (or the error).
    nlohmann::json register_as(const std::string& id, const std::string& role,
                               nlohmann::json extra = nlohmann::json::object());

    // Hands every later frame to `handler` on the I/O thread instead of the
    // inbox (an auto-answering device). Set it before frames arrive.
    using frame_handler = std::function<void(const nlohmann::json& frame, ws_test_client& self)>;
    void set_handler(frame_handler handler);

    // Stops reading from the socket (a slow reader); frames pile up in the kernel.
    void pause_reading();

    // Closes with a normal close frame, or cuts the TCP connection.
    void close();
    void cut();

    std::size_t frames_received() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
    std::unique_ptr<client_io> own_io_;
    bool connected_ = false;
    std::string upgrade_error_;
    std::string subprotocol_;
};

}  // namespace switchboard::test
