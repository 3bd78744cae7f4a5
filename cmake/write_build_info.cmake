# Run at every build (cmake -P): writes build_info.hpp with the project
# version and `git describe` of the source tree, rewriting the file only when
# its text changes so an unchanged tree rebuilds nothing.
# In: SOURCE_DIR, OUTPUT, VERSION, BINDIR, DASHBOARD_DIR.
set(describe "")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${SOURCE_DIR}/.git")
    execute_process(COMMAND "${GIT_EXECUTABLE}" describe --always --dirty --tags
                    WORKING_DIRECTORY "${SOURCE_DIR}"
                    OUTPUT_VARIABLE describe OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
set(text "#pragma once
// Written by cmake/write_build_info.cmake at build time; not in the repository.
namespace switchboard::build_info {
inline constexpr const char* version = \"${VERSION}\";
// `git describe --always --dirty --tags` of the source tree; empty outside a clone.
inline constexpr const char* git_describe = \"${describe}\";
// Where `cmake --install` (and the Debian package) puts the binary and the dashboard.
inline constexpr const char* install_bindir = \"${BINDIR}\";
inline constexpr const char* install_dashboard_dir = \"${DASHBOARD_DIR}\";
}  // namespace switchboard::build_info
")
if(EXISTS "${OUTPUT}")
    file(READ "${OUTPUT}" old)
endif()
if(NOT "${old}" STREQUAL "${text}")
    file(WRITE "${OUTPUT}" "${text}")
endif()
