#pragma once
// WebSocket without Beast's stream, on plain TCP or TLS: the gateway's hot path.
// It does what the profile asked for (docs/benchmarks.md): each read hands
// every message it returned to the session; a connection waits for
// readability and then reads, without waiting, into one large buffer per
// I/O thread, so an idle connection holds no read buffer (Beast's stream
// held 1.5 KiB plus its state); a whole batch of queued frames, control
// frames first, leaves in one gathered send.
// It answers pings, keeps quiet peers alive with pings of its own, does the
// close handshake and the lingering close, and fails the connection with
// 1002, 1007 or 1009 as RFC 6455 says (ws_reader decides which).
// What it writes, and whether a write is out, is the connection's
// `outbound` (core), guarded by the session's mutex: the session queues
// frames and its close there, the wire its ping, pong and close, and the
// wire takes the next batch from it each time a write completes.
// Over TLS (a tls_codec) the socket work is the same: what a read returned
// is decrypted before it is parsed, and a flush is sealed into records of up
// to 16 KiB, written in one send; our side ends with close_notify.
// Used by one websocket_session, on its I/O thread; the session is its
// wire_events and is kept alive by the wire's pending operations.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/endpoint.hpp"
#include "core/gateway_config.hpp"
#include "core/keep_alive.hpp"
#include "core/outbound.hpp"
#include "core/ws_frame.hpp"
#include "core/ws_reader.hpp"
#include "keep_alive_sweep.hpp"
#include "tls_codec.hpp"
#include "wire_events.hpp"

namespace switchboard {

class raw_wire {
public:
    using request = boost::beast::http::request<boost::beast::http::string_body>;

    // `leftover`: bytes read past the upgrade request, if any (plaintext);
    // `tls`: the connection's TLS, null on plain TCP; `out`: what the
    // connection sends, guarded by `lock` (both the session's).
    raw_wire(boost::asio::ip::tcp::socket&& socket, std::string leftover,
             std::unique_ptr<tls_codec> tls, const session_limits& limits, std::mutex& lock,
             outbound& out);
    ~raw_wire();
    raw_wire(const raw_wire&) = delete;
    raw_wire& operator=(const raw_wire&) = delete;

    boost::asio::any_io_executor get_executor() { return socket_.get_executor(); }

    // Answers the upgrade (101, or 400/426 for a bad key or version), then
    // reports on_wire_accepted. `owner` is held weakly.
    void accept(const request& upgrade, const char* subprotocol, std::weak_ptr<wire_events> owner);
    // Reads until the connection ends: on_wire_message per message, then on_wire_end once.
    void start_reading();
    void set_read_limit(std::size_t bytes) { reader_.set_max_message_bytes(bytes); }
    // Writes what the outbound holds, batch after batch, until it is idle.
    // Called by whoever took the outbound out of idle (outbound::pushed::start).
    void flush();
    // Drops the connection now; the outbound is shut.
    void abort();
    // The connection's TLS, or null on plain TCP.
    const tls_codec* tls() const noexcept { return tls_.get(); }

    // A batch larger than this goes out in several sends (IOV_MAX-friendly).
    static constexpr std::size_t max_batch_frames = 31;

private:
    friend keep_alive_sweep;

    enum class reading { frames, draining, done };
    struct write_batch;
    struct batch_recycler {
        void operator()(write_batch* batch) const noexcept;
    };
    using batch_ptr = std::unique_ptr<write_batch, batch_recycler>;
    static batch_ptr take_batch();
    static std::vector<std::unique_ptr<write_batch>>& spare_batches();  // this thread's

    std::shared_ptr<wire_events> owner() const { return owner_.lock(); }
    void do_read();
    void on_read(boost::system::error_code ec);
    // Over TLS: the plaintext of [data, size), in this thread's buffer.
    std::size_t decrypt(char*& data, std::size_t size, boost::system::error_code& last);
    // Hands every complete message in [data, data + size) to the owner;
    // returns the bytes used.
    std::size_t consume(char* data, std::size_t size, wire_events& events);
    // The peer's close or a broken frame: send our close (once), report the
    // end, and read no more frames, only until the peer's EOF.
    void stop_reading_frames(std::uint16_t code, std::string_view reason, wire_end why,
                             std::string_view detail);
    void end_reading(wire_end why, std::string_view detail);
    void on_written(boost::system::error_code ec, bool carried_close);
    void shut_down_sending();
    // The handshake's, the close handshake's or the lingering close's deadline.
    void arm_timer(std::chrono::steady_clock::duration after);
    void on_timer(boost::system::error_code ec);
    void cancel_timer();
    // Every half idle period while reading frames (keep_alive_sweep).
    void on_keep_alive_tick();
    void finish_close();

    boost::asio::ip::tcp::socket socket_;
    std::unique_ptr<tls_codec> tls_;
    // Only for a deadline (handshake, close, lingering close): the
    // keep-alive is the sweep's, so an idle connection holds no timer.
    std::unique_ptr<boost::asio::steady_timer> timer_;
    const session_limits& limits_;
    ws_reader reader_;
    std::weak_ptr<wire_events> owner_;
    std::string partial_;  // the start of a frame not yet complete
    std::mutex& lock_;
    outbound& out_;
    std::size_t drained_ = 0;
    reading reading_ = reading::frames;
    bool open_ = false;   // the upgrade is answered
    bool ended_ = false;  // on_wire_end was called
    // Not read while our queue to the peer is long (outbound's backpressure);
    // on_written reads again once it has shrunk.
    bool reads_paused_ = false;
    keep_alive keep_alive_;
    keep_alive_sweep::place sweep_place_;
};

}  // namespace switchboard
