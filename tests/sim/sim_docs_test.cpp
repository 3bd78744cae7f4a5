// docs/simulator.md lists every flag of `switchboard-sim fleet` and
// `switchboard-sim load`, and no flag the simulator does not take, each with
// the default --help shows.

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "child_process.hpp"
#include "doc_tables.hpp"
#include "test_paths.hpp"

namespace switchboard {
namespace {

std::string help_of(const std::string& mode) {
    return test::run_program({test::test_paths::simulator(), mode, "--help"}).output;
}

TEST(SimDocs, FlagsInSimulatorMdMatchHelpOfEachMode) {
    const std::string flags = test::doc_section(test::read_doc("docs/simulator.md"), "## Flags");
    const std::size_t load_at = flags.find("Load (`switchboard-sim load`)");
    ASSERT_NE(load_at, std::string::npos) << "docs/simulator.md ## Flags has no Load paragraph";
    const auto fleet_help = test::long_flags(help_of("fleet"));
    const auto load_help = test::long_flags(help_of("load"));
    EXPECT_FALSE(fleet_help.empty());
    EXPECT_FALSE(load_help.empty());
    EXPECT_EQ(test::long_flags(flags.substr(0, load_at)), fleet_help)
        << "docs/simulator.md's fleet table against `switchboard-sim fleet --help`";
    EXPECT_EQ(test::long_flags(flags.substr(load_at)), load_help)
        << "docs/simulator.md's load paragraph against `switchboard-sim load --help`";
}

// Flag -> default, from CLI11's help lines ("  -n,--devices UINT=100   ...",
// "  --transport TEXT:{ws,mqtt,mixed}=ws"); flags showing none are left out.
std::map<std::string, std::string> help_defaults(const std::string& help) {
    std::map<std::string, std::string> out;
    std::istringstream lines(help);
    std::string line;
    while (std::getline(lines, line)) {
        const std::size_t at = line.find("--");
        if (at == std::string::npos || line.find_first_not_of(' ') + 4 < at) continue;
        const std::size_t name_end = line.find(' ', at);
        if (name_end == std::string::npos || line.compare(name_end, 2, "  ") == 0) continue;
        const std::size_t type_end = line.find("  ", name_end + 1);
        const std::string type = line.substr(name_end + 1, type_end - name_end - 1);
        if (auto eq = type.find('='); eq != std::string::npos) {
            out[line.substr(at, name_end - at)] = type.substr(eq + 1);
        }
    }
    return out;
}

// A default as the docs write it, without backticks: one word; "none" and
// "off" are none, and words with spaces are an explanation, not a default.
bool documented_default(std::string text, std::string& out) {
    std::erase(text, '`');
    text = test::trimmed(text);
    if (text.empty() || text == "none" || text == "off") return false;
    if (text.find_first_of(" \n") != std::string::npos) return false;
    out = text;
    return true;
}

// Flag -> default from the fleet table's rows ("| `-n`, `--devices N` | 100 | ...").
std::map<std::string, std::string> table_defaults(const std::string& text) {
    std::map<std::string, std::string> out;
    for (const auto& row : test::table_rows(text)) {
        if (row.size() < 2) continue;
        std::string value;
        if (!documented_default(row[1], value)) continue;
        for (const auto& span : test::backticked(row[0])) {
            if (span.starts_with("--")) out[span.substr(0, span.find(' '))] = value;
        }
    }
    return out;
}

// Flag -> default from the load paragraph ("`--controllers` (10)", "`--rate`
// (0: closed loop)", "`--url` (`ws://...`)").
std::map<std::string, std::string> paragraph_defaults(const std::string& text) {
    std::map<std::string, std::string> out;
    for (std::size_t at = text.find("`--"); at != std::string::npos;
         at = text.find("`--", at + 1)) {
        const std::size_t close = text.find('`', at + 1);
        if (close == std::string::npos) break;
        const std::string flag = text.substr(at + 1, close - at - 1);
        std::size_t open = close + 1;
        while (open < text.size() && (text[open] == ' ' || text[open] == '\n')) ++open;
        if (open >= text.size() || text[open] != '(') continue;
        std::string value;
        if (text.compare(open + 1, 1, "`") == 0) {
            value = text.substr(open + 2, text.find('`', open + 2) - open - 2);
        } else {
            value = text.substr(open + 1, text.find_first_of(":);", open + 1) - open - 1);
        }
        if (documented_default(value, value)) out[flag] = value;
    }
    return out;
}

TEST(SimDocs, DefaultsInSimulatorMdMatchHelpOfEachMode) {
    const std::string flags = test::doc_section(test::read_doc("docs/simulator.md"), "## Flags");
    const std::size_t load_at = flags.find("Load (`switchboard-sim load`)");
    ASSERT_NE(load_at, std::string::npos);
    const auto fleet_help = help_defaults(help_of("fleet"));
    const auto load_help = help_defaults(help_of("load"));
    EXPECT_GE(fleet_help.size(), 8u) << help_of("fleet");
    EXPECT_GE(load_help.size(), 12u) << help_of("load");
    EXPECT_EQ(table_defaults(flags.substr(0, load_at)), fleet_help)
        << "docs/simulator.md's fleet table's defaults against `switchboard-sim fleet --help`";
    EXPECT_EQ(paragraph_defaults(flags.substr(load_at)), load_help)
        << "docs/simulator.md's load paragraph's defaults against `switchboard-sim load --help`";
}

}  // namespace
}  // namespace switchboard
