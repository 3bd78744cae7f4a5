#pragma once
// A bare TCP connection to the gateway for tests that must misbehave below
// the WebSocket layer: half-sent handshakes, half-sent frames, junk.

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "core/ws_frame.hpp"

namespace switchboard::test {

// A complete upgrade request for /ws, as a browser would send it.
inline const std::string websocket_upgrade_request =
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

class raw_connection {
public:
    explicit raw_connection(unsigned short port,
                            std::chrono::seconds read_timeout = std::chrono::seconds(10))
        : socket_(io_) {
        socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        timeval tv{static_cast<time_t>(read_timeout.count()), 0};
        setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    void send(const std::string& bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }

    // Sends without throwing and without SIGPIPE; false once the server has
    // dropped the connection, or a send waited past the send timeout.
    bool try_send(std::string_view bytes) {
        while (!bytes.empty()) {
            ssize_t n = ::send(socket_.native_handle(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }
    void set_send_timeout(std::chrono::milliseconds timeout) {
        timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
        setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }

    // A masked client frame (FIN set unless `fin` is false).
    static std::string frame(ws_frame::opcode op, std::string_view payload, bool fin = true) {
        std::string out;
        ws_frame::append_masked(out, op, payload, 0x5eed1234);
        if (!fin) out[0] = static_cast<char>(out[0] & 0x7F);
        return out;
    }
    static std::string text(std::string_view payload) {
        return frame(ws_frame::opcode::text, payload);
    }

    // The server's HTTP response head, up to the blank line; empty at EOF or timeout.
    std::string read_head() {
        for (;;) {
            if (auto end = in_.find("\r\n\r\n"); end != std::string::npos) {
                std::string head = in_.substr(0, end + 4);
                in_.erase(0, end + 4);
                return head;
            }
            if (!fill()) return {};
        }
    }

    struct server_frame {
        ws_frame::opcode op;
        std::string payload;
        // For a close frame: its code, or 1005 when it carries none.
        unsigned code() const {
            if (payload.size() < 2) return 1005;
            return (static_cast<unsigned char>(payload[0]) << 8) |
                   static_cast<unsigned char>(payload[1]);
        }
    };
    // The next frame from the server; nothing at EOF, timeout or a broken frame.
    std::optional<server_frame> read_frame() {
        for (;;) {
            auto d = ws_frame::decode(in_.data(), in_.size(), 1 << 24);
            if (d.state == ws_frame::decoded::status::invalid) return std::nullopt;
            if (d.state == ws_frame::decoded::status::complete) {
                server_frame f{d.op, std::string(d.payload)};
                in_.erase(0, d.frame_bytes);
                return f;
            }
            if (!fill()) return std::nullopt;
        }
    }
    // The next text frame, skipping others; nothing if a close or EOF comes first.
    std::optional<std::string> read_text() {
        while (auto f = read_frame()) {
            if (f->op == ws_frame::opcode::text) return f->payload;
            if (f->op == ws_frame::opcode::close) return std::nullopt;
        }
        return std::nullopt;
    }
    // Everything the server sends until it closes (or the read times out).
    std::string read_to_end() {
        while (fill()) {
        }
        return std::exchange(in_, {});
    }
    // Reads until the server closes; false if the read timed out instead.
    bool closed_by_server() {
        for (;;) {
            in_.clear();  // what comes now is read and dropped
            auto ec = read_more();
            if (ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
                return true;
            if (ec) return false;
        }
    }

private:
    // Appends what one read returns to in_.
    boost::system::error_code read_more() {
        char buf[4096];
        boost::system::error_code ec;
        std::size_t n = socket_.read_some(boost::asio::buffer(buf), ec);
        if (!ec) in_.append(buf, n);
        return ec;
    }
    bool fill() { return !read_more(); }

    std::string in_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
};

// Upgrades and registers `id` as a device over a bare socket; true when
// `registered` came. The socket then reads only what the test asks for.
inline bool register_raw(raw_connection& c, const std::string& id,
                         const std::string& upgrade = websocket_upgrade_request) {
    c.send(upgrade);
    if (c.read_head().find("101") == std::string::npos) return false;
    c.send(raw_connection::text(R"({"type":"register","id":")" + id + R"(","role":"device"})"));
    auto reply = c.read_text();
    return reply && reply->find("registered") != std::string::npos;
}

}  // namespace switchboard::test
