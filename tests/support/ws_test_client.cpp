#include "ws_test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <future>

namespace switchboard::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct client_io::impl {
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::thread thread{[this] { io.run(); }};
};

client_io::client_io() : impl_(std::make_unique<impl>()) {}

client_io::~client_io() {
    impl_->work.reset();
    impl_->thread.join();
}

asio::io_context& client_io::context() { return impl_->io; }

// Shared with its pending handlers, so it outlives the client object.
struct ws_test_client::impl : std::enable_shared_from_this<impl> {
    explicit impl(asio::io_context& context) : io(context), ws(context) {}

    asio::io_context& io;
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;

    mutable std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::string> inbox;
    std::size_t received = 0;
    bool is_closed = false;
    unsigned short close_code = 0;
    bool paused = false;
    ws_test_client::frame_handler handler;
    ws_test_client* owner = nullptr;

    std::deque<std::pair<std::string, bool>> outbox;  // (bytes, text); I/O thread only
    bool writing = false;

    bool reading = false;  // a read is pending: its handler still holds us

    void read_loop() {
        {
            std::lock_guard lock(mutex);
            reading = true;
        }
        ws.async_read(buffer, [this, self = shared_from_this()](beast::error_code ec, std::size_t) {
            std::unique_lock lock(mutex);
            reading = false;
            if (ec) {
                is_closed = true;
                close_code =
                    ws.reason().code != 0 ? static_cast<unsigned short>(ws.reason().code) : 1006;
                changed.notify_all();
                return;
            }
            ++received;
            std::string text = beast::buffers_to_string(buffer.data());
            buffer.consume(buffer.size());
            changed.notify_all();
            if (handler) {
                lock.unlock();
                handler(json::parse(text, nullptr, false), *owner);
                lock.lock();
            } else {
                inbox.push_back(std::move(text));
                changed.notify_all();
            }
            if (paused) return;
            lock.unlock();
            read_loop();
        });
    }

    void write_next() {
        if (writing || outbox.empty()) return;
        writing = true;
        ws.binary(!outbox.front().second);
        ws.async_write(asio::buffer(outbox.front().first),
                       [this, self = shared_from_this()](beast::error_code ec, std::size_t) {
                           writing = false;
                           outbox.pop_front();
                           if (ec) {
                               outbox.clear();
                               return;
                           }
                           write_next();
                       });
    }
};

ws_test_client::ws_test_client(unsigned short port, client_options options, client_io* io) {
    if (io == nullptr) {
        own_io_ = std::make_unique<client_io>();
        io = own_io_.get();
    }
    impl_ = std::make_shared<impl>(io->context());
    try {
        tcp::resolver resolver(impl_->io);
        auto& lowest = beast::get_lowest_layer(impl_->ws);
        lowest.expires_after(5s);
        lowest.connect(tcp::endpoint(asio::ip::make_address(options.host), port));
        if (options.receive_buffer_bytes > 0) {
            lowest.socket().set_option(
                asio::socket_base::receive_buffer_size(options.receive_buffer_bytes));
        }
        impl_->ws.set_option(
            websocket::stream_base::decorator([options](websocket::request_type& req) {
                for (const auto& [name, value] : options.headers) req.set(name, value);
                if (!options.subprotocol.empty()) {
                    req.set(beast::http::field::sec_websocket_protocol, options.subprotocol);
                }
            }));
        impl_->ws.read_message_max(64 << 20);
        if (options.deflate) {
            websocket::permessage_deflate deflate;
            deflate.client_enable = true;
            impl_->ws.set_option(deflate);
        }
        websocket::response_type res;
        impl_->ws.handshake(res, options.host + ":" + std::to_string(port), options.target);
        lowest.expires_never();
        subprotocol_ = std::string(res[beast::http::field::sec_websocket_protocol]);
        connected_ = true;
    } catch (const std::exception& e) {
        upgrade_error_ = e.what();
        impl_->is_closed = true;
        return;
    }
    impl_->ws.text(true);
    asio::post(impl_->io, [self = impl_] { self->read_loop(); });
}

ws_test_client::~ws_test_client() {
    cut();
    // Let a pending read end, so the stream goes before the I/O it belongs to.
    {
        std::unique_lock lock(impl_->mutex);
        impl_->changed.wait_for(lock, 5s, [&] { return !impl_->reading; });
    }
    impl_.reset();
    own_io_.reset();  // joins its thread, if it is ours
}

void ws_test_client::send_text(std::string text) {
    asio::post(impl_->io, [self = impl_, t = std::move(text)]() mutable {
        self->outbox.emplace_back(std::move(t), true);
        self->write_next();
    });
}

void ws_test_client::send_binary(std::string bytes) {
    asio::post(impl_->io, [self = impl_, b = std::move(bytes)]() mutable {
        self->outbox.emplace_back(std::move(b), false);
        self->write_next();
    });
}

std::optional<json> ws_test_client::receive(std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    if (!impl_->changed.wait_for(lock, timeout,
                                 [&] { return !impl_->inbox.empty() || impl_->is_closed; })) {
        return std::nullopt;
    }
    if (impl_->inbox.empty()) return std::nullopt;
    std::string text = std::move(impl_->inbox.front());
    impl_->inbox.pop_front();
    lock.unlock();
    json frame = json::parse(text, nullptr, false);
    if (frame.is_discarded()) return json{{"type", "<not json>"}, {"text", text}};
    return frame;
}

std::optional<json> ws_test_client::receive_type(const std::string& type,
                                                 std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto frame = receive(left);
        if (!frame) return std::nullopt;
        if (frame->value("type", "") == type) return frame;
    }
}

bool ws_test_client::quiet_for(std::chrono::milliseconds window) {
    std::unique_lock lock(impl_->mutex);
    return !impl_->changed.wait_for(lock, window, [&] { return !impl_->inbox.empty(); });
}

std::optional<unsigned short> ws_test_client::wait_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    if (!impl_->changed.wait_for(lock, timeout, [&] { return impl_->is_closed; }))
        return std::nullopt;
    return impl_->close_code;
}

bool ws_test_client::closed() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->is_closed;
}

json ws_test_client::register_as(const std::string& id, const std::string& role, json extra) {
    json frame = std::move(extra);
    frame["type"] = "register";
    frame["id"] = id;
    frame["role"] = role;
    send(frame);
    auto answer = receive();
    return answer ? *answer : json{{"type", "<nothing>"}};
}

void ws_test_client::set_handler(frame_handler handler) {
    std::lock_guard lock(impl_->mutex);
    impl_->owner = this;
    impl_->handler = std::move(handler);
}

void ws_test_client::pause_reading() {
    std::lock_guard lock(impl_->mutex);
    impl_->paused = true;
}

void ws_test_client::close() {
    asio::post(impl_->io, [self = impl_] {
        self->ws.async_close(websocket::close_code::normal, [self](beast::error_code) {});
    });
}

void ws_test_client::cut() {
    asio::post(impl_->io, [self = impl_] {
        beast::error_code ignored;
        beast::get_lowest_layer(self->ws).socket().close(ignored);
    });
}

std::size_t ws_test_client::frames_received() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->received;
}

}  // namespace switchboard::test
