// The docs say what the code does: every config key the parser reads is in
// docs/configuration.md with its default, and every error and close code the
// gateway has is in docs/protocol.md; in both, nothing is documented that the
// code does not know. The lists come from the code itself (the config
// reader's key table, the error enum, close_code::all), never from a second
// hand-kept list.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/error_code.hpp"
#include "core/gateway_config.hpp"
#include "core/reload_plan.hpp"
#include "doc_tables.hpp"

namespace switchboard {
namespace {

using test::backticked;
using test::doc_section;
using test::read_doc;
using test::table_rows;
using test::trimmed;

// How docs/configuration.md writes a default: strings and booleans as they
// are, nothing as "(none)" (possibly followed by what the code does then).
std::string doc_default(const std::string& default_json) {
    if (default_json == "null" || default_json == "\"\"") return "(none)";
    if (default_json.size() >= 2 && default_json.front() == '"') {
        return default_json.substr(1, default_json.size() - 2);
    }
    return default_json;
}

std::string without_backticks(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), '`'), s.end());
    return trimmed(s);
}

std::vector<std::string> split_commas(const std::string& cell) {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    for (std::size_t comma; (comma = cell.find(',', pos)) != std::string::npos; pos = comma + 1) {
        parts.push_back(without_backticks(cell.substr(pos, comma - pos)));
    }
    parts.push_back(without_backticks(cell.substr(pos)));
    return parts;
}

TEST(Docs, EveryConfigKeyIsDocumentedWithItsDefault) {
    const auto rows = table_rows(read_doc("docs/configuration.md"));
    // The row naming `key` in its first cell, and the key's place in that cell.
    auto row_of =
        [&](const std::string& key) -> std::pair<const std::vector<std::string>*, std::size_t> {
        for (const auto& row : rows) {
            if (row.size() < 3) continue;
            auto names = backticked(row[0]);
            auto it = std::find(names.begin(), names.end(), key);
            if (it != names.end()) return {&row, static_cast<std::size_t>(it - names.begin())};
        }
        return {nullptr, 0};
    };
    const auto keys = config_keys();
    ASSERT_GT(keys.size(), 40u);
    for (const config_key& key : keys) {
        if (auto element = key.path.find("[]."); element != std::string::npos) {
            // An element of an array of objects: named, quoted, in the array's row.
            auto [row, index] = row_of(key.path.substr(0, element));
            ASSERT_NE(row, nullptr) << key.path.substr(0, element) << " is not documented";
            std::string field = "\"" + key.path.substr(element + 3) + "\"";
            EXPECT_NE((*row)[2].find(field), std::string::npos)
                << key.path << ": " << field << " is not in the row of "
                << key.path.substr(0, element) << " in docs/configuration.md";
            continue;
        }
        auto [row, index] = row_of(key.path);
        if (row == nullptr) {
            ADD_FAILURE() << key.path << " (default " << key.default_json
                          << ") is not documented in docs/configuration.md";
            continue;
        }
        const std::string expected = doc_default(key.default_json);
        auto parts = split_commas((*row)[1]);
        std::string written = parts.size() == backticked((*row)[0]).size()
                                  ? parts[index]
                                  : without_backticks((*row)[1]);
        if (expected == "(none)") {
            EXPECT_TRUE(written.starts_with("(none)"))
                << key.path << ": docs/configuration.md says the default is '" << written
                << "', the code has none";
        } else {
            EXPECT_EQ(written, expected) << key.path << ": the default in docs/configuration.md";
        }
    }
}

TEST(Docs, ConfigurationDocumentsNoKeyTheCodeDoesNotKnow) {
    std::set<std::string> known;
    for (const config_key& key : config_keys()) known.insert(key.path);
    for (const auto& row : table_rows(read_doc("docs/configuration.md"))) {
        if (row.size() < 3) continue;
        for (const std::string& name : backticked(row[0])) {
            EXPECT_TRUE(known.contains(name))
                << "docs/configuration.md documents '" << name << "', which the config parser "
                << "does not read";
        }
    }
}

// The reload table names each key (or `section.*`) once, and says "cannot
// change" exactly for the keys core/reload_plan refuses to change live.
TEST(Docs, ReloadTableMatchesWhatAReloadChanges) {
    const auto section =
        doc_section(read_doc("docs/configuration.md"), "### Reloading the config (SIGHUP)");
    struct entry {
        std::string name;
        bool fixed;
        bool used = false;
    };
    std::vector<entry> entries;
    for (const auto& row : table_rows(section)) {
        if (row.size() != 2 || row[0] == "keys") continue;
        for (const auto& name : backticked(row[0])) {
            entries.push_back({name, row[1].starts_with("cannot change")});
        }
    }
    ASSERT_GT(entries.size(), 10u);
    for (const config_key& key : config_keys()) {
        auto covers = [&](const entry& e) {
            if (e.name.ends_with(".*"))
                return key.path.starts_with(e.name.substr(0, e.name.size() - 1));
            return key.path == e.name;
        };
        auto it = std::find_if(entries.begin(), entries.end(), covers);
        if (it == entries.end()) {
            ADD_FAILURE() << key.path << " is not in the reload table of docs/configuration.md";
            continue;
        }
        it->used = true;
        EXPECT_EQ(it->fixed, is_live_key(key.path) == false)
            << key.path << ": the reload table says " << (it->fixed ? "fixed" : "live");
    }
    for (const auto& e : entries) {
        EXPECT_TRUE(e.used) << "the reload table names '" << e.name << "', which is no config key";
    }
}

TEST(Docs, ErrorCodesInProtocolMatchTheCode) {
    std::set<std::string> in_code;
    for (int i = 0; i < 256; ++i) {
        auto name = to_string(static_cast<error_code>(i));
        if (name.empty()) break;
        in_code.emplace(name);
    }
    ASSERT_GE(in_code.size(), 10u);
    std::set<std::string> in_doc;
    const auto section = doc_section(read_doc("docs/protocol.md"), "### Error codes");
    for (const auto& row : table_rows(section)) {
        for (const std::string& code : backticked(row.at(0))) in_doc.insert(code);
    }
    EXPECT_EQ(in_doc, in_code) << "docs/protocol.md §3 \"Error codes\" against core/error_code.hpp";
}

TEST(Docs, CloseCodesInProtocolMatchTheCode) {
    std::set<std::string> in_code;
    for (unsigned short code : close_code::all) in_code.insert(std::to_string(code));
    std::set<std::string> in_doc;
    const auto section = doc_section(read_doc("docs/protocol.md"), "## 2. WebSocket transport");
    for (const auto& row : table_rows(section)) {
        const std::string& first = row.at(0);
        if (!first.empty() && std::all_of(first.begin(), first.end(), ::isdigit)) {
            in_doc.insert(first);
        }
    }
    EXPECT_EQ(in_doc, in_code) << "docs/protocol.md §2 close codes against close_code::all";
}

}  // namespace
}  // namespace switchboard
