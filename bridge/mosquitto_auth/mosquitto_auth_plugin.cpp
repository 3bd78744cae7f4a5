// switchboard_mosquitto_auth.so: a mosquitto 2.0 plugin (API version 5) that
// lets the gateway's config decide who may connect to the broker and which
// topics each client may touch (docs/mqtt.md, "Broker authentication").
// Every decision is core's mqtt_access; this file only adapts mosquitto's
// events to it and remembers, per connected client, the role its credential
// carries (mosquitto keeps no plugin data per client).
//
// Options (plugin_opt_* lines after `plugin`):
//   config                  the gateway's JSON config file (required)
//   gateway_username        the gateway's MQTT user; default: its mqtt.username
//   gateway_password_file   a file holding that user's password (trailing
//                           newline ignored); default: its mqtt.password
//
// Threads: mosquitto 2.0 calls plugins from its one main thread only.

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include <chrono>
#include <exception>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>

#include "core/config_overrides.hpp"
#include "core/gateway_config.hpp"
#include "core/mqtt_access.hpp"

#define SWITCHBOARD_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using switchboard::mqtt_access;
using switchboard::mqtt_identity;

struct plugin_state {
    mosquitto_plugin_id_t* id = nullptr;
    std::unique_ptr<mqtt_access> access;
    struct connected {
        const mosquitto* client = nullptr;  // compared only, never dereferenced
        mqtt_identity identity;
    };
    // By user name (or client ID when anonymous), which login made equal to
    // the client ID for every client but the gateway: at most one per name.
    std::unordered_map<std::string, connected> clients;
};

std::string read_password_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read gateway_password_file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    std::string password = text.str();
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
        password.pop_back();
    }
    return password;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

const char* or_empty(const char* s) { return s != nullptr ? s : ""; }

// The identity login gave this client; none if it is not the connection
// that logged in under its name.
const mqtt_identity* identity_of(const plugin_state& state, const mosquitto* client) {
    const char* username = mosquitto_client_username(client);
    const char* name = username != nullptr ? username : mosquitto_client_id(client);
    if (name == nullptr) return nullptr;
    if (state.access->gateway_username() == name && username != nullptr) {
        static const mqtt_identity gateway{mqtt_identity::kind::gateway, {}, std::nullopt};
        return &gateway;  // login let no other connection in under this name
    }
    auto it = state.clients.find(name);
    if (it == state.clients.end() || it->second.client != client) return nullptr;
    return &it->second.identity;
}

int on_basic_auth(int, void* event_data, void* userdata) {
    auto& state = *static_cast<plugin_state*>(userdata);
    auto* event = static_cast<mosquitto_evt_basic_auth*>(event_data);
    try {
        const char* client_id = or_empty(mosquitto_client_id(event->client));
        std::optional<std::string_view> username, password;
        if (event->username != nullptr) username = event->username;
        if (event->password != nullptr) password = event->password;
        auto login = state.access->login(username, password, client_id, unix_now());
        if (!login.identity) {
            mosquitto_log_printf(MOSQ_LOG_NOTICE, "switchboard: refused client '%s': %s", client_id,
                                 login.reason.c_str());
            return MOSQ_ERR_AUTH;
        }
        if (login.identity->who == mqtt_identity::kind::client) {
            std::string name = login.identity->id;
            state.clients[name] = {event->client, std::move(*login.identity)};
        }
        return MOSQ_ERR_SUCCESS;
    } catch (const std::exception& e) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "switchboard: login failed: %s", e.what());
        return MOSQ_ERR_AUTH;
    }
}

int on_acl_check(int, void* event_data, void* userdata) {
    auto& state = *static_cast<plugin_state*>(userdata);
    auto* event = static_cast<mosquitto_evt_acl_check*>(event_data);
    try {
        const mqtt_identity* who = identity_of(state, event->client);
        if (who == nullptr || event->topic == nullptr) return MOSQ_ERR_ACL_DENIED;
        std::string_view topic = event->topic;
        bool allowed = false;
        switch (event->access) {
            case MOSQ_ACL_SUBSCRIBE:
                allowed = state.access->may_subscribe(*who, topic);
                break;
            case MOSQ_ACL_UNSUBSCRIBE:
                allowed = true;
                break;
            case MOSQ_ACL_READ:
                allowed = state.access->may_read(*who, topic);
                break;
            case MOSQ_ACL_WRITE:
                allowed = state.access->may_write(
                    *who, topic,
                    std::string_view(static_cast<const char*>(event->payload), event->payloadlen));
                break;
            default:
                break;
        }
        if (!allowed && event->access != MOSQ_ACL_READ) {
            mosquitto_log_printf(MOSQ_LOG_NOTICE, "switchboard: denied '%s' %s on '%s'",
                                 or_empty(mosquitto_client_id(event->client)),
                                 event->access == MOSQ_ACL_WRITE ? "publish" : "subscribe",
                                 event->topic);
        }
        return allowed ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
    } catch (const std::exception& e) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "switchboard: ACL check failed: %s", e.what());
        return MOSQ_ERR_ACL_DENIED;
    }
}

