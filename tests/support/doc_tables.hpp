#pragma once
// Reads the tables of the repository's Markdown docs, so that tests can
// check a doc against the code it describes (a key, a code or a route the
// code knows is documented, and the doc names nothing the code does not
// know). They are found through test_paths::source_dir().

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "test_paths.hpp"

namespace switchboard::test {

// The text of `relative` (e.g. "docs/protocol.md"); empty, with a failure, if unreadable.
inline std::string read_doc(const std::string& relative) {
    std::ifstream in(test_paths::source_dir() + "/" + relative);
    EXPECT_TRUE(in) << relative << " cannot be read";
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The part of `text` from the line starting with `heading` to the next
// heading of the same or a higher level; empty, with a failure, if absent.
inline std::string doc_section(const std::string& text, std::string_view heading) {
    std::size_t start = text.find("\n" + std::string(heading));
    EXPECT_NE(start, std::string::npos) << "no heading '" << heading << "'";
    if (start == std::string::npos) return {};
    const std::size_t level = heading.find_first_not_of('#');
    std::size_t end = start + 1;
    while ((end = text.find("\n#", end + 1)) != std::string::npos) {
        std::size_t hashes = text.find_first_not_of('#', end + 1) - (end + 1);
        if (hashes <= level) break;
    }
    return text.substr(start + 1, end == std::string::npos ? std::string::npos : end - start - 1);
}

inline std::string trimmed(std::string_view s) {
    std::size_t a = s.find_first_not_of(" \t");
    if (a == std::string_view::npos) return {};
    std::size_t b = s.find_last_not_of(" \t");
    return std::string(s.substr(a, b - a + 1));
}

// The cells of every table row in `text` (lines starting with '|'),
// separator rows left out.
inline std::vector<std::vector<std::string>> table_rows(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line.front() != '|' || line.starts_with("|---")) continue;
        std::vector<std::string> cells;
        std::size_t pos = 1;
        for (std::size_t bar; (bar = line.find('|', pos)) != std::string::npos; pos = bar + 1) {
            cells.push_back(trimmed(std::string_view(line).substr(pos, bar - pos)));
        }
        rows.push_back(std::move(cells));
    }
    return rows;
}

// The `quoted` spans of a cell, in order.
inline std::vector<std::string> backticked(std::string_view cell) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (true) {
        std::size_t a = cell.find('`', pos);
        if (a == std::string_view::npos) break;
        std::size_t b = cell.find('`', a + 1);
        if (b == std::string_view::npos) break;
        out.emplace_back(cell.substr(a + 1, b - a - 1));
        pos = b + 1;
    }
    return out;
}

// Every long flag (`--name`) written in `text`, without `--help`: a program's
// --help output or a doc's flag list.
inline std::set<std::string> long_flags(std::string_view text) {
    std::set<std::string> flags;
    auto is_name = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    };
    for (std::size_t i = text.find("--"); i != std::string_view::npos; i = text.find("--", i)) {
        bool starts_word = i == 0 || !is_name(text[i - 1]);
        std::size_t end = i + 2;
        while (end < text.size() && is_name(text[end])) ++end;
        if (starts_word && end > i + 2 && text[i + 2] >= 'a' && text[i + 2] <= 'z') {
            std::string flag(text.substr(i, end - i));
            if (flag != "--help") flags.insert(std::move(flag));
        }
        i = end;
    }
    return flags;
}

}  // namespace switchboard::test
