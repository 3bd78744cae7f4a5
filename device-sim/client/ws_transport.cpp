#include "ws_transport.hpp"

#include <netinet/in.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <stdexcept>

#include "core/ws_handshake.hpp"

namespace switchboard::client {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Our frames as Socket.IO "message" events: Engine.IO packet 4 (message)
// carrying Socket.IO packet 2 (event) on the default namespace.
constexpr std::string_view socketio_event_prefix = "42[\"message\",";

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

// The value of header `name` in an HTTP response head, or empty.
std::string_view header_value(std::string_view head, std::string_view name) {
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos + 2 < head.size()) {
        std::size_t start = pos + 2;
        std::size_t end = head.find("\r\n", start);
        if (end == std::string_view::npos) end = head.size();
        std::string_view line = head.substr(start, end - start);
        std::size_t colon = line.find(':');
        if (colon != std::string_view::npos && iequals(line.substr(0, colon), name)) {
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
            return value;
        }
        pos = end;
    }
    return {};
}

}  // namespace

url_parts split_ws_url(const std::string& url) { return parse_url(url, {"ws", "wss", "socketio"}); }

ws_options parse_ws_url(const std::string& url, const tls_trust& trust) {
    const url_parts parts = split_ws_url(url);
    const bool socketio = parts.scheme == "socketio";
    const bool secure = parts.scheme == "wss";
    std::string target = !parts.path.empty() ? parts.path : socketio ? "/socket.io/" : "/ws";
    // Straight to the WebSocket transport, without Engine.IO's polling handshake.
    if (socketio) target += "?EIO=4&transport=websocket";
    const std::string& host = parts.host;
    const int port = parts.port;
    ws_options options;
    options.target = target;
    if (socketio) {
        options.subprotocol.clear();
        options.framing = ws_framing::socketio;
    }
    options.host_header = parts.authority;
    if (secure) {
        auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
        context->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                             asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        boost::system::error_code tls_ec;
        if (trust.insecure) {
            context->set_verify_mode(asio::ssl::verify_none);
        } else {
            context->set_verify_mode(asio::ssl::verify_peer);
            if (trust.ca_file.empty()) {
                context->set_default_verify_paths(tls_ec);
            } else {
                context->load_verify_file(trust.ca_file, tls_ec);
            }
            if (tls_ec) {
                throw std::invalid_argument(
                    "'" + url + "': cannot load trusted certificates from " +
                    (trust.ca_file.empty() ? std::string("the system's CA paths")
                                           : "'" + trust.ca_file + "'") +
                    ": " + tls_ec.message());
            }
        }
        // Idle connections keep no read and write buffers (OpenSSL frees them between records).
        SSL_CTX_set_mode(context->native_handle(), SSL_MODE_RELEASE_BUFFERS);
        options.tls = std::move(context);
        options.tls_host = host;
    }
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) {
        asio::io_context io;
        tcp::resolver resolver(io);
        auto results = resolver.resolve(host, std::to_string(port), ec);
        if (ec || results.empty()) {
            throw std::invalid_argument("'" + url + "': cannot resolve " + host);
        }
        options.server = *results.begin();
    } else {
        options.server = tcp::endpoint(address, static_cast<unsigned short>(port));
    }
    return options;
}

ws_transport::ws_transport(asio::io_context& io, std::shared_ptr<const ws_options> options)
    : io_(io),
      options_(std::move(options)),
      socket_(io),
      timer_(io),
      codec_(
          reinterpret_cast<std::uintptr_t>(this) ^
          static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())),
      reader_(options_->max_frame_bytes, false) {}

ws_transport::~ws_transport() = default;

void ws_transport::open(transport_listener& listener) {
    listener_ = &listener;
    ++generation_;
    boost::system::error_code ignored;
    tls_.reset();
    socket_.close(ignored);
    socket_ = tcp::socket(io_);
    state_ = state::connecting;
    in_.assign(2048, 0);
    in_used_ = 0;
    reader_ = ws_reader(options_->max_frame_bytes, false);
    out_.clear();
    writing_.clear();
    write_in_flight_ = false;
    flush_posted_ = false;
    close_after_write_ = false;
    closing_ = {};

    unsigned gen = generation_;
    timer_.expires_after(options_->connect_timeout);
    timer_.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
        self->on_timer(ec, gen);
    });

    boost::system::error_code ec;
    socket_.open(options_->server.protocol(), ec);
    if (!ec && options_->source) {
        // Choose the local port at connect time, so one source address serves
        // many destinations and the ephemeral range is not used up by bind().
        int one = 1;
        ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
                     sizeof one);
        socket_.bind(tcp::endpoint(*options_->source, 0), ec);
    }
    if (ec) {
        asio::post(io_, [self = shared_from_this(), gen, ec] { self->on_connect(ec, gen); });
        return;
    }
    socket_.async_connect(options_->server,
                          [self = shared_from_this(), gen](boost::system::error_code ec) {
                              self->on_connect(ec, gen);
                          });
}

