// The dashboard's static files over raw HTTP, as an attacker sends them:
// every path that could leave the dashboard's folder is refused with 404 or
// 400, and the content of what lies outside is never sent.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "raw_connection.hpp"
#include "running_gateway.hpp"

using namespace switchboard;
using namespace switchboard::test;

namespace {

struct raw_answer {
    unsigned status = 0;
    std::string text;  // head and body
};

// One request with `target` written byte for byte (no client normalises it).
raw_answer raw_get(unsigned short port, const std::string& target) {
    raw_connection c(port);
    c.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    raw_answer a;
    a.text = c.read_to_end();
    if (a.text.starts_with("HTTP/1.1 ") && a.text.size() >= 12)
        a.status = static_cast<unsigned>(std::stoul(a.text.substr(9, 3)));
    return a;
}

}  // namespace

// A dashboard folder with a symlink that points out of it, next to a
// folder whose file must never be served. Outside the anonymous namespace:
// the tests derive from it, and a unity build (tests/CMakeLists.txt) would
// warn that their base has internal linkage.
class StaticFiles : public ::testing::Test {
protected:
    void SetUp() override {
        base_ = std::filesystem::temp_directory_path() /
                ("sb-static-" + std::to_string(getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(base_);
        dash_ = base_ / "dash";
        std::filesystem::create_directories(dash_ / "js");
        std::filesystem::create_directories(base_ / "outside");
        std::ofstream(dash_ / "index.html") << "<!doctype html><title>dash</title>";
        std::ofstream(dash_ / "js" / "app.js") << "export const x = 1;";
        std::ofstream(base_ / "outside" / "secret.txt") << secret;
        std::ofstream(base_ / "secret.txt") << secret;
        std::filesystem::create_directory_symlink(base_ / "outside", dash_ / "leak");
        std::filesystem::create_symlink(base_ / "outside" / "secret.txt", dash_ / "leak.txt");
        std::filesystem::create_directory_symlink("../..", dash_ / "js" / "up");
        // A symlink that stays inside is followed.
        std::filesystem::create_symlink("app.js", dash_ / "js" / "alias.js");
    }
    void TearDown() override { std::filesystem::remove_all(base_); }

    static constexpr const char* secret = "TOP-SECRET-OUTSIDE-THE-DASHBOARD";
    std::filesystem::path base_, dash_;
};

TEST_F(StaticFiles, TraversalVariantsAreRefusedAndNeverLeakContent) {
    running_gateway gw([&](gateway_config& c) { c.dashboard_dir = dash_.string(); });
    const std::string probes[] = {
        "//etc/passwd",
        "//proc/self/environ",
        "//proc/self/cmdline",
        "///etc//passwd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/..%2f..%2f..%2f..%2fetc/passwd",
        "/js/../../etc/passwd",
        "/js/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2fetc%2fpasswd",
        "/%2Fproc%2Fself%2Fenviron",
        "/js%5c..%5c..%5c..%5cetc%5cpasswd",
        "/js\\..\\..\\etc\\passwd",
        "/index.html%00.js",
        "/%00",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/./index.html",
        "/js/./app.js",
        "/js//app.js",
        "/leak/secret.txt",
        "/leak.txt",
        "/js/up/secret.txt",
        "/%",
        "/%4",
        "/%zz",
    };
    for (const auto& target : probes) {
        SCOPED_TRACE(target);
        raw_answer a = raw_get(gw.port(), target);
        EXPECT_TRUE(a.status == 404 || a.status == 400) << a.text.substr(0, 200);
        EXPECT_EQ(a.text.find("root:"), std::string::npos);
        EXPECT_EQ(a.text.find("PATH="), std::string::npos);
        EXPECT_EQ(a.text.find(secret), std::string::npos);
    }
}

TEST_F(StaticFiles, RawNulInTheTargetIsRefused) {
    running_gateway gw([&](gateway_config& c) { c.dashboard_dir = dash_.string(); });
    raw_answer a = raw_get(gw.port(), std::string("/index.html\0/../../etc/passwd", 29));
    // The HTTP parser refuses the request line: 400, or at least no file.
    EXPECT_TRUE(a.status == 400 || a.status == 404 || a.status == 0) << a.text.substr(0, 200);
    EXPECT_EQ(a.text.find("root:"), std::string::npos);
    EXPECT_EQ(a.text.find("<title>dash</title>"), std::string::npos);
}

TEST_F(StaticFiles, FilesInsideAndSymlinksThatStayInsideAreServed) {
    running_gateway gw([&](gateway_config& c) { c.dashboard_dir = dash_.string(); });
    raw_answer index = raw_get(gw.port(), "/");
    EXPECT_EQ(index.status, 200);
    EXPECT_NE(index.text.find("<title>dash</title>"), std::string::npos);
    EXPECT_EQ(raw_get(gw.port(), "/index.html").status, 200);
    EXPECT_EQ(raw_get(gw.port(), "/js/app.js?v=2").status, 200);
    EXPECT_EQ(raw_get(gw.port(), "/%6As/app.js").status, 200);  // "js", encoded
    raw_answer alias = raw_get(gw.port(), "/js/alias.js");
    EXPECT_EQ(alias.status, 200);
    EXPECT_NE(alias.text.find("export const x"), std::string::npos);
    EXPECT_EQ(raw_get(gw.port(), "/js").status, 404);  // a folder is not a file
    // Out through a symlink and back in: what counts is where the file is.
    EXPECT_EQ(raw_get(gw.port(), "/js/up/dash/index.html").status, 200);
}
