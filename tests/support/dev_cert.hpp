#pragma once
// The self-signed certificate for localhost that scripts/make-dev-cert.sh
// makes, for tests of TLS: one pair per test process, or a fresh pair in a
// folder of the test's own (reload tests overwrite theirs). Needs
// test_paths::source_dir().

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "child_process.hpp"
#include "test_paths.hpp"

namespace switchboard::test {

// A fresh pair, cert.pem and key.pem, in `dir`.
inline void make_dev_cert(const std::filesystem::path& dir) {
    auto r = run_program({test_paths::source_dir() + "/scripts/make-dev-cert.sh", dir.string()});
    ASSERT_EQ(r.status, 0) << r.output;
}

// The folder of this process's pair, made on first use and removed when the
// process exits (ctest runs each test in a process of its own: ~60 a run).
inline const std::string& dev_cert_dir() {
    struct removed_at_exit {
        std::string path;
        ~removed_at_exit() {
            std::error_code ignored;
            std::filesystem::remove_all(path, ignored);
        }
    };
    static const removed_at_exit dir{[] {
        auto d = std::filesystem::temp_directory_path() /
                 ("switchboard-dev-cert-" + std::to_string(::getpid()));
        make_dev_cert(d);
        return d.string();
    }()};
    return dir.path;
}

}  // namespace switchboard::test
