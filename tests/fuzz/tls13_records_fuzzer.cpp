// libFuzzer target: TLS 1.3 records after the hand-over (tls13_records), as
// a client could send them. The input is a list of steps: raw bytes put on
// the wire as they are, or an inner plaintext (content, type, padding: any
// bytes) sealed properly under the client's key, so the fuzzer reaches what
// lies past authentication: content types, padding, alerts, KeyUpdates. The
// wire is then opened in chunks of a size the first byte picks.
// Invariants, each a trap if broken: plaintext never exceeds the room asked
// for or the ciphertext given, nothing opens after an error or the end, and
// sealing still works (or reports) afterwards.

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tls13_records.hpp"

using namespace switchboard;

namespace {

// The client's side of the record layer, just enough to seal.
struct client_sealer {
    EVP_CIPHER_CTX* context = EVP_CIPHER_CTX_new();
    tls13_traffic_keys keys;
    std::uint64_t sequence = 0;
    client_sealer(const tls13_suite& suite, const tls13_secret& secret) {
        derive_traffic_keys(suite, {secret.data(), suite.secret_length}, keys);
        EVP_EncryptInit_ex2(context, suite.cipher, keys.key.data(), nullptr, nullptr);
    }
    ~client_sealer() { EVP_CIPHER_CTX_free(context); }
    void seal(const std::uint8_t* inner, std::size_t size, std::string& wire) {
        const std::size_t body = size + 16;
        unsigned char header[5] = {23, 3, 3, static_cast<unsigned char>(body >> 8),
                                   static_cast<unsigned char>(body)};
        unsigned char nonce[12];
        for (int i = 0; i < 12; ++i) nonce[i] = keys.iv[static_cast<std::size_t>(i)];
        for (int i = 0; i < 8; ++i)
            nonce[11 - i] ^= static_cast<unsigned char>(sequence >> (8 * i));
        ++sequence;
        std::vector<unsigned char> out(size + 16);
        int n = 0;
        EVP_EncryptInit_ex2(context, nullptr, nullptr, nonce, nullptr);
        EVP_EncryptUpdate(context, nullptr, &n, header, 5);
        EVP_EncryptUpdate(context, out.data(), &n, inner, static_cast<int>(size));
        EVP_EncryptFinal_ex(context, out.data() + size, &n);
        EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + size);
        wire.append(reinterpret_cast<const char*>(header), 5);
        wire.append(reinterpret_cast<const char*>(out.data()), out.size());
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    static const std::uint16_t suites[] = {0x1301, 0x1302, 0x1303};
    const auto suite = tls13_suite::of(suites[data[0] % 3]);
    if (!suite) __builtin_trap();
    const std::size_t chunk = 1 + data[1] % 97;
    tls13_records::direction_start read;
    tls13_records::direction_start write;
    read.secret.fill(0x11);
    write.secret.fill(0x22);
    read.sequence = data[0] / 3 % 4;
    auto records = tls13_records::make(*suite, read, write);
    if (!records) __builtin_trap();
    client_sealer client(*suite, read.secret);
    client.sequence = read.sequence;

    // Steps: 0 = raw bytes (a length byte, then the bytes); otherwise a
    // sealed record (two length bytes, then its inner plaintext).
    std::string wire;
    for (std::size_t pos = 2; pos < size;) {
        const std::uint8_t step = data[pos++];
        if (pos >= size) break;
        std::size_t length = data[pos++];
        if (step % 2 == 1 && pos < size) length = length << 8 | data[pos++];
        length = std::min(length, size - pos);
        if (step % 2 == 0) {
            wire.append(reinterpret_cast<const char*>(data + pos), length);
        } else {
            client.seal(data + pos, length, wire);
        }
        pos += length;
    }

    std::vector<char> plaintext(chunk + 2 * tls13_records::max_record_plaintext);
    bool ended = false;
    std::size_t fed = 0;
    std::size_t opened_bytes = 0;
    for (std::size_t at = 0; at < wire.size(); at += chunk) {
        const std::size_t n = std::min(chunk, wire.size() - at);
        fed += n;
        auto opened = records->open({wire.data() + at, n}, plaintext);
        if (opened.bytes > plaintext.size()) __builtin_trap();
        if (ended && opened.bytes != 0) __builtin_trap();
        opened_bytes += opened.bytes;
        if (opened_bytes > fed) __builtin_trap();
        if (opened.ec) ended = true;
    }
    const std::string reply = "reply";
    const boost::asio::const_buffer one(reply.data(), reply.size());
    std::string sealed;
    (void)records->seal({&one, 1}, sealed);
    records->close_notify();
    return 0;
}
