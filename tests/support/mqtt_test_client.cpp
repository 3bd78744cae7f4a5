#include "mqtt_test_client.hpp"

#include <mqtt/async_client.h>

namespace switchboard::test {

std::string online_status(const std::string& role, nlohmann::json meta) {
    return nlohmann::json{{"online", true}, {"role", role}, {"meta", std::move(meta)}}.dump();
}

mqtt_client_options registering_client(const std::string& id, const std::string& role) {
    mqtt_client_options o;
    o.client_id = id;
    o.subscriptions = {"sb/" + id + "/in"};
    o.status_topic = "sb/" + id + "/status";
    o.status_payload = online_status(role);
    return o;
}

mqtt_test_client::mqtt_test_client(const std::string& url, mqtt_client_options options)
    : options_(std::move(options)) {
    // Paho's default queue (100 publishes) refuses an answering device's
    // burst once the broker's receive maximum (MQTT 5) holds the rest back.
    client_ = std::make_unique<mqtt::async_client>(
        url, options_.client_id, mqtt::create_options(options_.version, 100000), nullptr);
    // Paho's thread: record and publish without waiting on any token.
    client_->set_connected_handler([this](const std::string&) { on_connected(); });
    client_->set_message_callback([this](mqtt::const_message_ptr m) {
        message copy{m->get_topic(), m->get_payload_str(), {}};
        const mqtt::properties& props = m->get_properties();
        for (std::size_t i = 0, n = props.count(mqtt::property::USER_PROPERTY); i < n; ++i) {
            auto [name, value] =
                mqtt::get<mqtt::string_pair>(props, mqtt::property::USER_PROPERTY, i);
            copy.user_properties.emplace_back(std::move(name), std::move(value));
        }
        on_message(std::move(copy));
    });
}

mqtt_test_client::~mqtt_test_client() {
    try {
        if (client_->is_connected()) client_->disconnect(0)->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception&) {
    }
    // Paho refuses while a (re)connect is in progress; the callbacks use
    // `this`, so keep asking, a bounded number of times.
    for (int attempt = 0; attempt < 200; ++attempt) {
        try {
            client_->disable_callbacks();
            return;
        } catch (const mqtt::exception&) {
            std::unique_lock lock(mutex_);
            changed_.wait_for(lock, std::chrono::milliseconds(10));
        }
    }
}

void mqtt_test_client::on_connected() {
    // The first connection is set up by connect(), which waits for the
    // SUBACKs; reconnections are set up here, without waiting (Paho's thread).
    if (setup_done_.load()) try {
            for (const auto& t : options_.subscriptions) client_->subscribe(t, 1);
            if (!options_.status_topic.empty()) {
                client_->publish(options_.status_topic, options_.status_payload.data(),
                                 options_.status_payload.size(), 1, true);
            }
        } catch (const mqtt::exception&) {
        }
    std::lock_guard lock(mutex_);
    ++connections_;
    changed_.notify_all();
}

void mqtt_test_client::on_message(message m) {
    if (!options_.answer_topic.empty() && m.topic.ends_with("/in")) {
        auto frame = nlohmann::json::parse(m.payload, nullptr, false);
        if (frame.is_object() && frame.value("type", "") == "command") {
            nlohmann::json response{{"type", "response"},
                                    {"to", frame.value("from", "")},
                                    {"id", frame.value("id", "")},
                                    {"ok", true},
                                    {"result", {{"done", frame.value("name", "")}}}};
            std::string text = response.dump();
            bool sent = true;
            try {
                client_->publish(options_.answer_topic, text.data(), text.size(), 1, false);
            } catch (const mqtt::exception&) {
                sent = false;
            }
            std::lock_guard lock(mutex_);
            ++(sent ? answered_ : answers_refused_);
        }
    }
    std::lock_guard lock(mutex_);
    inbox_.push_back(std::move(m));
    changed_.notify_all();
}

bool mqtt_test_client::connect(std::chrono::milliseconds timeout) {
    mqtt::connect_options_builder b;
    b.mqtt_version(options_.version)
        .connect_timeout(timeout)
        .keep_alive_interval(std::chrono::seconds(5));
    if (options_.version == 5) {
        b.clean_start(true);
    } else {
        b.clean_session(true);
    }
    if (!options_.username.empty()) b.user_name(options_.username);
    if (!options_.password.empty()) b.password(options_.password);
    if (options_.will && !options_.status_topic.empty()) {
        b.will(mqtt::message(options_.status_topic, std::string(R"({"online":false})"), 1, true));
    }
    if (options_.auto_reconnect) {
        b.automatic_reconnect(std::chrono::milliseconds(50), std::chrono::milliseconds(500));
    }
    int before = 0;
    {
        std::lock_guard lock(mutex_);
        before = connections_;
    }
    try {
        if (!client_->connect(b.finalize())->wait_for(timeout)) return false;
        for (const auto& t : options_.subscriptions) {
            if (!client_->subscribe(t, 1)->wait_for(timeout)) return false;
        }
        if (!options_.status_topic.empty() &&
            !publish(options_.status_topic, options_.status_payload, 1, true, timeout)) {
            return false;
        }
    } catch (const mqtt::exception&) {
        return false;
    }
    setup_done_ = true;
    return wait_connections(before + 1, timeout);
}

bool mqtt_test_client::publish(const std::string& topic, const std::string& payload, int qos,
                               bool retained, std::chrono::milliseconds timeout) {
    return publish_message(mqtt::make_message(topic, payload, qos, retained), timeout);
}

bool mqtt_test_client::publish_with_properties(const std::string& topic,
                                               const nlohmann::json& frame,
                                               const std::vector<user_property>& properties,
                                               std::chrono::milliseconds timeout) {
    auto message = mqtt::make_message(topic, frame.dump(), 1, false);
    mqtt::properties props;
    for (const auto& [name, value] : properties) {
        props.add(mqtt::property(mqtt::property::USER_PROPERTY, name, value));
    }
    message->set_properties(std::move(props));
    return publish_message(std::move(message), timeout);
}

bool mqtt_test_client::publish_message(std::shared_ptr<mqtt::message> m,
                                       std::chrono::milliseconds timeout) {
    try {
        auto token = client_->publish(std::move(m));
        if (!token->wait_for(timeout)) return false;
        return token->get_reason_code() < 0x80;
    } catch (const mqtt::exception&) {
        return false;
    }
}

bool mqtt_test_client::subscribe(const std::string& filter, std::chrono::milliseconds timeout) {
    // Paho fails the token on a refusing SUBACK (0x80 and up); its reason
    // codes are not read here: Paho 1.2 may fill them after wait_for returns.
    try {
        return client_->subscribe(filter, 1)->wait_for(timeout);
    } catch (const mqtt::exception&) {
        return false;
    }
}

std::optional<mqtt_test_client::message> mqtt_test_client::receive(
    std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return !inbox_.empty(); })) return std::nullopt;
    message m = std::move(inbox_.front());
    inbox_.pop_front();
    return m;
}

std::optional<nlohmann::json> mqtt_test_client::receive_type(const std::string& type,
                                                             std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto m = receive(left);
        if (!m) return std::nullopt;
        auto frame = nlohmann::json::parse(m->payload, nullptr, false);
        if (frame.is_object() && frame.value("type", "") == type) return frame;
    }
}

bool mqtt_test_client::quiet_for(std::chrono::milliseconds window) {
    std::unique_lock lock(mutex_);
    return !changed_.wait_for(lock, window, [&] { return !inbox_.empty(); });
}

bool mqtt_test_client::wait_connections(int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return connections_ >= n; });
}

void mqtt_test_client::disconnect() {
    try {
        client_->disconnect()->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception&) {
    }
}

int mqtt_test_client::commands_answered() const {
    std::lock_guard lock(mutex_);
    return answered_;
}

int mqtt_test_client::answers_refused() const {
    std::lock_guard lock(mutex_);
    return answers_refused_;
}

}  // namespace switchboard::test
