// libFuzzer target: static file resolution (core/static_path). The oracle is
// the safety property itself: whatever the request path, a file that is
// resolved lies under the canonical root and is a regular file; the secret
// outside the root (reachable through a symlink planted inside it, through
// `..`, or by absolute path) is never resolved. A violation traps.
//
// The tree, made once in a fresh temporary folder:
//   <tmp>/secret.txt                     outside the root
//   <tmp>/root/index.html, js/app.js     inside
//   <tmp>/root/out      -> <tmp>         symlinked folder pointing out
//   <tmp>/root/leak.txt -> <tmp>/secret.txt
//   <tmp>/root/js/up    -> ../..         relative symlink pointing out
//   <tmp>/root/js/alias.js -> app.js     stays inside: may be resolved

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/static_path.hpp"

using namespace switchboard;
namespace fs = std::filesystem;

namespace {

struct tree {
    fs::path base;
    fs::path root;
    fs::path canonical_root;
    fs::path secret;

    tree() {
        base = fs::temp_directory_path() / ("sb-static-fuzz-" + std::to_string(getpid()));
        fs::remove_all(base);
        root = base / "root";
        fs::create_directories(root / "js");
        std::ofstream(base / "secret.txt") << "secret";
        std::ofstream(root / "index.html") << "index";
        std::ofstream(root / "js" / "app.js") << "app";
        fs::create_directory_symlink(base, root / "out");
        fs::create_symlink(base / "secret.txt", root / "leak.txt");
        fs::create_directory_symlink("../..", root / "js" / "up");
        fs::create_symlink("app.js", root / "js" / "alias.js");
        canonical_root = fs::canonical(root);
        secret = fs::canonical(base / "secret.txt");
        // Not through instance(): it is destroyed before an atexit handler
        // registered while it was being made runs. A copy made first lasts.
        static fs::path made;
        made = base;
        std::atexit([] {
            std::error_code ignored;
            fs::remove_all(made, ignored);
        });
    }

    static tree& instance() {
        static tree t;
        return t;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tree& t = tree::instance();
    std::string_view path(reinterpret_cast<const char*>(data), size);
    auto file = resolve_static_file(t.root, path);
    if (!file) return 0;
    if (!is_within(t.canonical_root, *file)) __builtin_trap();
    if (*file == t.secret) __builtin_trap();
    std::error_code ec;
    if (!fs::is_regular_file(*file, ec)) __builtin_trap();
    // Whatever it resolved to, the path was accepted by the segment rules.
    if (!static_path_segments(path)) __builtin_trap();
    return 0;
}
