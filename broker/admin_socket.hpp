#pragma once
// The gateway's control socket (`admin.socket`): a Unix domain socket, mode
// 0600, through which `switchboard reload` asks the running gateway to read
// its config again and hears the outcome. A file in the file system rather
// than a TCP port on loopback: only the gateway's user (and root) can open
// it, which the file's owner and mode say, with no token to manage.
//
// One request per connection, one line each way: the client writes a
// command ("reload\n", at most 64 bytes) within 5 s, the gateway answers one
// JSON line and closes. Requests are served one at a time.
//
// Runs on the io_context it is given (main's controlling thread, where
// SIGHUP is handled too), so a request runs the same reload path as SIGHUP,
// on the same thread. Not thread-safe; everything on that io_context.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace switchboard {

class admin_socket {
public:
    // The answer line (without its newline) for a command line.
    using handler = std::function<std::string(std::string_view command)>;

    // Binds `path`. A socket file nobody listens on (left by a gateway that
    // did not exit cleanly) is replaced; a socket another process serves, or
    // a file of another kind, is not. Throws config_error naming
    // admin.socket when the path cannot be bound.
    admin_socket(boost::asio::io_context& io, std::string path, handler on_command);
    // Closes the socket and removes its file.
    ~admin_socket();

    admin_socket(const admin_socket&) = delete;
    admin_socket& operator=(const admin_socket&) = delete;

    void start() { accept_next(); }
    // Stops accepting (shutdown); the file is removed by the destructor.
    void stop();

    const std::string& path() const noexcept { return path_; }

    static constexpr std::size_t max_request_bytes = 64;
    static constexpr std::chrono::seconds request_timeout{5};

private:
    void accept_next();
    void read_request();
    void answer(std::string_view command);
    void finish();

    std::string path_;
    handler on_command_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::local::stream_protocol::socket client_;
    boost::asio::steady_timer timer_;
    std::string request_;
    std::string reply_;
    std::uint64_t requests_ = 0;  // which request the timer watches
    bool reading_ = false;
    bool stopped_ = false;
};

// The client side (`switchboard reload`): sends `command` to the socket at
// `path` and returns the gateway's answer line. Throws std::runtime_error
// when nobody answers there within `timeout`.
std::string ask_admin_socket(const std::string& path, std::string_view command,
                             std::chrono::milliseconds timeout);

}  // namespace switchboard
