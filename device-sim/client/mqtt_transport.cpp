#include "mqtt_transport.hpp"

#include <mqtt/async_client.h>

#include <boost/asio/post.hpp>
#include <functional>

#include "core/outbound_frame.hpp"
#include "mqtt_socket.hpp"

// Paho C++ 1.2 builds disconnect options with C struct_version 0, and Paho C
// only reads the MQTT v5 reason code from version 1, so a disconnect "with
// Will message" (reason code 4) goes out as a plain DISCONNECT and the broker
// drops the Will. disconnect_options names this class a friend (for Paho's
// own unit tests), which is the one way to set the version from outside.
namespace mqtt {
class disconnect_options_test {
public:
    static void use_v5_fields(disconnect_options& options) { options.opts_.struct_version = 1; }
};
}  // namespace mqtt

namespace switchboard::client {

namespace asio = boost::asio;

namespace {
// Paho queues publishes it has not sent yet up to this bound (its default,
// 100, refuses a burst of answers from one busy device).
constexpr int max_queued_publishes = 10000;
}  // namespace

// An action listener forwarding to std::functions; Paho calls it on its thread.
struct mqtt_transport::action : mqtt::iaction_listener {
    std::function<void()> success;
    std::function<void(std::string)> failure;
    void on_success(const mqtt::token&) override { success(); }
    void on_failure(const mqtt::token& tok) override {
        failure("MQTT return code " + std::to_string(tok.get_return_code()));
    }
};

mqtt_transport::mqtt_transport(asio::io_context& io, std::shared_ptr<const mqtt_options> options,
                               std::string id, std::string role, std::string meta_json)
    : io_(io),
      options_(std::move(options)),
      id_(std::move(id)),
      role_(std::move(role)),
      meta_json_(std::move(meta_json)) {
    in_topic_ = options_->prefix + "/" + id_ + "/in";
    out_topic_ = options_->prefix + "/" + id_ + "/out";
    status_topic_ = options_->prefix + "/" + id_ + "/status";
}

mqtt_transport::~mqtt_transport() {
    if (!client_) return;
    client_->disable_callbacks();
    try {
        if (client_->is_connected())
            client_->disconnect(std::chrono::milliseconds(0))->wait_for(std::chrono::seconds(1));
    } catch (const std::exception&) {
        // Going away regardless.
    }
}

template <class Fn>
void mqtt_transport::post_self(Fn fn) {
    asio::post(io_, [weak = weak_from_this(), fn = std::move(fn)]() mutable {
        if (auto self = weak.lock()) fn(*self);
    });
}

void mqtt_transport::open(transport_listener& listener) {
    listener_ = &listener;
    state_ = state::connecting;
    cutting_ = false;
    try {
        if (!client_) {
            client_ = std::make_unique<mqtt::async_client>(
                options_->server_uri, id_,
                mqtt::create_options(MQTTVERSION_5, max_queued_publishes),
                static_cast<mqtt::iclient_persistence*>(nullptr));
            // Paho's threads: copy what arrived and hand it to ours at once.
            client_->set_message_callback(
                [this, weak = weak_from_this()](mqtt::const_message_ptr msg) {
                    auto self = weak.lock();
                    if (!self) return;
                    post_self([payload = msg->get_payload_str()](mqtt_transport& t) {
                        if (t.state_ == state::open && t.listener_ != nullptr)
                            t.listener_->on_text(payload);
                    });
                });
            client_->set_connection_lost_handler(
                [this, weak = weak_from_this()](const std::string& cause) {
                    auto self = weak.lock();
                    if (!self) return;
                    post_self([cause](mqtt_transport& t) { t.on_lost(cause); });
                });
            connect_action_ = std::make_unique<action>();
            subscribe_action_ = std::make_unique<action>();
            disconnect_action_ = std::make_unique<action>();
            connect_action_->success = [this] {
                post_self([](mqtt_transport& t) { t.on_connected(); });
            };
            connect_action_->failure = [this](std::string why) {
                post_self([why](mqtt_transport& t) { t.on_failed("connect: " + why); });
            };
            subscribe_action_->success = [this] {
                post_self([](mqtt_transport& t) { t.on_subscribed(); });
            };
            subscribe_action_->failure = [this](std::string why) {
                post_self([why](mqtt_transport& t) { t.on_failed("subscribe: " + why); });
            };
            disconnect_action_->success = [this] {
                post_self([](mqtt_transport& t) { t.on_disconnect_done(t.cutting_); });
            };
            disconnect_action_->failure = [this](std::string) {
                post_self([](mqtt_transport& t) { t.on_disconnect_done(t.cutting_); });
            };
        }
        std::string offline = R"({"online":false})";
        auto will = mqtt::message(status_topic_, offline, options_->qos, true);
        auto opts = mqtt::connect_options_builder()
                        .mqtt_version(MQTTVERSION_5)
                        .clean_start(true)
                        .keep_alive_interval(options_->keep_alive)
                        .connect_timeout(options_->connect_timeout)
                        .will(std::move(will))
                        .finalize();
        client_->connect(opts, nullptr, *connect_action_);
    } catch (const std::exception& e) {
        std::string why = e.what();
        post_self([why](mqtt_transport& t) { t.on_failed("connect: " + why); });
    }
}

void mqtt_transport::on_connected() {
    if (state_ != state::connecting) return;
    disable_nagle_towards(options_->server_uri);  // else a 40 ms stall per answer
    try {
        std::string status = "{\"online\":true,\"role\":";
        append_json_string(status, role_);
        status += ",\"meta\":";
        status += meta_json_.empty() ? "{}" : meta_json_;
        status += '}';
        client_->publish(status_topic_, status.data(), status.size(), options_->qos, true);
        client_->subscribe(in_topic_, options_->qos, nullptr, *subscribe_action_);
    } catch (const std::exception& e) {
        on_failed(std::string("after connect: ") + e.what());
    }
}

void mqtt_transport::on_subscribed() {
    if (state_ != state::connecting) return;
    state_ = state::open;
    if (listener_ != nullptr) listener_->on_open();
}

void mqtt_transport::on_failed(std::string why) {
    if (state_ != state::connecting) return;
    finish({1006, std::move(why), false});
}

void mqtt_transport::on_lost(std::string cause) {
    if (state_ == state::closed || state_ == state::idle) return;
    finish({1006, cause.empty() ? std::string("connection lost") : "connection lost: " + cause,
            false});
}

void mqtt_transport::on_disconnect_done(bool with_will) {
    if (state_ != state::closing) return;
    finish({static_cast<std::uint16_t>(with_will ? 1006 : 1000), with_will ? "cut" : "", true});
}

bool mqtt_transport::send(std::string_view text) {
    if (state_ != state::open) return false;
    try {
        client_->publish(out_topic_, text.data(), text.size(), options_->qos, false);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

void mqtt_transport::close() {
    if (state_ == state::connecting) return finish({1006, "closed before it opened", true});
    if (state_ != state::open) return;
    state_ = state::closing;
    try {
        // A graceful leave: the retained status says offline, and DISCONNECT drops the Will.
        std::string offline = R"({"online":false})";
        client_->publish(status_topic_, offline.data(), offline.size(), options_->qos, true);
        watch_disconnect(client_->disconnect(mqtt::disconnect_options()));
    } catch (const std::exception& e) {
        finish({1006, std::string("disconnect: ") + e.what(), true});
    }
}

void mqtt_transport::cut() {
    if (state_ == state::connecting) return finish({1006, "cut before it opened", true});
    if (state_ != state::open) return;
    state_ = state::closing;
    cutting_ = true;
    try {
        // Reason code 4: the broker publishes the Will, as for a dropped device.
        auto opts = mqtt::disconnect_options_builder()
                        .reason_code(mqtt::ReasonCode::DISCONNECT_WITH_WILL_MESSAGE)
                        .finalize();
        mqtt::disconnect_options_test::use_v5_fields(opts);
        watch_disconnect(client_->disconnect(opts));
    } catch (const std::exception& e) {
        finish({1006, std::string("cut: ") + e.what(), true});
    }
}

void mqtt_transport::watch_disconnect(const mqtt::token_ptr& token) {
    // This overload takes no listener, and one set afterwards misses a
    // completion that came first: check both ways (on_disconnect_done runs once).
    token->set_action_callback(*disconnect_action_);
    if (token->is_complete()) disconnect_action_->success();
}

void mqtt_transport::finish(close_info info) {
    if (state_ == state::closed || state_ == state::idle) return;
    state_ = state::closed;
    if (listener_ != nullptr) listener_->on_closed(info);
}

}  // namespace switchboard::client
