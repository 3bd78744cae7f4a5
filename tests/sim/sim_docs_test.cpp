// docs/simulator.md lists every flag of `switchboard-sim fleet` and
// `switchboard-sim load`, and no flag the simulator does not take.

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace switchboard
