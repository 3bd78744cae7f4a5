#include "mqtt_transport.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/outbound_frame.hpp"

namespace switchboard::client {

namespace asio = boost::asio;

namespace {

constexpr std::string_view offline_status = R"({"online":false})";
// Reads handled in one go before yielding the thread to other connections.
constexpr int reads_per_turn = 64;

void init_library() {
    static std::once_flag once;
    std::call_once(once, [] { mosquitto_lib_init(); });
}

// Why a loop call failed, in words: errno for system errors.
std::string describe(int rc) {
    if (rc == MOSQ_ERR_ERRNO) return std::strerror(errno);
    return mosquitto_strerror(rc);
}

}  // namespace

mqtt_transport::mqtt_transport(asio::io_context& io, std::shared_ptr<const mqtt_options> options,
                               std::string id, std::string role, std::string meta_json,
                               mqtt_credentials credentials)
    : io_(io),
      options_(std::move(options)),
      address_(parse_mqtt_url(options_->server_uri)),
      id_(std::move(id)),
      role_(std::move(role)),
      meta_json_(std::move(meta_json)),
      credentials_(std::move(credentials)),
      socket_(io),
      timer_(io) {
    in_topic_ = options_->prefix + "/" + id_ + "/in";
    out_topic_ = options_->prefix + "/" + id_ + "/out";
    status_topic_ = options_->prefix + "/" + id_ + "/status";
}

mqtt_transport::~mqtt_transport() {
    listener_ = nullptr;
    destroy_client();
}

void mqtt_transport::destroy_client() {
    release_socket();
    if (client_ != nullptr) {
        mosquitto_destroy(client_);  // closes the socket; the broker publishes the Will
        client_ = nullptr;
    }
}

void mqtt_transport::release_socket() {
    // libmosquitto owns the descriptor: Asio only lets go of it (and aborts its waits).
    if (socket_.is_open()) socket_.release();
    read_armed_ = write_armed_ = false;
}

void mqtt_transport::open(transport_listener& listener) {
    listener_ = &listener;
    ++generation_;
    state_ = state::connecting;
    cutting_ = false;
    refused_reason_ = 0;
    destroy_client();  // a fresh client per connection: nothing of the last one lingers
    init_library();
    client_ = mosquitto_new(id_.c_str(), true, this);
    auto fail = [&](std::string why) {
        destroy_client();
        state_ = state::closing;
        ended({1006, "connect: " + why, false});
    };
    if (client_ == nullptr) return fail("cannot create a client (out of memory?)");
    mosquitto_int_option(client_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    // Else each PUBLISH that follows a PUBACK waits for the broker's delayed ACK.
    mosquitto_int_option(client_, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_v5_callback_set(client_, &mqtt_transport::on_connect);
    mosquitto_subscribe_v5_callback_set(client_, &mqtt_transport::on_subscribe);
    mosquitto_message_v5_callback_set(client_, &mqtt_transport::on_message);
    mosquitto_disconnect_v5_callback_set(client_, &mqtt_transport::on_disconnect);
    mosquitto_will_set_v5(client_, status_topic_.c_str(), static_cast<int>(offline_status.size()),
                          offline_status.data(), options_->qos, true, nullptr);
    if (!credentials_.username.empty()) {
        mosquitto_username_pw_set(
            client_, credentials_.username.c_str(),
            credentials_.password.empty() ? nullptr : credentials_.password.c_str());
    }
    int rc = mosquitto_connect_bind_async(client_, address_.host.c_str(), address_.port,
                                          static_cast<int>(options_->keep_alive.count()), nullptr);
    if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_CONN_PENDING) return fail(describe(rc));
    socket_.assign(mosquitto_socket(client_));
    unsigned gen = generation_;
    timer_.expires_after(options_->connect_timeout);
    timer_.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
        self->on_timer(ec, gen);
    });
    watch();
}

void mqtt_transport::watch() {
    if (!socket_.is_open() || client_ == nullptr) return;
    unsigned gen = generation_;
    if (!read_armed_) {
        read_armed_ = true;
        socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                           [self = shared_from_this(), gen](boost::system::error_code ec) {
                               self->on_ready(ec, false, gen);
                           });
    }
    if (!write_armed_ && mosquitto_want_write(client_)) {
        write_armed_ = true;
        socket_.async_wait(asio::posix::stream_descriptor::wait_write,
                           [self = shared_from_this(), gen](boost::system::error_code ec) {
                               self->on_ready(ec, true, gen);
                           });
    }
}

