// libFuzzer target: the gateway's WebSocket reading (ws_reader), fed the way
// raw_wire feeds it: arbitrary bytes in arbitrary chunks, the unconsumed
// tail kept. Invariants, each a trap if broken: consumption never runs past
// the input, a message never exceeds the limit, a text message is valid
// UTF-8, a failure carries 1002, 1007 or 1009, and nothing is read after it.

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/utf8.hpp"
#include "core/ws_reader.hpp"

using namespace switchboard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    // The first byte picks the chunk size, so splits fall everywhere.
    const std::size_t chunk = 1 + data[0] % 64;
    constexpr std::size_t limit = 4096;
    ws_reader reader(limit);
    std::string pending;
    for (std::size_t fed = 1; fed < size;) {
        const std::size_t n = std::min(chunk, size - fed);
        pending.append(reinterpret_cast<const char*>(data + fed), n);
        fed += n;
        std::size_t pos = 0;
        while (pos < pending.size()) {
            auto e = reader.next(pending.data() + pos, pending.size() - pos);
            if (e.consumed > pending.size() - pos) __builtin_trap();
            pos += e.consumed;
            using kind = ws_reader::event::kind;
            if (e.what == kind::need_more) break;
            if (e.payload.size() > limit) __builtin_trap();
            if (e.what == kind::text && !is_valid_utf8(e.payload)) __builtin_trap();
            if (e.what == kind::fail) {
                if (e.code != 1002 && e.code != 1007 && e.code != 1009) __builtin_trap();
                return 0;
            }
            if (e.what == kind::close) {
                if (e.code != 1005 && !is_valid_close_code(e.code)) __builtin_trap();
                return 0;
            }
        }
        pending.erase(0, pos);
    }
    return 0;
}
