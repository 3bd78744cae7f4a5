// The open and close lines: every fact named, the reason quoted and escaped
// so a line stays one line whatever a peer put in its close reason.

#include "core/connection_log.hpp"

#include <gtest/gtest.h>

namespace switchboard {
namespace {

const connection_facts pump{"pump-12", "device", "wss", "10.0.0.7", "s-42"};

TEST(ConnectionLog, OpenLineNamesEveryFact) {
    EXPECT_EQ(connection_opened_line(pump),
              "connection open: id=pump-12 role=device transport=wss remote=10.0.0.7 session=s-42");
}

TEST(ConnectionLog, CloseLineQuotesTheReason) {
    EXPECT_EQ(connection_closed_line(pump, "closed by the gateway: 4003 taken over"),
              "connection closed: id=pump-12 role=device transport=wss remote=10.0.0.7 "
              "session=s-42 reason=\"closed by the gateway: 4003 taken over\"");
    std::string line = connection_closed_line(pump, "bye\n\"forged\" line");
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    EXPECT_NE(line.find(R"(reason="bye\n\"forged\" line")"), std::string::npos) << line;
}

}  // namespace
}  // namespace switchboard