void mqtt_transport::on_ready(boost::system::error_code ec, bool writable, unsigned gen) {
    if (gen != generation_) return;
    (writable ? write_armed_ : read_armed_) = false;
    if (ec || client_ == nullptr) return;
    if (writable) {
        flush();
    } else {
        read_all(gen);
    }
    if (gen == generation_) watch();
}

void mqtt_transport::read_all(unsigned gen) {
    for (int i = 0; i < reads_per_turn; ++i) {
        errno = 0;
        int rc = mosquitto_loop_read(client_, 1);
        if (gen != generation_ || client_ == nullptr) return;
        if (rc != MOSQ_ERR_SUCCESS) return;  // on_disconnect has run
        bool drained = errno == EAGAIN || errno == EWOULDBLOCK;
        // What the callbacks queued (PUBACKs, answers) goes out now, not after another wait.
        if (mosquitto_want_write(client_)) flush();
        if (gen != generation_ || client_ == nullptr || drained) return;
    }
    // More to read: let other connections of this thread run first, then continue.
    asio::post(io_, [self = shared_from_this(), gen] {
        if (gen != self->generation_ || self->client_ == nullptr) return;
        self->read_all(gen);
        if (gen == self->generation_) self->watch();
    });
}

void mqtt_transport::flush() {
    mosquitto_loop_write(client_, 1);  // a failure reaches on_disconnect
}

void mqtt_transport::on_connect(struct mosquitto*, void* self, int rc, int,
                                const mqtt5__property*) {
    auto& t = *static_cast<mqtt_transport*>(self);
    if (t.state_ != state::connecting) return;
    if (rc != 0) {
        // Refused by the broker; on_disconnect follows with the loop's error.
        t.refused_reason_ = rc;
        return;
    }
    // The inbox first: the online status is what makes the gateway route commands
    // here, so it goes out only once the subscription that hears them is in place.
    mosquitto_subscribe_v5(t.client_, nullptr, t.in_topic_.c_str(), t.options_->qos, 0, nullptr);
}

void mqtt_transport::on_subscribe(struct mosquitto*, void* self, int, int count, const int* granted,
                                  const mqtt5__property*) {
    auto& t = *static_cast<mqtt_transport*>(self);
    if (t.state_ != state::connecting) return;
    if (count < 1 || granted[0] > 2) {
        // The broker refused the inbox (its ACL): the device could never hear a command.
        close_info info;
        info.refusal = "MQTT SUBACK " + std::to_string(count < 1 ? 128 : granted[0]) + " " +
                       mosquitto_reason_string(count < 1 ? 128 : granted[0]);
        info.reason = "broker refused the inbox subscription: " + info.refusal;
        t.state_ = state::closing;
        t.ended(std::move(info));
        return;
    }
    std::string status = "{\"online\":true,\"role\":";
    append_json_string(status, t.role_);
    status += ",\"meta\":";
    status += t.meta_json_.empty() ? "{}" : t.meta_json_;
    status += '}';
    mosquitto_publish_v5(t.client_, nullptr, t.status_topic_.c_str(),
                         static_cast<int>(status.size()), status.data(), t.options_->qos, true,
                         nullptr);
    // Open (registered) before the status leaves this callback: whoever sees the
    // status online can count on the device having counted its registration.
    t.state_ = state::open;
    t.schedule_keepalive();
    if (t.listener_ != nullptr) t.listener_->on_open();
}

void mqtt_transport::on_message(struct mosquitto*, void* self, const mosquitto_message* message,
                                const mqtt5__property*) {
    auto& t = *static_cast<mqtt_transport*>(self);
    if (t.state_ != state::open || t.listener_ == nullptr || message->payloadlen <= 0) return;
    t.listener_->on_text(std::string_view(static_cast<const char*>(message->payload),
                                          static_cast<std::size_t>(message->payloadlen)));
}

void mqtt_transport::on_disconnect(struct mosquitto*, void* self, int rc, const mqtt5__property*) {
    auto& t = *static_cast<mqtt_transport*>(self);
    t.release_socket();
    if (t.state_ == state::closed || t.state_ == state::idle) return;
    bool ours = t.state_ == state::closing;
    close_info info;
    info.local = ours;
    if (ours) {
        info.code = t.cutting_ ? 1006 : 1000;
        info.reason = t.cutting_ ? "cut" : "";
    } else if (t.refused_reason_ != 0) {
        info.refusal = "MQTT CONNACK " + std::to_string(t.refused_reason_) + " " +
                       mosquitto_reason_string(t.refused_reason_);
        info.reason = "broker refused the connection: " + info.refusal;
    } else if (t.state_ == state::connecting) {
        info.reason = "connect: " + describe(rc);
    } else {
        info.reason = "connection lost: " + describe(rc);
    }
    t.state_ = state::closing;
    t.ended(std::move(info));
}

