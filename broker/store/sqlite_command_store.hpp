#pragma once
// The command store on SQLite (command_store.hpp): one file, WAL journal,
// one writer thread that commits in groups. Everything put or erased while a
// transaction commits goes into the next one, so a burst of queued commands
// costs one commit (and, with store.sync "full", one fsync) per batch rather
// than per command. Why SQLite, and what it measured: docs/architecture.md.
// Kept outcomes (controller recovery) are a second table written by the
// same thread in the same transactions, in the order called.
// Every write is safe cross thread and only queues; `done` callbacks
// run on the writer thread. stop() (or the destructor) commits what is
// queued and joins the thread: call it before whatever the callbacks reach
// goes away.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/command_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace switchboard {

class sqlite_command_store final : public command_store {
public:
    // Opens (creating) options.path and its table. Throws config_error
    // naming store.path and the file when it cannot.
    explicit sqlite_command_store(const store_options& options);
    ~sqlite_command_store() override;

    sqlite_command_store(const sqlite_command_store&) = delete;
    sqlite_command_store& operator=(const sqlite_command_store&) = delete;

    void put(stored_command command, done_fn done) override;
    void erase(std::string_view controller, std::string_view id) override;
    std::vector<stored_command> load() override;
    void keep_outcome(kept_outcome outcome) override;
    void forget_outcomes(std::string_view controller) override;
    std::vector<kept_outcome> load_outcomes() override;

    // Commits what is queued and joins the writer; what is put or erased
    // after it is dropped (a put's `done` never runs).
    void stop();

    // Transactions committed so far (each one a group of writes).
    std::uint64_t commits() const;

    // What --check-config asks: the file, if it exists, opens as a store;
    // else its folder exists and is writable. Creates nothing. Throws
    // config_error naming store.path and the file.
    static void check(const store_options& options);

private:
    struct write {
        enum class kind { put, erase, keep, forget } what = kind::put;
        stored_command command;  // erase: controller and id only
        done_fn done;
        kept_outcome outcome;  // forget: controller only
    };

    void run();
    // Queues one write for the writer thread (dropped once stopping).
    void push(write w);
    bool apply(const write& w);
    bool commit(const std::vector<write>& batch);
    bool exec(const char* sql);

    std::string path_;
    sqlite3* db_ = nullptr;
    sqlite3_stmt* insert_ = nullptr;
    sqlite3_stmt* delete_ = nullptr;
    sqlite3_stmt* keep_ = nullptr;
    sqlite3_stmt* forget_ = nullptr;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<write> queued_;
    bool stopping_ = false;
    std::uint64_t commits_ = 0;
    std::thread writer_;
};

}  // namespace switchboard
