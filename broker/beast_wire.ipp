// The members of beast_wire; included by websocket_session.cpp only, which
// instantiates them, so Beast's WebSocket templates compile in one place.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "beast_wire.hpp"

namespace switchboard {

template <class Stream>
void beast_wire<Stream>::accept(const request& upgrade, const char* subprotocol,
                                std::weak_ptr<wire_events> owner) {
    namespace websocket = boost::beast::websocket;
    owner_ = std::move(owner);
    boost::beast::get_lowest_layer(ws_).expires_never();
    // Beast times the upgrade and the close handshake; the idle rule is ours
    // (start_reading), since Beast's own counts a peer's pings as activity.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = limits_.handshake_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.auto_fragment(false);
    if (limits_.permessage_deflate) {
        // With compression on, Beast applies the read limit to the inflated
        // size, so a small frame cannot inflate into a large allocation.
        websocket::permessage_deflate deflate;
        deflate.server_enable = true;
        ws_.set_option(deflate);
    }
    ws_.control_callback([this](websocket::frame_type kind, boost::beast::string_view payload) {
        on_control(kind, std::string_view(payload.data(), payload.size()));
    });
    ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type& res) {
        res.set(boost::beast::http::field::server, "switchboard");
        if (subprotocol != nullptr)
            res.set(boost::beast::http::field::sec_websocket_protocol, subprotocol);
    }));
    ws_.async_accept(upgrade, [this, self = owner_.lock()](boost::system::error_code ec) {
        bool more = false;
        {
            // The outbound started as writing: the 101 was its write.
            std::lock_guard lock(lock_);
            if (ec) {
                out_.abort();
            } else {
                more = out_.written();
            }
        }
        if (!ec) ws_.text(true);
        self->on_wire_accepted(ec);
        // What came while the answer was out (a close at shutdown).
        if (more) flush();
    });
}

template <class Stream>
void beast_wire<Stream>::start_reading() {
    if (limits_.idle_timeout.count() > 0) arm_timer();
    do_read();
}

// Beast answers pings itself, one pong at a time (it stops reading while a
// pong cannot be written). As on raw_wire, each ping and each pong that does
// not answer our own ping is charged to the connection's rate, so a
// control-frame flood ends in 4008, and the pong a ping needs counts against
// the outbound bound until it has left.
template <class Stream>
void beast_wire<Stream>::on_control(boost::beast::websocket::frame_type kind,
                                    std::string_view payload) {
    namespace websocket = boost::beast::websocket;
    auto self = owner_.lock();
    if (!self) return;
    release_pong();
    if (kind == websocket::frame_type::close) return;
    if (kind == websocket::frame_type::pong) {
        if (!keep_alive_.answers_ping()) self->on_wire_control();
        return;
    }
    if (!self->on_wire_control()) return;
    const std::size_t pong_bytes = pong_frame_bytes(payload.size());
    outbound::pushed charged = outbound::pushed::refused;
    {
        std::lock_guard lock(lock_);
        charged = out_.charge(pong_bytes);
    }
    if (charged == outbound::pushed::queued) {
        pong_held_ = static_cast<std::uint8_t>(pong_bytes);
    } else if (charged == outbound::pushed::overflow) {
        self->on_wire_overflow();
    }
}

template <class Stream>
void beast_wire<Stream>::release_pong() {
    if (pong_held_ == 0) return;
    std::lock_guard lock(lock_);
    out_.release(std::exchange(pong_held_, std::uint8_t{0}));
}

template <class Stream>
void beast_wire<Stream>::arm_timer() {
    timer_.expires_after(limits_.idle_timeout / 2);
    timer_.async_wait([this, self = owner_.lock()](boost::system::error_code ec) { on_timer(ec); });
}

