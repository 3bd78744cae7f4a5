#pragma once
// A bare TCP connection to the gateway for tests that must misbehave below
// the WebSocket layer: half-sent handshakes, half-sent frames, junk.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string>
#include <sys/socket.h>

namespace switchboard::test {

// A complete upgrade request for /ws, as a browser would send it.
inline const std::string websocket_upgrade_request =
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

class raw_connection {
public:
    explicit raw_connection(unsigned short port, std::chrono::seconds read_timeout = std::chrono::seconds(10))
        : socket_(io_) {
        socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        timeval tv{static_cast<time_t>(read_timeout.count()), 0};
        setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    void send(const std::string& bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }
    // Reads until the server closes; false if the read timed out instead.
    bool closed_by_server() {
        char buf[4096];
        for (;;) {
            boost::system::error_code ec;
            socket_.read_some(boost::asio::buffer(buf), ec);
            if (ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) return true;
            if (ec) return false;
        }
    }

private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
};

}  // namespace switchboard::test
