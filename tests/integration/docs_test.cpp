// docs/protocol.md lists the HTTP routes the gateway answers itself, and
// only those: checked against the route table of broker/http_routes.cpp.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "doc_tables.hpp"
#include "http_routes.hpp"

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

}  // namespace
}  // namespace switchboard