template <class Stream>
void beast_wire<Stream>::on_timer(boost::system::error_code ec) {
    if (ec || closing_) return;
    switch (keep_alive_.tick()) {
        case keep_alive::action::wait:
            break;
        case keep_alive::action::ping:
            // One ping at a time: one still being written (behind a slow
            // write) is answered or times out like this one would.
            if (!pinging_) {
                pinging_ = true;
                ws_.async_ping({}, [this, self = owner_.lock()](boost::system::error_code) {
                    pinging_ = false;
                });
            }
            break;
        case keep_alive::action::time_out:
            end_reading(wire_end::timed_out, "idle: no answer to ping");
            return abort();
    }
    arm_timer();
}

template <class Stream>
void beast_wire<Stream>::end_reading(wire_end why, std::string_view detail) {
    if (ended_) return;
    ended_ = true;
    timer_.cancel();
    if (auto self = owner_.lock()) {
        release_pong();
        self->on_wire_end(why, detail);
    }
}

template <class Stream>
void beast_wire<Stream>::do_read() {
    ws_.async_read(buffer_,
                   [this, self = owner_.lock()](boost::system::error_code ec, std::size_t bytes) {
                       on_read(ec, bytes);
                   });
}

template <class Stream>
void beast_wire<Stream>::on_read(boost::system::error_code ec, std::size_t bytes) {
    namespace websocket = boost::beast::websocket;
    auto self = owner_.lock();
    if (!self) return;
    if (ec) {
        wire_end why = wire_end::failed;
        if (ec == websocket::error::message_too_big) {
            why = wire_end::oversized;
        } else if (ec == websocket::error::closed || ec == boost::asio::error::operation_aborted ||
                   ec == boost::asio::error::eof) {
            why = wire_end::closed;
        } else if (ec == boost::beast::error::timeout) {
            why = wire_end::timed_out;
        } else if (ec.category() == make_error_code(websocket::error::closed).category()) {
            why = wire_end::protocol_error;
        }
        return end_reading(why, ec.message());
    }
    release_pong();
    keep_alive_.heard_data();
    auto data = buffer_.cdata();
    self->on_wire_message(std::string_view(static_cast<const char*>(data.data()), data.size()),
                          ws_.got_text());
    buffer_.consume(bytes);
    // A large message should not pin its buffer for the life of an idle connection.
    if (buffer_.capacity() > 16384) buffer_.shrink_to_fit();
    do_read();
}

template <class Stream>
void beast_wire<Stream>::flush() {
    for (;;) {
        {
            std::lock_guard lock(lock_);
            // Beast writes its own control frames: ours stay empty.
            std::string control;
            std::string close_frame;
            if (out_.take({&writing_, 1}, control, close_frame, close_after_) == 0)
                writing_.reset();
        }
        if (writing_) {
            ws_.async_write(
                boost::asio::buffer(*writing_),
                [this, self = owner_.lock()](boost::system::error_code ec, std::size_t) {
                    if (ec) {
                        end_reading(wire_end::failed, ec.message());
                        return abort();
                    }
                    if (frame_written()) flush();
                });
            return;
        }
        if (!frame_written()) return;
    }
}

template <class Stream>
bool beast_wire<Stream>::frame_written() {
    std::uint16_t code = 0;
    std::string reason;
    bool more = false;
    {
        std::lock_guard lock(lock_);
        if (close_after_) {
            code = out_.close_code();
            reason = out_.close_reason();
        }
        more = out_.written();
    }
    writing_.reset();
    if (std::exchange(close_after_, false)) start_close(code, reason);
    return more;
}

template <class Stream>
void beast_wire<Stream>::start_close(std::uint16_t code, std::string_view reason) {
    namespace websocket = boost::beast::websocket;
    closing_ = true;
    timer_.cancel();
    if (!ws_.is_open()) return;
    websocket::close_reason why(static_cast<websocket::close_code>(code), reason);
    ws_.async_close(why, [self = owner_.lock()](boost::system::error_code) {});
}

template <class Stream>
void beast_wire<Stream>::abort() {
    {
        std::lock_guard lock(lock_);
        out_.abort();
    }
    closing_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    auto& socket = boost::beast::get_lowest_layer(ws_).socket();
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

}  // namespace switchboard
