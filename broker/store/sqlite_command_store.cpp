#include "sqlite_command_store.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "core/config_reader.hpp"

namespace switchboard {
namespace {

constexpr const char* schema = R"(
CREATE TABLE IF NOT EXISTS queued_command (
    seq INTEGER PRIMARY KEY,
    controller TEXT NOT NULL,
    id TEXT NOT NULL,
    device TEXT NOT NULL,
    frame TEXT NOT NULL,
    timeout_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    ack INTEGER NOT NULL,
    trace TEXT NOT NULL,
    UNIQUE (controller, id)
);
CREATE TABLE IF NOT EXISTS kept_outcome (
    seq INTEGER PRIMARY KEY,
    controller TEXT NOT NULL,
    frame TEXT NOT NULL,
    deadline_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS kept_outcome_controller ON kept_outcome (controller))";

[[noreturn]] void fail(const std::string& path, const std::string& why) {
    throw config_error("'store.path': " + path + ": " + why);
}

std::string text_of(sqlite3_stmt* statement, int column) {
    const auto* text = sqlite3_column_text(statement, column);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<std::size_t>(sqlite3_column_bytes(statement, column)))
                : std::string{};
}

void bind_text(sqlite3_stmt* statement, int index, std::string_view text) {
    sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
}

}  // namespace

sqlite_command_store::sqlite_command_store(const store_options& options) : path_(options.path) {
    if (sqlite3_open_v2(path_.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
        std::string why = db_ ? sqlite3_errmsg(db_) : "cannot be opened";
        sqlite3_close(db_);
        fail(path_, why);
    }
    // The writer thread and load() never run at once (load is at start-up).
    const std::string sync = options.sync == store_sync::full ? "FULL" : "NORMAL";
    const std::string setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=" + sync + ";" + schema;
    char* error = nullptr;
    if (sqlite3_exec(db_, setup.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string why = error ? error : "cannot be set up";
        sqlite3_free(error);
        sqlite3_close(db_);
        fail(path_, why);
    }
    const char* insert =
        "INSERT OR REPLACE INTO queued_command "
        "(controller, id, device, frame, timeout_ms, expires_ms, ack, trace) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    const char* erase = "DELETE FROM queued_command WHERE controller = ? AND id = ?";
    const char* keep = "INSERT INTO kept_outcome (controller, frame, deadline_ms) VALUES (?, ?, ?)";
    const char* forget = "DELETE FROM kept_outcome WHERE controller = ?";
    if (sqlite3_prepare_v2(db_, insert, -1, &insert_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, erase, -1, &delete_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, keep, -1, &keep_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, forget, -1, &forget_, nullptr) != SQLITE_OK) {
        std::string why = sqlite3_errmsg(db_);
        sqlite3_finalize(insert_);
        sqlite3_finalize(delete_);
        sqlite3_finalize(keep_);
        sqlite3_finalize(forget_);
        sqlite3_close(db_);
        fail(path_, why);
    }
    writer_ = std::thread([this] { run(); });
}

sqlite_command_store::~sqlite_command_store() {
    stop();
    sqlite3_finalize(insert_);
    sqlite3_finalize(delete_);
    sqlite3_finalize(keep_);
    sqlite3_finalize(forget_);
    sqlite3_close(db_);
}

void sqlite_command_store::check(const store_options& options) {
    std::error_code ec;
    if (std::filesystem::exists(options.path, ec)) {
        sqlite3* db = nullptr;
        int rc = sqlite3_open_v2(options.path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
        // Reading the schema makes SQLite read the header: a file that is
        // not a database fails here, not at open.
        if (rc == SQLITE_OK) {
            rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
        }
        std::string why = rc == SQLITE_OK ? "" : (db ? sqlite3_errmsg(db) : "cannot be opened");
        sqlite3_close(db);
        if (rc != SQLITE_OK) fail(options.path, why);
        return;
    }
    auto folder = std::filesystem::path(options.path).parent_path();
    if (folder.empty()) folder = ".";
    if (!std::filesystem::is_directory(folder, ec)) {
        fail(options.path, "its folder " + folder.string() + " does not exist");
    }
    if (::access(folder.c_str(), W_OK) != 0) {
        fail(options.path, "its folder " + folder.string() + " is not writable");
    }
}

void sqlite_command_store::push(write w) {
    std::lock_guard lock(mutex_);
    // Shutting down: not stored and never acknowledged. A put's `done` is not
    // run here, on the caller's thread, which may hold the ledger's locks.
    if (stopping_) return;
    queued_.push_back(std::move(w));
    wake_.notify_one();
}

void sqlite_command_store::put(stored_command command, done_fn done) {
    push(write{write::kind::put, std::move(command), std::move(done), {}});
}

void sqlite_command_store::erase(std::string_view controller, std::string_view id) {
    write w{write::kind::erase, {}, {}, {}};
    w.command.controller = controller;
    w.command.id = id;
    push(std::move(w));
}

void sqlite_command_store::keep_outcome(kept_outcome outcome) {
    push(write{write::kind::keep, {}, {}, std::move(outcome)});
}

void sqlite_command_store::forget_outcomes(std::string_view controller) {
    write w{write::kind::forget, {}, {}, {}};
    w.outcome.controller = controller;
    push(std::move(w));
}

std::vector<kept_outcome> sqlite_command_store::load_outcomes() {
    std::vector<kept_outcome> rows;
    sqlite3_stmt* select = nullptr;
    const char* sql = "SELECT controller, frame, deadline_ms FROM kept_outcome ORDER BY seq";
    if (sqlite3_prepare_v2(db_, sql, -1, &select, nullptr) != SQLITE_OK) {
        fail(path_, sqlite3_errmsg(db_));
    }
    int rc;
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
        rows.push_back({text_of(select, 0), text_of(select, 1), sqlite3_column_int64(select, 2)});
    }
    sqlite3_finalize(select);
    if (rc != SQLITE_DONE) fail(path_, sqlite3_errmsg(db_));
    return rows;
}

std::vector<stored_command> sqlite_command_store::load() {
    std::vector<stored_command> rows;
    sqlite3_stmt* select = nullptr;
    const char* sql =
        "SELECT controller, id, device, frame, timeout_ms, expires_ms, ack, trace "
        "FROM queued_command ORDER BY seq";
    if (sqlite3_prepare_v2(db_, sql, -1, &select, nullptr) != SQLITE_OK) {
        fail(path_, sqlite3_errmsg(db_));
    }
    int rc;
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
        stored_command row;
        row.controller = text_of(select, 0);
        row.id = text_of(select, 1);
        row.device = text_of(select, 2);
        row.frame = text_of(select, 3);
        row.timeout = std::chrono::milliseconds(sqlite3_column_int64(select, 4));
        row.expires_ms = sqlite3_column_int64(select, 5);
        row.ack = sqlite3_column_int(select, 6) != 0;
        row.trace = text_of(select, 7);
        rows.push_back(std::move(row));
    }
    sqlite3_finalize(select);
    if (rc != SQLITE_DONE) fail(path_, sqlite3_errmsg(db_));
    return rows;
}

void sqlite_command_store::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_one();
    if (writer_.joinable()) writer_.join();
}

