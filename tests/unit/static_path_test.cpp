// core/static_path: which request paths name a dashboard file, and that the
// file served always lies under the dashboard's folder.

#include "core/static_path.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

using namespace switchboard;

namespace {
using segments = std::vector<std::string>;
}

TEST(StaticPath, PlainPathsSplitIntoDecodedSegments) {
    EXPECT_EQ(static_path_segments("/"), segments{"index.html"});
    EXPECT_EQ(static_path_segments("/js/app.js"), (segments{"js", "app.js"}));
    EXPECT_EQ(static_path_segments("/js/"), (segments{"js", "index.html"}));
    EXPECT_EQ(static_path_segments("/a%20b.txt"), segments{"a b.txt"});
    EXPECT_EQ(static_path_segments("/%6As/x"), (segments{"js", "x"}));
    // Decoded once: what was encoded twice stays a literal name.
    EXPECT_EQ(static_path_segments("/%252e%252e"), segments{"%2e%2e"});
}

TEST(StaticPath, EmptyDotAndEncodedSeparatorSegmentsAreRefused) {
    for (std::string_view bad : {"",
                                 "js/app.js",
                                 "//etc/passwd",
                                 "///etc//passwd",
                                 "/js//app.js",
                                 "/.",
                                 "/..",
                                 "/./index.html",
                                 "/js/../../etc",
                                 "/%2e%2e/etc",
                                 "/%2E%2e/etc",
                                 "/%2e",
                                 "/..%2fetc",
                                 "/%2fetc%2fpasswd",
                                 "/%2F",
                                 "/js%5c..%5cetc",
                                 "/js\\..\\etc",
                                 "/a%00b",
                                 "/a%0ab",
                                 "/a%7fb",
                                 "/%",
                                 "/%4",
                                 "/%zz",
                                 "/%g0"}) {
        EXPECT_FALSE(static_path_segments(bad)) << bad;
    }
    EXPECT_FALSE(static_path_segments(std::string_view("/a\0b", 4)));
}

TEST(StaticPath, WithinComparesWholeComponents) {
    EXPECT_TRUE(is_within("/srv/dash", "/srv/dash/index.html"));
    EXPECT_TRUE(is_within("/srv/dash", "/srv/dash"));
    EXPECT_FALSE(is_within("/srv/dash", "/srv/dashboard/index.html"));
    EXPECT_FALSE(is_within("/srv/dash", "/srv"));
    EXPECT_FALSE(is_within("/srv/dash", "/etc/passwd"));
}

TEST(StaticPath, ResolvesOnlyRegularFilesWhoseCanonicalPathIsUnderTheRoot) {
    auto base =
        std::filesystem::temp_directory_path() / ("sb-static-path-" + std::to_string(getpid()));
    std::filesystem::remove_all(base);
    auto root = base / "dash";
    std::filesystem::create_directories(root / "js");
    std::filesystem::create_directories(base / "outside");
    std::ofstream(root / "index.html") << "i";
    std::ofstream(root / "js" / "app.js") << "a";
    std::ofstream(base / "outside" / "secret") << "s";
    std::filesystem::create_directory_symlink(base / "outside", root / "out");
    std::filesystem::create_symlink(base / "outside" / "secret", root / "secret");
    std::filesystem::create_symlink("app.js", root / "js" / "alias.js");

    auto canonical_root = std::filesystem::canonical(root);
    EXPECT_EQ(resolve_static_file(root, "/"), canonical_root / "index.html");
    EXPECT_EQ(resolve_static_file(root, "/js/app.js"), canonical_root / "js" / "app.js");
    EXPECT_EQ(resolve_static_file(root, "/js/alias.js"), canonical_root / "js" / "app.js");
    EXPECT_FALSE(resolve_static_file(root, "/js"));           // a folder
    EXPECT_FALSE(resolve_static_file(root, "/missing.js"));   // nothing there
    EXPECT_FALSE(resolve_static_file(root, "/out/secret"));   // symlinked folder outside
    EXPECT_FALSE(resolve_static_file(root, "/secret"));       // symlinked file outside
    EXPECT_FALSE(resolve_static_file(root, "//etc/passwd"));  // absolute join
    EXPECT_FALSE(resolve_static_file(base / "nowhere", "/index.html"));
    std::filesystem::remove_all(base);
}
