// bridge/paho_build: which Paho C build this process runs on, read from the
// library itself. The test reads the loaded library's file on its own and
// expects the same answer: a build with tracking names Heap_get_info in its
// dynamic symbols, one built PAHO_HIGH_PERFORMANCE does not (Debian 12's
// package, which CI runs on, is the former).

#include "paho_build.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace switchboard {
namespace {

// The path of the loaded libpaho-mqtt3as, from /proc/self/maps.
std::string loaded_paho_path() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash != std::string::npos && line.find("libpaho-mqtt3as") != std::string::npos) {
            return line.substr(slash);
        }
    }
    return {};
}

// "1.3.11": three numbers and two dots. (No std::regex: GCC 12 warns inside
// it under the sanitizers' -O1, and CI builds with -Werror.)
bool is_dotted_version(const std::string& text) {
    int numbers = 0;
    bool in_number = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            if (!in_number) ++numbers;
            in_number = true;
        } else if (c == '.' && in_number) {
            in_number = false;
        } else {
            return false;
        }
    }
    return numbers == 3 && in_number;
}

TEST(PahoBuild, NamesTheLoadedVersion) {
    EXPECT_TRUE(is_dotted_version(loaded_paho_build().version))
        << "'" << loaded_paho_build().version << "'";
    EXPECT_FALSE(is_dotted_version("1.3"));
    EXPECT_FALSE(is_dotted_version("1..3.1"));
}

TEST(PahoBuild, TrackingIsWhatTheLoadedLibraryExports) {
    const std::string path = loaded_paho_path();
    ASSERT_FALSE(path.empty()) << "libpaho-mqtt3as is not mapped";
    std::ifstream file(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)),
                            std::istreambuf_iterator<char>());
    ASSERT_FALSE(bytes.empty()) << path;
    const bool exports_heap_info =
        bytes.find(std::string("\0Heap_get_info\0", 15)) != std::string::npos;
    EXPECT_EQ(loaded_paho_build().tracks_calls, exports_heap_info) << path;
}

}  // namespace
}  // namespace switchboard
