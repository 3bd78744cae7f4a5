// The docs against the code they describe: docs/protocol.md lists the HTTP
// routes the gateway answers itself (the route table of broker/http_routes.cpp),
// docs/configuration.md the flags `switchboard --help` prints, and no others.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "child_process.hpp"
#include "doc_tables.hpp"
#include "http_routes.hpp"
#include "test_paths.hpp"

namespace switchboard {
namespace {

TEST(Docs, HttpRoutesInProtocolMatchTheRouteTable) {
    std::set<std::string> in_code;
    for (const http_route& route : http_routes()) in_code.emplace(route.path);
    ASSERT_FALSE(in_code.empty());
    std::set<std::string> in_doc;
    const auto section =
        test::doc_section(test::read_doc("docs/protocol.md"), "## 2. WebSocket transport");
    for (const auto& row : test::table_rows(section)) {
        for (const std::string& name : test::backticked(row.at(0))) {
            if (name.starts_with("/")) in_doc.insert(name.substr(0, name.find_first_of(" ?")));
        }
    }
    EXPECT_EQ(in_doc, in_code) << "docs/protocol.md §2 \"HTTP routes\" against http_routes()";
}

// The text from the line starting with `start` to the next blank line.
std::string paragraph(const std::string& text, std::string_view start) {
    std::size_t at = text.find(start);
    EXPECT_NE(at, std::string::npos) << "no paragraph starting '" << start << "'";
    if (at == std::string::npos) return {};
    return text.substr(at, text.find("\n\n", at) - at);
}

TEST(Docs, GatewayFlagsInConfigurationMatchHelp) {
    const std::string gateway = test::test_paths::gateway();
    const std::string help = test::run_program({gateway, "--help"}).output +
                             test::run_program({gateway, "token", "--help"}).output +
                             test::run_program({gateway, "reload", "--help"}).output;
    const std::string doc = test::read_doc("docs/configuration.md");
    const std::string listed = paragraph(doc, "Flags (`switchboard --help`)") +
                               paragraph(doc, "- `switchboard token ") +
                               paragraph(doc, "- `switchboard reload ");
    EXPECT_FALSE(test::long_flags(help).empty());
    EXPECT_EQ(test::long_flags(listed), test::long_flags(help))
        << "docs/configuration.md's flag list against `switchboard --help`, `token --help` and "
           "`reload --help`";
}

}  // namespace
}  // namespace switchboard
