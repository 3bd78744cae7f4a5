#pragma once
// A command store in memory for the router's unit tests: writes wait until
// the test calls commit(), which applies them in order and runs the puts'
// callbacks, as the SQLite store's writer thread would after its commit.
// Thread-safe.

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "core/command_store.hpp"

namespace switchboard::testing {

class memory_command_store final : public command_store {
public:
    void put(stored_command command, done_fn done) override {
        std::lock_guard lock(mutex_);
        waiting_.push_back({true, std::move(command), std::move(done)});
    }

    void erase(std::string_view controller, std::string_view id) override {
        std::lock_guard lock(mutex_);
        write w{false, {}, {}};
        w.command.controller = controller;
        w.command.id = id;
        waiting_.push_back(std::move(w));
    }

    std::vector<stored_command> load() override { return rows(); }

    // Applies every write so far (a failed commit applies none) and then
    // runs the puts' callbacks with `ok`, outside the lock.
    void commit(bool ok = true) {
        std::vector<write> batch;
        {
            std::lock_guard lock(mutex_);
            batch.swap(waiting_);
            if (ok) {
                for (write& w : batch) {
                    std::erase_if(rows_, [&](const stored_command& r) {
                        return r.controller == w.command.controller && r.id == w.command.id;
                    });
                    if (w.insert) rows_.push_back(w.command);
                }
            }
        }
        for (write& w : batch) {
            if (w.done) w.done(ok);
        }
    }

    // The committed rows, in the order put.
    std::vector<stored_command> rows() const {
        std::lock_guard lock(mutex_);
        return rows_;
    }

    std::vector<std::string> ids() const {
        std::vector<std::string> out;
        for (const auto& r : rows()) out.push_back(r.id);
        return out;
    }

    std::size_t waiting() const {
        std::lock_guard lock(mutex_);
        return waiting_.size();
    }

private:
    struct write {
        bool insert = true;
        stored_command command;
        done_fn done;
    };
    mutable std::mutex mutex_;
    std::vector<write> waiting_;
    std::vector<stored_command> rows_;
};

}  // namespace switchboard::testing
