#include "tls_handover.hpp"

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <cstring>
#include <string_view>

#include "core/hex_digit.hpp"

namespace switchboard {

namespace {

struct watched {
    tls13_secret client{};
    tls13_secret server{};
    std::size_t client_length = 0;
    std::size_t server_length = 0;
    bool client_finished = false;  // read: the client's records since are under its traffic key
    bool server_finished = false;  // written: ours since are under our traffic key
    bool key_update = false;
    std::uint64_t records_read = 0;
    std::uint64_t records_written = 0;
};

void free_watched(void*, void* state, CRYPTO_EX_DATA*, int, long, void*) {
    if (state == nullptr) return;
    auto* w = static_cast<watched*>(state);
    OPENSSL_cleanse(w, sizeof *w);
    delete w;
}

int state_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_watched);
    return index;
}

watched* state_of(const SSL* ssl) {
    return static_cast<watched*>(SSL_get_ex_data(ssl, state_index()));
}

watched* state_made(SSL* ssl) {
    watched* w = state_of(ssl);
    if (w == nullptr) {
        w = new watched;
        if (SSL_set_ex_data(ssl, state_index(), w) != 1) {
            delete w;
            return nullptr;
        }
    }
    return w;
}

void on_message(int write_p, int, int content_type, const void* buf, std::size_t len, SSL* ssl,
                void*) {
    watched* w = state_made(ssl);
    if (w == nullptr) return;
    const auto* bytes = static_cast<const unsigned char*>(buf);
    if (content_type == SSL3_RT_HEADER) {
        // Every record's header, read or written, once it is on the wire.
        if (write_p != 0 && w->server_finished) ++w->records_written;
        if (write_p == 0 && w->client_finished) ++w->records_read;
    } else if (content_type == SSL3_RT_HANDSHAKE && len > 0) {
        // A message is reported after the record that carried it.
        if (bytes[0] == SSL3_MT_FINISHED) {
            (write_p != 0 ? w->server_finished : w->client_finished) = true;
        } else if (bytes[0] == SSL3_MT_KEY_UPDATE) {
            w->key_update = true;
        }
    }
}

bool from_hex(std::string_view hex, tls13_secret& out, std::size_t& length) {
    if (hex.size() % 2 != 0 || hex.size() / 2 > out.size()) return false;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int high = hex_digit_value(hex[i]);
        const int low = hex_digit_value(hex[i + 1]);
        if (high < 0 || low < 0) return false;
        out[i / 2] = static_cast<unsigned char>(high << 4 | low);
    }
    length = hex.size() / 2;
    return true;
}

// "<LABEL> <client random> <secret>", in hex (NSS's key log format).
void on_keylog(const SSL* ssl, const char* line) {
    watched* w = state_made(const_cast<SSL*>(ssl));
    if (w == nullptr) return;
    const std::string_view text(line);
    const std::size_t label_end = text.find(' ');
    const std::size_t random_end = text.find(' ', label_end + 1);
    if (label_end == std::string_view::npos || random_end == std::string_view::npos) return;
    const std::string_view label = text.substr(0, label_end);
    const std::string_view secret = text.substr(random_end + 1);
    if (label == "CLIENT_TRAFFIC_SECRET_0") {
        if (!from_hex(secret, w->client, w->client_length)) w->client_length = 0;
    } else if (label == "SERVER_TRAFFIC_SECRET_0") {
        if (!from_hex(secret, w->server, w->server_length)) w->server_length = 0;
    }
}

}  // namespace

void watch_handshakes(SSL_CTX* context) {
    SSL_CTX_set_keylog_callback(context, &on_keylog);
    SSL_CTX_set_msg_callback(context, &on_message);
}

void forget_handover(SSL* ssl) {
    SSL_set_msg_callback(ssl, nullptr);
    free_watched(nullptr, state_of(ssl), nullptr, 0, 0, nullptr);
    SSL_set_ex_data(ssl, state_index(), nullptr);
}

std::optional<tls_handover> take_handover(SSL* ssl) {
    std::optional<tls_handover> handover;
    const watched* w = state_of(ssl);
    const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
    if (w != nullptr && cipher != nullptr && SSL_version(ssl) == TLS1_3_VERSION &&
        w->client_finished && w->server_finished && !w->key_update && SSL_pending(ssl) == 0 &&
        SSL_has_pending(ssl) == 0) {
        const auto suite = tls13_suite::of(SSL_CIPHER_get_protocol_id(cipher));
        if (suite && w->client_length == suite->secret_length &&
            w->server_length == suite->secret_length) {
            handover.emplace();
            handover->suite = *suite;
            handover->read = {w->client, w->records_read};
            handover->write = {w->server, w->records_written};
        }
    }
    forget_handover(ssl);
    return handover;
}

}  // namespace switchboard