bool mqtt_transport::send(std::string_view text) { return publish_out(text, nullptr); }

bool mqtt_transport::send_traced(std::string_view text, std::string_view traceparent) {
    // The user property the gateway reads (docs/mqtt.md, "Tracing"); a
    // traceparent is 55 bytes, so the copies mosquitto wants are small.
    mosquitto_property* props = nullptr;
    std::string value(traceparent);
    if (mosquitto_property_add_string_pair(&props, MQTT_PROP_USER_PROPERTY, "traceparent",
                                           value.c_str()) != MOSQ_ERR_SUCCESS) {
        mosquitto_property_free_all(&props);
        return publish_out(text, nullptr);
    }
    bool sent = publish_out(text, props);
    mosquitto_property_free_all(&props);
    return sent;
}

bool mqtt_transport::publish_out(std::string_view text, const mqtt5__property* props) {
    if (state_ != state::open || client_ == nullptr) return false;
    int rc =
        mosquitto_publish_v5(client_, nullptr, out_topic_.c_str(), static_cast<int>(text.size()),
                             text.data(), options_->qos, false, props);
    if (rc != MOSQ_ERR_SUCCESS) return false;
    watch();  // what could not be written at once waits for the socket
    return true;
}

void mqtt_transport::close() {
    if (state_ == state::connecting) {
        destroy_client();
        state_ = state::closing;
        return ended({1006, "closed before it opened", true});
    }
    if (state_ != state::open) return;
    state_ = state::closing;
    // A graceful leave: the retained status says offline, and DISCONNECT drops the Will.
    mosquitto_publish_v5(client_, nullptr, status_topic_.c_str(),
                         static_cast<int>(offline_status.size()), offline_status.data(),
                         options_->qos, true, nullptr);
    mosquitto_disconnect_v5(client_, MQTT_RC_NORMAL_DISCONNECTION, nullptr);
    watch();  // the DISCONNECT, if it could not go out at once
}

void mqtt_transport::cut() {
    if (state_ == state::connecting) {
        destroy_client();
        state_ = state::closing;
        return ended({1006, "cut before it opened", true});
    }
    if (state_ != state::open) return;
    state_ = state::closing;
    cutting_ = true;
    // Reason code 4: the broker publishes the Will, as for a dropped device.
    mosquitto_disconnect_v5(client_, MQTT_RC_DISCONNECT_WITH_WILL_MSG, nullptr);
    watch();
}

void mqtt_transport::schedule_keepalive() {
    // libmosquitto sends PINGREQ, and notices a silent broker, only when asked.
    auto period = std::max<std::chrono::milliseconds>(
        std::chrono::milliseconds(500), std::chrono::milliseconds(options_->keep_alive) / 4);
    timer_.expires_after(period);
    unsigned gen = generation_;
    timer_.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
        self->on_timer(ec, gen);
    });
}

void mqtt_transport::on_timer(boost::system::error_code ec, unsigned gen) {
    if (ec || gen != generation_ || client_ == nullptr) return;
    if (state_ == state::connecting) {
        destroy_client();
        state_ = state::closing;
        return ended({1006, "connect timed out", false});
    }
    if (state_ != state::open && state_ != state::closing) return;
    if (mosquitto_loop_misc(client_) == MOSQ_ERR_SUCCESS && gen == generation_) {
        watch();
        schedule_keepalive();
    }
}

void mqtt_transport::ended(close_info info) {
    // Every later handler of this connection stops; the listener hears it from
    // a handler of its own, outside libmosquitto's call stack, so it may open
    // again at once.
    unsigned gen = ++generation_;
    timer_.cancel();
    asio::post(io_, [self = shared_from_this(), gen, info = std::move(info)] {
        if (gen != self->generation_ || self->state_ != state::closing) return;
        self->state_ = state::closed;
        self->destroy_client();  // already closed, unless it ended on our side mid-handshake
        if (self->listener_ != nullptr) self->listener_->on_closed(info);
    });
}

}  // namespace switchboard::client
