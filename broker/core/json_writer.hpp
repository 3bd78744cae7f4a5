#pragma once
// Writes one flat JSON object as text, field by field, without building a
// tree: the gateway's outbound frames (outbound_frame.hpp) and the MQTT
// bridge's payloads are made with it, each serialized once. No sockets; any
// thread (one writer per thread at a time).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace switchboard {

// Appends one JSON object field by field, in the order written. Keys are the
// protocol's own field names and are written as they are, unescaped.
class json_writer {
public:
    explicit json_writer(std::size_t reserve = 128);
    // Writes into `buffer` (its text is dropped, its capacity kept), so a
    // caller that sends many frames can hand the same buffer back each time.
    explicit json_writer(std::string buffer);

    json_writer& string(std::string_view key, std::string_view value);
    json_writer& integer(std::string_view key, std::int64_t value);
    json_writer& boolean(std::string_view key, bool value);
    // `json` is already-serialized JSON; skipped when empty.
    json_writer& raw(std::string_view key, std::string_view json);

    std::string finish();                        // moves the text out: call once, last
    std::shared_ptr<const std::string> share();  // likewise; the type of a frame_ptr

private:
    void key(std::string_view k);
    std::string out_;
};

// Appends `value` as a JSON string literal, escaping what JSON requires.
void append_json_string(std::string& out, std::string_view value);

}  // namespace switchboard
