#pragma once
// A client WebSocket connection to the gateway's /ws, on plain Asio with our
// own RFC 6455 framing (ws_frame_codec). Why not Beast's stream: the load
// generator shares two cores with the gateway it measures, so it must spend
// few system calls: every read takes whatever the socket holds and handles
// all complete frames in it, and all frames queued while handling one batch
// go out in one write.
//
// Owned through shared_ptr by its protocol_client and by its own pending
// operations. Runs on one io_context thread; call it only from there.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client_url.hpp"
#include "core/ws_reader.hpp"
#include "transport.hpp"
#include "ws_frame_codec.hpp"

namespace switchboard::client {

// How protocol frames travel in WebSocket messages.
enum class ws_framing {
    plain,     // one frame per text message: the gateway
    socketio,  // Engine.IO 4 / Socket.IO 5 packets, 42["message",{...}]: a benchmark peer
};

// How a wss:// client trusts the gateway's certificate.
struct tls_trust {
    std::string ca_file;    // PEM file of trusted certificates; empty: the system's
    bool insecure = false;  // no verification at all (a development certificate)
};

// Where and how to connect; one is shared by many clients.
struct ws_options {
    boost::asio::ip::tcp::endpoint server;
    std::string host_header;  // "127.0.0.1:8080"
    std::string target = "/ws";
    std::string subprotocol = "switchboard.v1";  // offered when not empty
    ws_framing framing = ws_framing::plain;
    std::optional<boost::asio::ip::address> source;  // bind to this local address first
    // wss://: the TLS context shared by every client of these options (null for ws://),
    // and the name the certificate must carry (the URL's host).
    std::shared_ptr<boost::asio::ssl::context> tls;
    std::string tls_host;
    std::size_t max_frame_bytes = 16 << 20;
    std::size_t max_outbound_bytes = 4 << 20;          // send() refuses past this backlog
    std::chrono::milliseconds connect_timeout{10000};  // TCP connect plus upgrade
    std::chrono::milliseconds close_timeout{2000};     // wait for the server's close reply
};

// Parses "ws://host:port/path" or "wss://host:port/path" (host an IP address
// or a name resolved here, blocking, once), or "socketio://host:port[/path]"
// for a Socket.IO server (path default /socket.io/), checked as parse_url
// does (client_url.hpp). A wss:// URL gets a TLS context trusting as `trust`
// says. Throws std::invalid_argument "'URL': why" (an unreadable CA file and
// an unknown host included).
ws_options parse_ws_url(const std::string& url, const tls_trust& trust = {});
// The same URL only split and checked: no name resolved, no TLS context made.
url_parts split_ws_url(const std::string& url);

class ws_transport : public transport, public std::enable_shared_from_this<ws_transport> {
public:
    ws_transport(boost::asio::io_context& io, std::shared_ptr<const ws_options> options);
    ~ws_transport() override;

    transport_kind kind() const noexcept override { return transport_kind::ws; }
    void open(transport_listener& listener) override;
    bool send(std::string_view text) override;
    void close() override;
    void cut() override;
    void detach() override { listener_ = nullptr; }

private:
    enum class state { idle, connecting, upgrading, open, closing, closed };

    void on_connect(boost::system::error_code ec, unsigned generation);
    void on_tls_handshake(boost::system::error_code ec, unsigned generation);
    void send_upgrade(unsigned generation);
    template <class Handler>
    void write_out(Handler handler);  // writes writing_ whole, over TLS when there is TLS
    void on_upgrade_written(boost::system::error_code ec, unsigned generation);
    void do_read();
    void on_read(boost::system::error_code ec, std::size_t bytes, unsigned generation);
    bool handle_upgrade_response();
    void handle_frames();
    void deliver(std::string_view message);
    void on_socketio_packet(std::string_view packet);
    void on_timer(boost::system::error_code ec, unsigned generation);
    void queue_frame(ws_frame_codec::opcode op, std::string_view payload);
    void schedule_flush();
    void flush();
    void on_write(boost::system::error_code ec, unsigned generation);
    void finish(close_info info);

    boost::asio::io_context& io_;
    std::shared_ptr<const ws_options> options_;  // shared by a whole fleet
    boost::asio::ip::tcp::socket socket_;
    // wss://: the connection's TCP socket moves in here once connected. Its
    // pending operations hold it too, so a reconnect can start a new one
    // while the old one's aborted handlers are still queued.
    std::shared_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
    boost::asio::steady_timer timer_;
    transport_listener* listener_ = nullptr;
    state state_ = state::idle;
    unsigned generation_ = 0;  // handlers of an older connection see a newer number and stop
    ws_frame_codec codec_;
    std::string key_;  // Sec-WebSocket-Key of the current upgrade

    std::vector<char> in_;
    std::size_t in_used_ = 0;
    ws_reader reader_;  // frames, fragments and their limits

    std::string out_;      // frames waiting for the next write
    std::string wrapped_;  // a frame in its Socket.IO envelope, reused
    std::string writing_;  // the write in flight
    bool write_in_flight_ = false;
    bool flush_posted_ = false;
    bool close_after_write_ = false;
    close_info closing_;
};

}  // namespace switchboard::client
