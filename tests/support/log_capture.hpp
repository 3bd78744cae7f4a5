#pragma once
// Every line logged through spdlog's default logger while it lives, for tests
// that check what the gateway logs. Install it before the gateway starts
// (adding a sink is not safe while other threads log). Thread-safe reads.

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace switchboard::test {

class log_capture {
public:
    log_capture() { spdlog::default_logger()->sinks().push_back(sink_); }
    ~log_capture() {
        auto& sinks = spdlog::default_logger()->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    }
    log_capture(const log_capture&) = delete;
    log_capture& operator=(const log_capture&) = delete;

    // Everything logged, one line each.
    std::string text() const { return sink_->text(); }

    // The lines holding `part`, in the order logged.
    std::vector<std::string> lines_with(const std::string& part) const {
        std::vector<std::string> out;
        std::string all = text();
        for (std::size_t at = 0; at < all.size();) {
            std::size_t end = all.find('\n', at);
            std::string line = all.substr(at, end - at);
            if (line.find(part) != std::string::npos) out.push_back(std::move(line));
            if (end == std::string::npos) break;
            at = end + 1;
        }
        return out;
    }

private:
    class sink final : public spdlog::sinks::base_sink<std::mutex> {
    public:
        std::string text() {
            std::lock_guard lock(mutex_);
            return text_;
        }

    protected:
        void sink_it_(const spdlog::details::log_msg& msg) override {
            text_.append(msg.payload.data(), msg.payload.size()).push_back('\n');
        }
        void flush_() override {}

    private:
        std::string text_;
    };
    std::shared_ptr<sink> sink_ = std::make_shared<sink>();
};

}  // namespace switchboard::test