std::uint64_t sqlite_command_store::commits() const {
    std::lock_guard lock(mutex_);
    return commits_;
}

void sqlite_command_store::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
        if (queued_.empty()) return;  // stopping, everything written
        // Whatever arrived while the last transaction committed: one group.
        std::vector<write> batch;
        batch.swap(queued_);
        lock.unlock();
        const bool ok = commit(batch);
        {
            // Counted before anyone hears of it: a caller woken by `done`
            // must already see this transaction in commits().
            std::lock_guard counted(mutex_);
            ++commits_;
        }
        for (write& w : batch) {
            if (w.done) w.done(ok);
        }
        lock.lock();
    }
}

bool sqlite_command_store::exec(const char* sql) {
    return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

bool sqlite_command_store::apply(const write& w) {
    const stored_command& c = w.command;
    sqlite3_stmt* statement = nullptr;
    switch (w.what) {
        case write::kind::put:
            statement = insert_;
            bind_text(statement, 1, c.controller);
            bind_text(statement, 2, c.id);
            bind_text(statement, 3, c.device);
            bind_text(statement, 4, c.frame);
            sqlite3_bind_int64(statement, 5, c.timeout.count());
            sqlite3_bind_int64(statement, 6, c.expires_ms);
            sqlite3_bind_int(statement, 7, c.ack ? 1 : 0);
            bind_text(statement, 8, c.trace);
            break;
        case write::kind::erase:
            statement = delete_;
            bind_text(statement, 1, c.controller);
            bind_text(statement, 2, c.id);
            break;
        case write::kind::keep:
            statement = keep_;
            bind_text(statement, 1, w.outcome.controller);
            bind_text(statement, 2, w.outcome.frame);
            sqlite3_bind_int64(statement, 3, w.outcome.deadline_ms);
            break;
        case write::kind::forget:
            statement = forget_;
            bind_text(statement, 1, w.outcome.controller);
            break;
    }
    const bool ok = sqlite3_step(statement) == SQLITE_DONE;
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    return ok;
}

bool sqlite_command_store::commit(const std::vector<write>& batch) {
    bool ok = exec("BEGIN IMMEDIATE");
    for (const write& w : batch) {
        if (!ok) break;
        ok = apply(w);
    }
    if (ok) ok = exec("COMMIT");
    if (!ok) {
        spdlog::error("store {}: a write of {} changes failed: {}", path_, batch.size(),
                      sqlite3_errmsg(db_));
        exec("ROLLBACK");
    }
    return ok;
}

}  // namespace switchboard
