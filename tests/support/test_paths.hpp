#pragma once
// Where a test finds this checkout (docs, configs, scripts) and this build's
// programs. They come at run time, not compiled in: an absolute path in a
// test's object file would make it miss ccache in a clone at any other path
// (CI builds a fresh clone). ctest gives every test the environment that
// tests/CMakeLists.txt writes; a test executable run by hand reads the same
// lines from build/<preset>/tests/test_paths.txt. A name found in neither
// stops the test process at once, saying which.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace switchboard::test::test_paths {

// The value of `name` (SWITCHBOARD_TEST_SOURCE_DIR, ...): from the
// environment, else from the nearest test_paths.txt above this executable.
inline std::string value_of(const std::string& name) {
    if (const char* value = std::getenv(name.c_str()); value && *value) return value;
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
    for (int up = 0; !ec && up < 8 && dir.has_relative_path(); ++up, dir = dir.parent_path()) {
        std::ifstream in(dir / "test_paths.txt");
        for (std::string line; std::getline(in, line);) {
            if (line.size() > name.size() && line.starts_with(name) && line[name.size()] == '=') {
                return line.substr(name.size() + 1);
            }
        }
    }
    std::fprintf(stderr,
                 "test_paths: %s is not set. Run the tests with ctest (it sets it), set it, or "
                 "run the test executable where the build put it (it reads test_paths.txt).\n",
                 name.c_str());
    std::abort();
}

// The root of this checkout.
inline std::string source_dir() { return value_of("SWITCHBOARD_TEST_SOURCE_DIR"); }
// This build's gateway (switchboard) and simulator (switchboard-sim).
inline std::string gateway() { return value_of("SWITCHBOARD_TEST_GATEWAY"); }
inline std::string simulator() { return value_of("SWITCHBOARD_TEST_SIMULATOR"); }
// This build's switchboard_mosquitto_auth.so (builds with MQTT only).
inline std::string mosquitto_plugin() { return value_of("SWITCHBOARD_TEST_MOSQUITTO_PLUGIN"); }

}  // namespace switchboard::test::test_paths