void ws_transport::on_connect(boost::system::error_code ec, unsigned gen) {
    if (gen != generation_ || state_ != state::connecting) return;
    if (ec) return finish({1006, "connect: " + ec.message(), false});
    socket_.set_option(tcp::no_delay(true), ec);
    if (!options_->tls) return send_upgrade(gen);
    tls_ = std::make_shared<asio::ssl::stream<tcp::socket>>(std::move(socket_), *options_->tls);
    boost::system::error_code not_an_address;
    asio::ip::make_address(options_->tls_host, not_an_address);
    // SNI carries names only; an address is checked against the certificate's IP entries.
    if (not_an_address) SSL_set_tlsext_host_name(tls_->native_handle(), options_->tls_host.c_str());
    tls_->set_verify_callback(asio::ssl::host_name_verification(options_->tls_host));
    tls_->async_handshake(asio::ssl::stream_base::client,
                          [self = shared_from_this(), tls = tls_,
                           gen](boost::system::error_code ec) { self->on_tls_handshake(ec, gen); });
}

void ws_transport::on_tls_handshake(boost::system::error_code ec, unsigned gen) {
    if (gen != generation_ || state_ != state::connecting) return;
    if (ec) {
        close_info info{1006, "tls handshake: " + ec.message(), false};
        info.refusal = "TLS " + ec.message();
        return finish(std::move(info));
    }
    send_upgrade(gen);
}

template <class Handler>
void ws_transport::write_out(Handler handler) {
    if (tls_) {
        asio::async_write(
            *tls_, asio::buffer(writing_),
            [tls = tls_, handler = std::move(handler)](boost::system::error_code ec,
                                                       std::size_t n) mutable { handler(ec, n); });
    } else {
        asio::async_write(socket_, asio::buffer(writing_), std::move(handler));
    }
}

void ws_transport::send_upgrade(unsigned gen) {
    unsigned char nonce[16];
    for (int i = 0; i < 16; i += 4) {
        std::uint32_t r = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(this)) ^
                          static_cast<std::uint32_t>(i * 2654435761u) ^ generation_;
        std::memcpy(nonce + i, &r, 4);
    }
    key_ = base64(nonce, sizeof nonce);
    writing_ = "GET " + options_->target + " HTTP/1.1\r\nHost: " + options_->host_header +
               "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key_ +
               "\r\nSec-WebSocket-Version: 13\r\n";
    if (!options_->subprotocol.empty()) {
        writing_ += "Sec-WebSocket-Protocol: " + options_->subprotocol + "\r\n";
    }
    writing_ += "\r\n";
    state_ = state::upgrading;
    write_in_flight_ = true;
    write_out([self = shared_from_this(), gen](boost::system::error_code ec, std::size_t) {
        self->on_upgrade_written(ec, gen);
    });
    do_read();
}

void ws_transport::on_upgrade_written(boost::system::error_code ec, unsigned gen) {
    if (gen != generation_) return;
    write_in_flight_ = false;
    writing_.clear();
    if (ec) finish({1006, "upgrade write: " + ec.message(), false});
}

void ws_transport::do_read() {
    if (in_.size() - in_used_ < 512) {
        in_.resize(std::max(in_.size() * 2, std::size_t(4096)));
    }
    unsigned gen = generation_;
    auto buffer = asio::buffer(in_.data() + in_used_, in_.size() - in_used_);
    auto handler = [self = shared_from_this(), gen](boost::system::error_code ec, std::size_t n) {
        self->on_read(ec, n, gen);
    };
    if (tls_) {
        tls_->async_read_some(
            buffer, [tls = tls_, handler = std::move(handler)](
                        boost::system::error_code ec, std::size_t n) mutable { handler(ec, n); });
    } else {
        socket_.async_read_some(buffer, std::move(handler));
    }
}

