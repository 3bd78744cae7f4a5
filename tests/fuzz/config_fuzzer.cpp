// libFuzzer target: the config loader. Any text must end in a config or a
// config_error naming the key; any other exception escapes and is reported
// as a crash.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/gateway_config.hpp"

using namespace switchboard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        gateway_config c = parse_config(text, "fuzz.json");
        c.finalize();
        check_security(c);
    } catch (const config_error&) {
    }
    return 0;
}
