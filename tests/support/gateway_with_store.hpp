#pragma once
// A fixture for tests that run the real gateway binary (test_paths::gateway())
// on a command store: a fresh folder per test with a config that turns auth
// and the abuse limits off and sets store.path to commands.db there;
// start_gateway() starts the binary on a free port, and may be called again
// after a kill (same store).

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "test_paths.hpp"

namespace switchboard::test {

class gateway_with_store : public ::testing::Test {
protected:
    void SetUp() override {
        folder_ = std::filesystem::temp_directory_path() /
                  ("sb-store-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(folder_);
        std::filesystem::create_directories(folder_);
        config_ = (folder_ / "switchboard.json").string();
        std::ofstream(config_) << R"({
            "auth": {"mode": "disabled"},
            "limits": {"frames_per_second": 0, "max_connections_per_address": 0},
            "store": {"path": "commands.db"}
        })";
    }
    void TearDown() override { std::filesystem::remove_all(folder_); }

    // The gateway, once it says it listens; `port` is where (0 if it did not).
    std::unique_ptr<child_process> start_gateway(unsigned short& port) {
        auto gw = std::make_unique<child_process>(
            std::vector<std::string>{binary_, "--config", config_, "--port", "0"});
        auto line = gw->wait_for_line("listening on", std::chrono::seconds(30));
        EXPECT_TRUE(line) << gw->output();
        port =
            line ? static_cast<unsigned short>(std::stoi(line->substr(line->rfind(':') + 1))) : 0;
        return gw;
    }

    const std::string binary_ = test_paths::gateway();
    std::filesystem::path folder_;
    std::string config_;
};

}  // namespace switchboard::test