void ws_transport::on_read(boost::system::error_code ec, std::size_t bytes, unsigned gen) {
    if (gen != generation_ || state_ == state::closed || state_ == state::idle) return;
    if (ec) {
        if (closing_.code != 1006 || !closing_.reason.empty()) return finish(closing_);
        return finish({1006,
                       ec == asio::error::eof ? "connection closed without a close frame"
                                              : "read: " + ec.message(),
                       false});
    }
    in_used_ += bytes;
    if (state_ == state::upgrading) {
        if (!handle_upgrade_response()) return;
        if (state_ != state::open && state_ != state::closing) return;
    }
    handle_frames();
    if (gen != generation_ || state_ == state::closed || state_ == state::idle) return;
    do_read();
}

bool ws_transport::handle_upgrade_response() {
    std::string_view data(in_.data(), in_used_);
    std::size_t end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (in_used_ > 16384)
            finish({1006, "upgrade response too long", false});
        else
            do_read();
        return false;
    }
    std::string_view head = data.substr(0, end + 2);
    std::size_t head_bytes = end + 4;
    if (head.substr(0, 12) != "HTTP/1.1 101") {
        // "HTTP/1.1 403 Forbidden" is counted as "HTTP 403 Forbidden".
        std::string_view status = head.substr(0, head.find("\r\n"));
        close_info info{1006, "upgrade refused: " + std::string(status), false};
        auto space = status.find(' ');
        info.refusal =
            "HTTP " +
            std::string(space == std::string_view::npos ? status : status.substr(space + 1));
        finish(std::move(info));
        return false;
    }
    if (header_value(head, "Sec-WebSocket-Accept") != websocket_accept(key_)) {
        finish({1006, "upgrade: wrong Sec-WebSocket-Accept", false});
        return false;
    }
    std::memmove(in_.data(), in_.data() + head_bytes, in_used_ - head_bytes);
    in_used_ -= head_bytes;
    state_ = state::open;
    timer_.cancel();
    unsigned gen = generation_;
    // Socket.IO: open once the namespace is joined (on_socketio_packet).
    if (listener_ != nullptr && options_->framing == ws_framing::plain) listener_->on_open();
    return gen == generation_;
}

void ws_transport::handle_frames() {
    unsigned gen = generation_;
    std::size_t pos = 0;
    while (pos < in_used_) {
        auto e = reader_.next(in_.data() + pos, in_used_ - pos);
        pos += e.consumed;
        using kind = ws_reader::event::kind;
        if (e.what == kind::need_more) break;
        switch (e.what) {
            case kind::need_more:
                break;
            case kind::fail:
                return finish({e.code, std::string("protocol error: ") + e.error, false});
            case kind::text:
            case kind::binary:
                deliver(e.payload);
                break;
            case kind::ping:
                queue_frame(ws_frame_codec::opcode::pong, e.payload);
                break;
            case kind::pong:
                break;
            case kind::close: {
                close_info info;
                info.local = state_ == state::closing;
                info.code = e.code;  // 1005 when the server gave none
                info.reason.assign(e.payload);
                if (state_ == state::open) {
                    // Echo the close, then let the server end the TCP connection.
                    std::string reply;
                    if (info.code == 1005) {
                        codec_.encode(reply, ws_frame_codec::opcode::close,
                                      {});  // 1005 is never sent
                    } else {
                        codec_.encode_close(reply, info.code, {});
                    }
                    out_ += reply;
                    state_ = state::closing;
                    schedule_flush();
                }
                closing_ = info;
                timer_.expires_after(options_->close_timeout);
                timer_.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
                    self->on_timer(ec, gen);
                });
                in_used_ = 0;
                return;
            }
        }
        if (gen != generation_ || state_ == state::closed) return;
    }
    if (pos > 0) {
        std::memmove(in_.data(), in_.data() + pos, in_used_ - pos);
        in_used_ -= pos;
    }
    // A burst grew the buffer; do not keep it for the life of an idle connection.
    if (in_used_ == 0 && in_.size() > 65536) in_.assign(4096, 0);
}

void ws_transport::deliver(std::string_view message) {
    if (listener_ == nullptr || state_ != state::open) return;
    if (options_->framing == ws_framing::plain) return listener_->on_text(message);
    on_socketio_packet(message);
}

