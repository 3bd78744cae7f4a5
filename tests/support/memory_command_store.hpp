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
        waiting_.push_back({write::kind::put, std::move(command), std::move(done)});
    }

    void erase(std::string_view controller, std::string_view id) override {
        std::lock_guard lock(mutex_);
        write w{write::kind::erase, {}, {}};
        w.command.controller = controller;
        w.command.id = id;
        waiting_.push_back(std::move(w));
    }

    std::vector<stored_command> load() override { return rows(); }

    void keep_outcome(kept_outcome outcome) override {
        std::lock_guard lock(mutex_);
        write w{write::kind::keep, {}, {}};
        w.outcome = std::move(outcome);
        waiting_.push_back(std::move(w));
    }

    void forget_outcomes(std::string_view controller) override {
        std::lock_guard lock(mutex_);
        write w{write::kind::forget, {}, {}};
        w.outcome.controller = controller;
        waiting_.push_back(std::move(w));
    }

    std::vector<kept_outcome> load_outcomes() override { return outcomes(); }

    // The committed kept outcomes, in the order kept.
    std::vector<kept_outcome> outcomes() const {
        std::lock_guard lock(mutex_);
        return outcomes_;
    }

    // Applies every write so far (a failed commit applies none) and then
    // runs the puts' callbacks with `ok`, outside the lock.
    void commit(bool ok = true) {
        std::vector<write> batch;
        {
            std::lock_guard lock(mutex_);
            batch.swap(waiting_);
            if (ok) {
                for (write& w : batch) apply(w);
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
        enum class kind { put, erase, keep, forget } what = kind::put;
        stored_command command;
        done_fn done;
        kept_outcome outcome;
    };

    void apply(write& w) {
        if (w.what == write::kind::keep) return outcomes_.push_back(w.outcome);
        if (w.what == write::kind::forget) {
            std::erase_if(outcomes_, [&](const kept_outcome& o) {
                return o.controller == w.outcome.controller;
            });
            return;
        }
        std::erase_if(rows_, [&](const stored_command& r) {
            return r.controller == w.command.controller && r.id == w.command.id;
        });
        if (w.what == write::kind::put) rows_.push_back(w.command);
    }

    mutable std::mutex mutex_;
    std::vector<write> waiting_;
    std::vector<stored_command> rows_;
    std::vector<kept_outcome> outcomes_;
};

}  // namespace switchboard::testing
