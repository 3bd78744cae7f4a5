#include "ending_tally.hpp"

#include <algorithm>

namespace switchboard::sim {

std::string ending_kind(const client::close_info& info) {
    if (info.local) return {};
    if (!info.refusal.empty()) return info.refusal;
    if (info.code != 1006) {
        std::string kind = "close " + std::to_string(info.code);
        if (!info.reason.empty()) kind += " " + info.reason;
        return kind;
    }
    return info.reason.empty() ? std::string("connection dropped") : info.reason;
}

void ending_tally::add(std::string_view kind) {
    if (kind.empty()) return;
    std::lock_guard lock(mutex_);
    ++total_;
    for (auto& [name, count] : kinds_) {
        if (name == kind) {
            ++count;
            return;
        }
    }
    if (kinds_.size() + 1 < max_kinds) {
        kinds_.emplace_back(kind, 1);
        return;
    }
    for (auto& [name, count] : kinds_) {
        if (name == "other") {
            ++count;
            return;
        }
    }
    kinds_.emplace_back("other", 1);
}

std::uint64_t ending_tally::total() const {
    std::lock_guard lock(mutex_);
    return total_;
}

std::vector<std::pair<std::string, std::uint64_t>> ending_tally::by_count() const {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    {
        std::lock_guard lock(mutex_);
        out = kinds_;
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return out;
}

}  // namespace switchboard::sim