void ws_transport::on_socketio_packet(std::string_view packet) {
    if (packet.empty()) return;
    switch (packet[0]) {
        case '0':  // Engine.IO open: join the default namespace
            return queue_frame(ws_frame_codec::opcode::text, "40");
        case '2':  // Engine.IO ping: the server drops a client that does not answer
            return queue_frame(ws_frame_codec::opcode::text, "3");
        case '4':
            break;
        default:
            return;
    }
    if (packet.starts_with("40")) {
        listener_->on_open();  // joined: now the protocol client may register
        return;
    }
    if (packet.starts_with(socketio_event_prefix) && packet.back() == ']') {
        packet.remove_prefix(socketio_event_prefix.size());
        packet.remove_suffix(1);
        listener_->on_text(packet);
    }
    // Anything else (another event, a namespace error) is not ours; the server
    // closes the WebSocket when it ends the session.
}

void ws_transport::on_timer(boost::system::error_code ec, unsigned gen) {
    if (ec || gen != generation_) return;
    if (state_ == state::connecting || state_ == state::upgrading) {
        finish({1006, "connect timed out", false});
    } else if (state_ == state::closing) {
        finish(closing_.reason.empty() && closing_.code == 1006
                   ? close_info{1006, "close not answered in time", true}
                   : closing_);
    }
}

void ws_transport::queue_frame(ws_frame_codec::opcode op, std::string_view payload) {
    codec_.encode(out_, op, payload);
    schedule_flush();
}

bool ws_transport::send(std::string_view text) {
    if (state_ != state::open) return false;
    if (out_.size() + writing_.size() > options_->max_outbound_bytes) return false;
    if (options_->framing == ws_framing::socketio) {
        wrapped_.assign(socketio_event_prefix);
        wrapped_ += text;
        wrapped_ += ']';
        queue_frame(ws_frame_codec::opcode::text, wrapped_);
        return true;
    }
    queue_frame(ws_frame_codec::opcode::text, text);
    return true;
}

void ws_transport::schedule_flush() {
    if (write_in_flight_ || flush_posted_) return;
    flush_posted_ = true;
    // Posted, not written at once: every frame queued by the handler that is
    // running now joins this one write.
    unsigned gen = generation_;
    asio::post(io_, [self = shared_from_this(), gen] {
        if (gen != self->generation_) return;
        self->flush_posted_ = false;
        self->flush();
    });
}

void ws_transport::flush() {
    if (write_in_flight_ || out_.empty() || state_ == state::closed || state_ == state::idle)
        return;
    writing_.swap(out_);
    out_.clear();
    write_in_flight_ = true;
    unsigned gen = generation_;
    write_out([self = shared_from_this(), gen](boost::system::error_code ec, std::size_t) {
        self->on_write(ec, gen);
    });
}

void ws_transport::on_write(boost::system::error_code ec, unsigned gen) {
    if (gen != generation_) return;
    write_in_flight_ = false;
    writing_.clear();
    if (ec) {
        if (state_ == state::closing && !closing_.reason.empty()) return finish(closing_);
        return finish({1006, "write: " + ec.message(), false});
    }
    if (!out_.empty()) flush();
}

void ws_transport::close() {
    if (state_ == state::open) {
        state_ = state::closing;
        closing_ = {1000, "", true};
        closing_.reason.clear();
        codec_.encode_close(out_, 1000, "bye");
        schedule_flush();
        unsigned gen = generation_;
        timer_.expires_after(options_->close_timeout);
        timer_.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
            self->on_timer(ec, gen);
        });
    } else if (state_ == state::connecting || state_ == state::upgrading) {
        finish({1006, "closed before it opened", true});
    }
}

void ws_transport::cut() {
    if (state_ == state::closed || state_ == state::idle) return;
    finish({1006, "cut", true});
}

void ws_transport::finish(close_info info) {
    if (state_ == state::closed || state_ == state::idle) return;
    state_ = state::closed;
    ++generation_;  // every pending handler of this connection now stops
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
    if (tls_) tls_->next_layer().close(ignored);  // no close_notify: the WebSocket close said it
    // The buffers of a write or read that close() just aborted are left alone:
    // open() resets them.
    out_.clear();
    write_in_flight_ = false;
    in_.clear();
    in_.shrink_to_fit();
    in_used_ = 0;
    reader_ = ws_reader(options_->max_frame_bytes, false);  // and its memory
    if (listener_ != nullptr) listener_->on_closed(info);
}

}  // namespace switchboard::client
