#pragma once
// The two byte streams a connection can run over. Sessions are templates on
// one of these and are instantiated for both in their own .cpp, so Beast's
// TLS templates stay in few translation units.

#include <array>
#include <boost/asio/compose.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>

namespace switchboard {

// A TCP stream of its own type only so that the WebSocket close below is
// found for it instead of Beast's.
class plain_stream : public boost::beast::tcp_stream {
public:
    using boost::beast::tcp_stream::tcp_stream;
};

// The TLS context a stream was made with, held as the first base of
// tls_stream so that it is destroyed after the stream it serves.
struct tls_context_hold {
    std::shared_ptr<boost::asio::ssl::context> tls_context;
};

// A TLS stream that keeps its context (certificate and key) alive for as
// long as it lives: a reload swaps in a new context for new handshakes
// while open connections go on with the one they were accepted with.
class tls_stream : private tls_context_hold,
                   public boost::beast::ssl_stream<boost::beast::tcp_stream> {
public:
    using ssl_stream_type = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    tls_stream(boost::beast::tcp_stream&& next, std::shared_ptr<boost::asio::ssl::context> context)
        : tls_context_hold{std::move(context)}, ssl_stream_type(std::move(next), *tls_context) {}

    ssl_stream_type& ssl() noexcept { return *this; }
    const std::shared_ptr<boost::asio::ssl::context>& context() const noexcept {
        return tls_context;
    }
};

// Found by argument-dependent lookup from Beast's WebSocket close, before
// Beast's catch-all for unknown stream types: the TLS close as Beast does it.
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, tls_stream& stream, TeardownHandler&& handler) {
    boost::beast::async_teardown(role, stream.ssl(), std::forward<TeardownHandler>(handler));
}

template <class Stream>
inline constexpr bool is_tls_stream = std::is_same_v<Stream, tls_stream>;

// Lingering close, as nginx does it. Beast 1.81's TCP teardown stops reading
// after the first chunk (its `bytes_transferred` is never set), so a peer
// still sending when the server closes (a frame over the size limit, a
// deflate bomb) gets a TCP reset and never reads our close frame: it sees
// 1006 instead of 1009. This one shuts down our side, reads and discards
// until the peer's EOF (bounded in bytes and time), then closes.
inline constexpr std::size_t lingering_close_bytes = 8 << 20;
inline constexpr std::chrono::seconds lingering_close_time{2};

class lingering_close_op {
public:
    lingering_close_op(boost::beast::role_type role, plain_stream& stream)
        : role_(role), stream_(stream) {}

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t bytes = 0) {
        auto& socket = stream_.socket();
        if (!started_) {
            started_ = true;
            if (role_ == boost::beast::role_type::server) {
                socket.shutdown(boost::asio::socket_base::shutdown_send, ec);
            }
            stream_.expires_after(lingering_close_time);
        } else {
            drained_ += bytes;
        }
        if (!ec && drained_ < lingering_close_bytes) {
            return stream_.async_read_some(boost::asio::buffer(drain_sink()), std::move(self));
        }
        if (role_ == boost::beast::role_type::client) {
            socket.shutdown(boost::asio::socket_base::shutdown_send, ec);
        }
        boost::system::error_code ignored;
        socket.close(ignored);
        // The peer's EOF, our own limits and a gone peer all end the close alike.
        self.complete({});
    }

private:
    // What is drained is dropped unread, so every close on a thread can share
    // one sink: 19,000 closing at once must not cost 19,000 buffers. Per
    // thread, since each io_context runs on exactly one (io_pool).
    static std::array<char, 4096>& drain_sink() {
        thread_local std::array<char, 4096> sink;
        return sink;
    }

    boost::beast::role_type role_;
    plain_stream& stream_;
    std::size_t drained_ = 0;
    bool started_ = false;
};

// Found by argument-dependent lookup from Beast's WebSocket close.
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, plain_stream& stream, TeardownHandler&& handler) {
    boost::asio::async_compose<TeardownHandler, void(boost::system::error_code)>(
        lingering_close_op(role, stream), handler, stream);
}

}  // namespace switchboard