int on_disconnect(int, void* event_data, void* userdata) {
    auto& state = *static_cast<plugin_state*>(userdata);
    auto* event = static_cast<mosquitto_evt_disconnect*>(event_data);
    const char* username = mosquitto_client_username(event->client);
    const char* name = username != nullptr ? username : mosquitto_client_id(event->client);
    if (name == nullptr) return MOSQ_ERR_SUCCESS;
    // Only while the entry is this connection's: a newer one with the same
    // ID may have logged in already. (Its Last Will, checked after this, is
    // an offline status, which needs no role.)
    auto it = state.clients.find(name);
    if (it != state.clients.end() && it->second.client == event->client) state.clients.erase(it);
    return MOSQ_ERR_SUCCESS;
}

}  // namespace

SWITCHBOARD_PLUGIN_EXPORT int mosquitto_plugin_version(int count, const int* versions) {
    for (int i = 0; i < count; ++i) {
        if (versions[i] == 5) return 5;
    }
    return -1;
}

SWITCHBOARD_PLUGIN_EXPORT int mosquitto_plugin_init(mosquitto_plugin_id_t* id, void** userdata,
                                                    mosquitto_opt* options, int option_count) {
    try {
        std::string config_path, username, password_file;
        bool username_set = false;
        for (int i = 0; i < option_count; ++i) {
            std::string_view key = or_empty(options[i].key);
            std::string value = or_empty(options[i].value);
            if (key == "config") {
                config_path = value;
            } else if (key == "gateway_username") {
                username = value;
                username_set = true;
            } else if (key == "gateway_password_file") {
                password_file = value;
            } else {
                throw std::runtime_error("unknown option plugin_opt_" + std::string(key));
            }
        }
        if (config_path.empty()) throw std::runtime_error("plugin_opt_config is required");
        switchboard::gateway_config config = switchboard::load_config(config_path);
        // The same secret sources as the gateway: the file, the files it
        // names, and SWITCHBOARD_JWT_SECRET in mosquitto's environment.
        switchboard::config_overrides environment;
        environment.jwt_secret = switchboard::jwt_secret_from_environment();
        environment.apply_to(config);
        if (!username_set) username = config.mqtt.username;
        std::string password =
            password_file.empty() ? config.mqtt.password : read_password_file(password_file);
        if (username.empty() || password.empty()) {
            throw std::runtime_error(
                "the gateway's MQTT user needs a name and a password (mqtt.username and "
                "mqtt.password, or plugin_opt_gateway_username and "
                "plugin_opt_gateway_password_file)");
        }
        auto state = std::make_unique<plugin_state>();
        state->id = id;
        state->access = std::make_unique<mqtt_access>(config, username, password);
        int rc = mosquitto_callback_register(id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, nullptr,
                                             state.get());
        if (rc == MOSQ_ERR_SUCCESS) {
            rc = mosquitto_callback_register(id, MOSQ_EVT_ACL_CHECK, on_acl_check, nullptr,
                                             state.get());
        }
        if (rc == MOSQ_ERR_SUCCESS) {
            rc = mosquitto_callback_register(id, MOSQ_EVT_DISCONNECT, on_disconnect, nullptr,
                                             state.get());
        }
        if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error("cannot register its callbacks");
        mosquitto_log_printf(
            MOSQ_LOG_INFO, "switchboard: clients authenticated by %s (auth %s, gateway user %s)",
            config_path.c_str(), state->access->auth_required() ? "required" : "disabled",
            username.c_str());
        *userdata = state.release();
        return MOSQ_ERR_SUCCESS;
    } catch (const std::exception& e) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "switchboard: plugin not started: %s", e.what());
        return MOSQ_ERR_UNKNOWN;
    }
}

SWITCHBOARD_PLUGIN_EXPORT int mosquitto_plugin_cleanup(void* userdata, mosquitto_opt*, int) {
    std::unique_ptr<plugin_state> state(static_cast<plugin_state*>(userdata));
    if (state) {
        mosquitto_callback_unregister(state->id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, nullptr);
        mosquitto_callback_unregister(state->id, MOSQ_EVT_ACL_CHECK, on_acl_check, nullptr);
        mosquitto_callback_unregister(state->id, MOSQ_EVT_DISCONNECT, on_disconnect, nullptr);
    }
    return MOSQ_ERR_SUCCESS;
}
