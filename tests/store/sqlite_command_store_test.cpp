// store/sqlite_command_store on a file in a fresh temporary folder: rows
// outlive the store object (a restart), in the order put; erase and replace;
// callbacks after the commit; a file that is not a store is refused naming it.

#include "sqlite_command_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "core/config_reader.hpp"

namespace switchboard {
namespace {

namespace fs = std::filesystem;

class SqliteCommandStore : public ::testing::Test {
protected:
    void SetUp() override {
        folder_ = fs::temp_directory_path() /
                  ("switchboard-store-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(folder_);
        fs::create_directories(folder_);
    }
    void TearDown() override { fs::remove_all(folder_); }

    store_options options() const { return {(folder_ / "commands.db").string()}; }

    fs::path folder_;
};

stored_command row(const std::string& controller, const std::string& id, int n = 0) {
    return {controller,
            id,
            "pump-" + std::to_string(n),
            R"({"type":"command","id":")" + id + R"("})",
            std::chrono::milliseconds(1000 + n),
            1700000000000 + n,
            n % 2 == 1,
            n % 2 == 1 ? "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" : ""};
}

// Counts committed puts; waits for a number of them with a generous deadline.
struct commit_counter {
    std::mutex mutex;
    std::condition_variable changed;
    int ok = 0;
    int failed = 0;

    command_store::done_fn done() {
        return [this](bool durable) {
            std::lock_guard lock(mutex);
            ++(durable ? ok : failed);
            changed.notify_all();
        };
    }
    bool wait_for(int n) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::seconds(30), [&] { return ok + failed >= n; });
    }
};

TEST_F(SqliteCommandStore, RowsOutliveTheStoreInTheOrderPut) {
    commit_counter committed;
    {
        sqlite_command_store store(options());
        EXPECT_TRUE(store.load().empty());
        for (int i = 0; i < 500; ++i) {
            store.put(row(i % 3 == 0 ? "dash-a" : "dash-b", "c-" + std::to_string(i), i),
                      committed.done());
        }
        ASSERT_TRUE(committed.wait_for(500));
        EXPECT_EQ(committed.ok, 500);
        // Group commit: never more transactions than writes.
        EXPECT_LE(store.commits(), 500u);
        EXPECT_GE(store.commits(), 1u);
        store.erase("dash-b", "c-1");
        store.erase("dash-a", "c-3");
        store.erase("dash-a", "c-404");  // never stored: nothing happens
    }                                    // stopped: what was queued is written
    sqlite_command_store reopened(options());
    auto rows = reopened.load();
    ASSERT_EQ(rows.size(), 498u);
    EXPECT_EQ(rows[0].id, "c-0");
    EXPECT_EQ(rows[1].id, "c-2");
    EXPECT_EQ(rows[2].id, "c-4");
    EXPECT_EQ(rows.back().id, "c-499");
    EXPECT_EQ(rows[3], row("dash-b", "c-5", 5));  // every field as put
}

TEST_F(SqliteCommandStore, APutOfTheSameControllerAndIdReplacesTheRow) {
    {
        sqlite_command_store store(options());
        store.put(row("dash-a", "c-1", 1), {});
        store.put(row("dash-a", "c-2", 2), {});
        store.erase("dash-a", "c-1");
        store.put(row("dash-a", "c-1", 3), {});
        store.put(row("dash-b", "c-1", 4), {});
    }
    sqlite_command_store reopened(options());
    auto rows = reopened.load();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].id, "c-2");
    EXPECT_EQ(rows[1].controller, "dash-a");
    EXPECT_EQ(rows[1].device, "pump-3");
    EXPECT_EQ(rows[2].controller, "dash-b");
}

TEST_F(SqliteCommandStore, FullSyncStoresTheSame) {
    store_options full = options();
    full.sync = store_sync::full;
    commit_counter committed;
    {
        sqlite_command_store store(full);
        for (int i = 0; i < 20; ++i)
            store.put(row("dash-a", std::to_string(i), i), committed.done());
        ASSERT_TRUE(committed.wait_for(20));
    }
    EXPECT_EQ(sqlite_command_store(full).load().size(), 20u);
}

TEST_F(SqliteCommandStore, APutAfterStopIsDroppedWithoutCallingBack) {
    sqlite_command_store store(options());
    store.stop();
    commit_counter committed;
    store.put(row("dash-a", "c-1"), committed.done());
    EXPECT_EQ(committed.ok + committed.failed, 0);
    EXPECT_TRUE(store.load().empty());
}

TEST_F(SqliteCommandStore, AFileThatIsNotAStoreIsRefusedNamingIt) {
    const std::string path = options().path;
    std::ofstream(path) << "this is not an SQLite database, not even close; "
                        << std::string(200, 'x');
    try {
        sqlite_command_store store(options());
        FAIL() << "opened";
    } catch (const config_error& e) {
        EXPECT_NE(std::string(e.what()).find("store.path"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    EXPECT_THROW(sqlite_command_store::check(options()), config_error);
}

TEST_F(SqliteCommandStore, CheckCreatesNothingAndWantsAnExistingFolder) {
    EXPECT_NO_THROW(sqlite_command_store::check(options()));
    EXPECT_FALSE(fs::exists(options().path));
    store_options nowhere{(folder_ / "missing" / "commands.db").string()};
    EXPECT_THROW(sqlite_command_store::check(nowhere), config_error);
    EXPECT_THROW(sqlite_command_store store(nowhere), config_error);
    { sqlite_command_store store(options()); }
    EXPECT_NO_THROW(sqlite_command_store::check(options()));
}

}  // namespace
}  // namespace switchboard

namespace switchboard {
namespace {

TEST_F(SqliteCommandStore, KeptOutcomesOutliveTheStoreInTheOrderKeptUntilForgotten) {
    {
        sqlite_command_store store(options());
        EXPECT_TRUE(store.load_outcomes().empty());
        for (int i = 0; i < 6; ++i) {
            store.keep_outcome({i % 2 == 0 ? "dash-a" : "dash-b",
                                R"({"type":"response","id":"c-)" + std::to_string(i) + R"("})",
                                1700000000000 + i});
        }
        store.forget_outcomes("dash-b");
        store.keep_outcome({"dash-b", R"({"type":"ack","id":"c-9"})", 1700000000009});
    }  // the destructor commits what is queued
    sqlite_command_store reopened(options());
    auto rows = reopened.load_outcomes();
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].controller, "dash-a");
    EXPECT_EQ(rows[0].frame, R"({"type":"response","id":"c-0"})");
    EXPECT_EQ(rows[0].deadline_ms, 1700000000000);
    EXPECT_EQ(rows[1].frame, R"({"type":"response","id":"c-2"})");
    EXPECT_EQ(rows[2].frame, R"({"type":"response","id":"c-4"})");
    EXPECT_EQ(rows[3].controller, "dash-b");
    EXPECT_EQ(rows[3].deadline_ms, 1700000000009);
    // Queued commands are a table of their own.
    EXPECT_TRUE(reopened.load().empty());
}

}  // namespace
}  // namespace switchboard
