#include "raw_wire.hpp"

#include <array>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/field.hpp>
#include <span>
#include <utility>

#include "core/error_code.hpp"
#include "core/ws_handshake.hpp"
#include "exact_allocator.hpp"
#include "streams.hpp"

namespace switchboard {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using sys_error = boost::system::error_code;

namespace {

// Where every read goes: a connection waits for readability and holds no
// read buffer of its own. One per I/O thread: it is used only inside a read
// completion, which runs to its end before the thread's next handler.
std::array<char, 65536>& thread_read_buffer() {
    thread_local std::array<char, 65536> buffer;
    return buffer;
}

// Where a TLS connection's reads are decrypted to, as tls_codec::open asks:
// room for a full read and two records OpenSSL may hold from before.
std::array<char, 65536 + 2 * tls_codec::max_record_plaintext>& thread_plaintext_buffer() {
    thread_local std::array<char, 65536 + 2 * tls_codec::max_record_plaintext> buffer;
    return buffer;
}

bool would_block(const sys_error& ec) {
    return ec == asio::error::would_block || ec == asio::error::try_again;
}

wire_end end_for(const sys_error& ec) {
    if (ec == asio::error::eof || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::bad_descriptor) {
        return wire_end::closed;
    }
    return wire_end::failed;
}

std::string refusal(std::string_view status, std::string_view extra_header, std::string_view body) {
    std::string r = "HTTP/1.1 ";
    r += status;
    r += "\r\nServer: switchboard\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: "
         "close\r\n";
    r += extra_header;
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    r += body;
    return r;
}

}  // namespace

// One gathered send: control frames, then each frame's header and payload,
// then our close if it follows them; over TLS, all of it sealed into
// `sealed`, the one buffer written.
struct raw_wire::write_batch {
    std::string control;
    std::string close;
    std::string sealed;
    std::array<frame_ptr, max_batch_frames> frames;
    std::size_t frame_count = 0;
    std::array<std::array<unsigned char, ws_frame::max_header_bytes>, max_batch_frames> headers;
    std::array<asio::const_buffer, 2 + 2 * max_batch_frames> buffers;
};

// A write batch is 1.5 KB, past what malloc's per-thread cache serves, and
// every flush needs one: each I/O thread keeps a few to reuse.
constexpr std::size_t spare_batches_per_thread = 16;

std::vector<std::unique_ptr<raw_wire::write_batch>>& raw_wire::spare_batches() {
    thread_local std::vector<std::unique_ptr<write_batch>> spare;
    return spare;
}

raw_wire::batch_ptr raw_wire::take_batch() {
    auto& spare = spare_batches();
    if (spare.empty()) return batch_ptr(new write_batch);
    batch_ptr batch(spare.back().release());
    spare.pop_back();
    return batch;
}

void raw_wire::batch_recycler::operator()(write_batch* batch) const noexcept {
    for (std::size_t i = 0; i < batch->frame_count; ++i) batch->frames[i].reset();
    batch->frame_count = 0;
    batch->control.clear();
    batch->close.clear();
    batch->sealed.clear();
    // A flush of large frames should not stay pinned in a spare batch.
    if (batch->sealed.capacity() > 65536) std::string().swap(batch->sealed);
    auto& spare = spare_batches();
    if (spare.size() < spare_batches_per_thread) {
        try {
            spare.emplace_back(batch);
            return;
        } catch (...) {
            // No room to keep it: free it instead.
        }
    }
    delete batch;
}

raw_wire::raw_wire(asio::ip::tcp::socket&& socket, std::string leftover,
                   std::unique_ptr<tls_codec> tls, const session_limits& limits, std::mutex& lock,
                   outbound& out)
    : socket_(std::move(socket)),
      tls_(std::move(tls)),
      limits_(limits),
      reader_(limits.max_message_bytes),
      partial_(std::move(leftover)),
      lock_(lock),
      out_(out) {}

raw_wire::~raw_wire() { keep_alive_sweep::leave(*this); }

void raw_wire::accept(const request& upgrade, const char* subprotocol,
                      std::weak_ptr<wire_events> owner) {
    owner_ = std::move(owner);
    auto self = this->owner();
    auto response = std::make_shared<std::string>();
    bool ok = false;
    if (upgrade[http::field::sec_websocket_version] != "13") {
        *response = refusal("426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n",
                            "this server speaks WebSocket version 13\n");
    } else if (auto key = upgrade[http::field::sec_websocket_key]; !is_valid_websocket_key(key)) {
        *response = refusal("400 Bad Request", "", "Sec-WebSocket-Key is missing or malformed\n");
    } else {
        ok = true;
        *response =
            "HTTP/1.1 101 Switching Protocols\r\nServer: switchboard\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Accept: ";
        *response += websocket_accept(key);
        *response += "\r\n";
        if (subprotocol != nullptr) {
            *response += "Sec-WebSocket-Protocol: ";
            *response += subprotocol;
            *response += "\r\n";
        }
        *response += "\r\n";
    }
    if (tls_) {
        auto sealed = std::make_shared<std::string>();
        const asio::const_buffer plain = asio::buffer(*response);
        if (tls_->seal({&plain, 1}, *sealed)) {
            ok = false;  // fails the upgrade below
            sealed->clear();
        }
        response = std::move(sealed);
    }
    arm_timer(limits_.handshake_timeout);
    asio::async_write(socket_, asio::buffer(*response),
                      [this, self, response, ok](sys_error ec, std::size_t) {
                          cancel_timer();
                          if (!ec && !ok) ec = asio::error::connection_refused;
                          if (!ec && !socket_.is_open()) ec = asio::error::timed_out;
                          if (ec) {
                              abort();
                              return self->on_wire_accepted(ec);
                          }
                          open_ = true;
                          bool more = false;
                          {
                              // The outbound started as writing: this answer was its write.
                              std::lock_guard lock(lock_);
                              more = out_.written();
                          }
                          self->on_wire_accepted({});
                          // What came while the answer was out (a close at shutdown).
                          if (more) flush();
                      });
}

void raw_wire::start_reading() {
    sys_error ignored;
    // Reads after readiness must return, not wait.
    socket_.non_blocking(true, ignored);
    if (limits_.idle_timeout.count() > 0) {
        keep_alive_sweep::join(*this, socket_.get_executor(), limits_.idle_timeout / 2);
    }
    // A read before the first wait, always: frames may have come with the
    // upgrade request (over TLS, OpenSSL may hold some too), and bytes that
    // arrived since the socket was last read raised their edge-triggered
    // readiness while nothing waited for it; a wait alone would miss them.
    asio::post(socket_.get_executor(), [this, self = owner()] { on_read({}); });
}

void raw_wire::do_read() {
    // Readiness, not a read: an idle connection holds no buffer (512 bytes
    // each when it did), and the bytes go to this thread's buffer.
    socket_.async_wait(asio::socket_base::wait_read,
                       asio::bind_allocator(exact_allocator<void>{},
                                            [this, self = owner()](sys_error ec) { on_read(ec); }));
}

void raw_wire::on_read(sys_error ec) {
    auto self = owner();
    if (!self) return;
    if (ec) {
        if (reading_ == reading::draining) return finish_close();
        end_reading(end_for(ec), ec.message());
        return abort();
    }
    auto& buffer = thread_read_buffer();
    char* data = buffer.data();
    std::size_t size = 0;
    sys_error last;  // what the reads ended with: EOF, a reset, or nothing
    while (size < buffer.size()) {
        const std::size_t want = buffer.size() - size;
        const std::size_t got = socket_.read_some(asio::buffer(data + size, want), last);
        if (last) {
            // Nothing to read (a wake-up with no data, or TLS's first read).
            if (would_block(last)) last.clear();
            break;
        }
        size += got;
        if (got < want) break;
    }
    if (reading_ == reading::draining) {
        drained_ += size;
        if (last || drained_ >= lingering_close_bytes) return finish_close();
        return do_read();
    }
    if (tls_) {
        size = decrypt(data, size, last);
        // An alert or a key update OpenSSL owes the peer.
        if (tls_->has_pending()) {
            bool start = false;
            {
                std::lock_guard lock(lock_);
                start = out_.want_write();
            }
            if (start) flush();
        }
    }
    if (!partial_.empty()) {
        partial_.append(data, size);
        data = partial_.data();
        size = partial_.size();
    }
    const std::size_t used = consume(data, size, *self);
    if (reading_ == reading::frames) {
        if (data == partial_.data()) {
            partial_.erase(0, used);
        } else {
            partial_.assign(data + used, size - used);
        }
        // A large message should not pin its buffer for the life of an idle connection.
        if (partial_.empty() && partial_.capacity() > 4096) std::string().swap(partial_);
    } else {
        std::string().swap(partial_);
    }
    if (reading_ == reading::done) return;
    if (last) {
        if (reading_ == reading::draining) return finish_close();
        end_reading(end_for(last), last.message());
        return abort();
    }
    if (reading_ == reading::frames) {
        std::lock_guard lock(lock_);
        // Paused only while a write is out: its on_written reads again.
        reads_paused_ = out_.reads_should_pause();
    }
    if (reads_paused_) return self->on_wire_reads_paused();
    do_read();
}

std::size_t raw_wire::decrypt(char*& data, std::size_t size, sys_error& last) {
    auto& plaintext = thread_plaintext_buffer();
    tls_codec::opened opened = tls_->open({data, size}, plaintext);
    // The socket's own error, if any, came after these bytes; so does the peer's close_notify.
    if (opened.ec && !last) last = opened.ec;
    data = plaintext.data();
    return opened.bytes;
}

std::size_t raw_wire::consume(char* data, std::size_t size, wire_events& events) {
    std::size_t pos = 0;
    while (reading_ == reading::frames && pos < size) {
        ws_reader::event e = reader_.next(data + pos, size - pos);
        pos += e.consumed;
        switch (e.what) {
            case ws_reader::event::kind::need_more:
                return pos;
            case ws_reader::event::kind::text:
            case ws_reader::event::kind::binary:
                keep_alive_.heard_data();
                // After our close, the session drops the peer's data (RFC 6455 §5.5.1).
                events.on_wire_message(e.payload, e.what == ws_reader::event::kind::text);
                break;
            case ws_reader::event::kind::ping:
                // Charged to the rate and to the outbound bound like a
                // message; answered with one pong at most, for the latest
                // ping (RFC 6455 §5.5.3 allows it); not once we are closing.
                if (events.on_wire_control()) {
                    outbound::pushed pushed = outbound::pushed::refused;
                    {
                        std::lock_guard lock(lock_);
                        pushed = out_.push_pong(e.payload);
                    }
                    if (pushed == outbound::pushed::start) {
                        flush();
                    } else if (pushed == outbound::pushed::overflow) {
                        events.on_wire_overflow();
                    }
                }
                break;
            case ws_reader::event::kind::pong:
                // The answer to our keep-alive ping shows the peer is there;
                // an unsolicited pong is charged and shows nothing.
                if (!keep_alive_.answers_ping()) events.on_wire_control();
                break;
            case ws_reader::event::kind::close:
                // Echo the peer's code; its reason is its own.
                stop_reading_frames(e.code == 1005 ? 0 : e.code, {}, wire_end::closed,
                                    "closed by the peer");
                return pos;
            case ws_reader::event::kind::fail:
                stop_reading_frames(
                    e.code, e.error,
                    e.code == close_code::too_big ? wire_end::oversized : wire_end::protocol_error,
                    e.error);
                return pos;
        }
    }
    return pos;
}

void raw_wire::stop_reading_frames(std::uint16_t code, std::string_view reason, wire_end why,
                                   std::string_view detail) {
    bool start = false;
    bool sent = false;
    {
        std::lock_guard lock(lock_);
        // Our close next, unless ours is queued or gone already; the frames
        // not yet written are dropped: a connection failing sends no more data.
        start = out_.close_now(code, reason);
        sent = out_.current() == outbound::state::close_sent;
    }
    if (start) flush();
    reading_ = reading::draining;
    end_reading(why, detail);
    if (sent) shut_down_sending();
    arm_timer(lingering_close_time);
}

void raw_wire::end_reading(wire_end why, std::string_view detail) {
    if (ended_) return;
    ended_ = true;
    if (auto self = owner()) self->on_wire_end(why, detail);
}

void raw_wire::flush() {
    auto self = owner();
    for (;;) {
        batch_ptr batch = take_batch();
        bool close_follows = false;
        {
            std::lock_guard lock(lock_);
            batch->frame_count =
                out_.take(batch->frames, batch->control, batch->close, close_follows);
        }
        std::size_t n = 0;
        if (!batch->control.empty()) batch->buffers[n++] = asio::buffer(batch->control);
        for (std::size_t i = 0; i < batch->frame_count; ++i) {
            unsigned char* header = batch->headers[i].data();
            const std::string& payload = *batch->frames[i];
            batch->buffers[n++] = asio::buffer(
                header, ws_frame::write_header(header, ws_frame::opcode::text, payload.size()));
            batch->buffers[n++] = asio::buffer(payload);
        }
        if (close_follows) batch->buffers[n++] = asio::buffer(batch->close);
        if (tls_ && self && reading_ != reading::done && (n > 0 || tls_->has_pending())) {
            // One send of records of up to 16 KiB, whatever the number of frames.
            if (sys_error ec = tls_->seal({batch->buffers.data(), n}, batch->sealed)) {
                end_reading(wire_end::failed, ec.message());
                abort();
            }
            n = 0;
            if (!batch->sealed.empty() && reading_ != reading::done)
                batch->buffers[n++] = asio::buffer(batch->sealed);
        }
        if (n > 0 && self && reading_ != reading::done) {
            // Our close is on its way: the peer has this long to answer (a
            // failing connection's lingering close has its own deadline).
            if (close_follows && reading_ == reading::frames) arm_timer(limits_.handshake_timeout);
            std::span<const asio::const_buffer> sequence(batch->buffers.data(), n);
            asio::async_write(socket_, sequence,
                              [this, self, batch = std::move(batch), close_follows](
                                  sys_error ec, std::size_t) { on_written(ec, close_follows); });
            return;
        }
        // Nothing leaves (nothing was there, or the connection is gone): as
        // if written at once. A frame queued since take() is taken now.
        std::lock_guard lock(lock_);
        if (!out_.written()) return;
    }
}

void raw_wire::on_written(sys_error ec, bool carried_close) {
    auto self = owner();
    if (!self) return;
    if (ec) {
        end_reading(end_for(ec), ec.message());
        return abort();
    }
    bool more = false;
    bool read_again = false;
    outbound::state now = outbound::state::idle;
    {
        std::lock_guard lock(lock_);
        more = out_.written(tls_ && tls_->has_pending());
        now = out_.current();
        read_again = reads_paused_ && out_.reads_may_resume();
    }
    if (reads_paused_) {
        // While we do not read the peer, its pongs wait unread too: what it
        // takes off our queue is the sign of life our pause leaves.
        keep_alive_.peer_took_data();
    }
    if (read_again) {
        reads_paused_ = false;
        if (reading_ != reading::done) do_read();
    }
    if (carried_close) {
        // The handshake is done, or the connection is failing: end our side
        // and read until the peer's EOF (lingering close).
        if (reading_ == reading::draining) shut_down_sending();
    } else if (tls_ && now == outbound::state::shut) {
        // Our close_notify has left: now the FIN.
        sys_error ignored;
        socket_.shutdown(asio::socket_base::shutdown_send, ignored);
    }
    if (more) flush();
}

void raw_wire::shut_down_sending() {
    {
        // Once, and only after our close has left (no write is out then).
        std::lock_guard lock(lock_);
        if (!out_.shut_down()) return;
    }
    if (tls_) {
        // close_notify first, then the FIN once it has left (on_written).
        tls_->close_notify();
        return flush();
    }
    sys_error ignored;
    socket_.shutdown(asio::socket_base::shutdown_send, ignored);
}

void raw_wire::finish_close() {
    {
        std::lock_guard lock(lock_);
        out_.abort();
    }
    reading_ = reading::done;
    cancel_timer();
    end_reading(wire_end::closed, "closed");
    sys_error ignored;
    socket_.close(ignored);
}

void raw_wire::abort() {
    {
        std::lock_guard lock(lock_);
        out_.abort();
    }
    reading_ = reading::done;
    cancel_timer();
    sys_error ignored;
    socket_.shutdown(asio::socket_base::shutdown_both, ignored);
    socket_.close(ignored);
}

void raw_wire::arm_timer(std::chrono::steady_clock::duration after) {
    // A deadline replaces the keep-alive: the connection is handshaking or closing.
    keep_alive_sweep::leave(*this);
    if (!timer_) timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor());
    timer_->expires_after(after);
    timer_->async_wait(asio::bind_allocator(
        exact_allocator<void>{}, [this, self = owner()](sys_error ec) { on_timer(ec); }));
}

void raw_wire::cancel_timer() {
    keep_alive_sweep::leave(*this);
    // Its wait, if any, ends with operation_aborted.
    timer_.reset();
}

void raw_wire::on_timer(sys_error ec) {
    if (ec || reading_ == reading::done) return;
    if (!open_) return abort();  // the upgrade's answer did not leave in time
    // The peer did not answer our close, or did not end the connection after it.
    end_reading(wire_end::timed_out, "close not answered in time");
    finish_close();
}

void raw_wire::on_keep_alive_tick() {
    auto self = owner();
    if (!self || reading_ != reading::frames) return;
    {
        // Closing: the close's own deadline runs instead.
        std::lock_guard lock(lock_);
        if (!out_.open()) return;
    }
    switch (keep_alive_.tick()) {
        case keep_alive::action::wait:
            break;
        case keep_alive::action::ping: {
            bool start = false;
            {
                std::lock_guard lock(lock_);
                start = out_.push_ping() == outbound::pushed::start;
            }
            if (start) flush();
            break;
        }
        case keep_alive::action::time_out:
            end_reading(wire_end::timed_out, "idle: no answer to ping");
            abort();
            break;
    }
}

}  // namespace switchboard
