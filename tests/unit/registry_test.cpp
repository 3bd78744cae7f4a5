#include "core/registry.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard {
namespace {

client_ptr make_client(std::string id, std::string session, client_role role = client_role::device,
                       client_trust trust = client_trust::unauthenticated) {
    auto c = std::make_shared<client_record>();
    c->id = std::move(id);
    c->session = std::move(session);
    c->role = role;
    c->trust = trust;
    return c;
}

client_ptr make_trusted(std::string id, std::string session, client_trust trust) {
    return make_client(std::move(id), std::move(session), client_role::device, trust);
}

// "d00".."d99": IDs whose text order is their numeric order.
std::string numbered(int i) { return (i < 10 ? "d0" : "d") + std::to_string(i); }

std::vector<std::string> ids_of(const std::vector<client_ptr>& clients) {
    std::vector<std::string> out;
    for (const auto& c : clients) out.push_back(c->id);
    return out;
}

TEST(Registry, InsertThenFind) {
    registry r;
    auto c = make_client("pump-1", "s1");
    auto result = r.insert(c, duplicate_policy::takeover);
    EXPECT_TRUE(result.accepted);
    EXPECT_EQ(result.replaced, nullptr);
    EXPECT_EQ(r.find("pump-1"), c);
    EXPECT_EQ(r.find("pump-2"), nullptr);
    EXPECT_EQ(r.size(), 1u);
}

TEST(Registry, DuplicateIdTakesOver) {
    registry r;
    auto old_one = make_client("pump-1", "s1");
    auto new_one = make_client("pump-1", "s2");
    r.insert(old_one, duplicate_policy::takeover);
    auto result = r.insert(new_one, duplicate_policy::takeover);
    EXPECT_TRUE(result.accepted);
    EXPECT_EQ(result.replaced, old_one);
    EXPECT_EQ(r.find("pump-1"), new_one);
    EXPECT_EQ(r.size(), 1u);
}

TEST(Registry, UnauthenticatedClaimCannotTakeOverAnAuthenticatedHolder) {
    registry r;
    auto holder = make_trusted("pump-12", "ws-1", client_trust::authenticated);
    r.insert(holder, duplicate_policy::takeover);
    auto result = r.insert(make_trusted("pump-12", "mqtt-1", client_trust::unauthenticated),
                           duplicate_policy::takeover);
    EXPECT_FALSE(result.accepted);
    EXPECT_TRUE(result.outranked);
    EXPECT_EQ(result.replaced, nullptr);
    EXPECT_EQ(r.find("pump-12"), holder);
}

TEST(Registry, TakeoverWithinOrUpATrustLevel) {
    registry r;
    auto anonymous = make_trusted("pump-12", "mqtt-1", client_trust::unauthenticated);
    r.insert(anonymous, duplicate_policy::takeover);
    auto authenticated = make_trusted("pump-12", "ws-1", client_trust::authenticated);
    auto up = r.insert(authenticated, duplicate_policy::takeover);
    EXPECT_TRUE(up.accepted);
    EXPECT_EQ(up.replaced, anonymous);
    auto again = make_trusted("pump-12", "mqtt-2", client_trust::authenticated);
    auto same = r.insert(again, duplicate_policy::takeover);
    EXPECT_TRUE(same.accepted);
    EXPECT_FALSE(same.outranked);
    EXPECT_EQ(same.replaced, authenticated);
    EXPECT_EQ(r.find("pump-12"), again);
}

TEST(Registry, DuplicateIdRejectedUnderRejectPolicy) {
    registry r;
    auto first = make_client("pump-1", "s1");
    r.insert(first, duplicate_policy::reject);
    auto result = r.insert(make_client("pump-1", "s2"), duplicate_policy::reject);
    EXPECT_FALSE(result.accepted);
    EXPECT_EQ(result.replaced, nullptr);
    EXPECT_EQ(r.find("pump-1"), first);
}

TEST(Registry, EraseNeedsTheOwningSession) {
    registry r;
    r.insert(make_client("pump-1", "s1"), duplicate_policy::takeover);
    EXPECT_FALSE(r.erase("pump-1", "s-other"));
    EXPECT_NE(r.find("pump-1"), nullptr);
    EXPECT_TRUE(r.erase("pump-1", "s1"));
    EXPECT_EQ(r.find("pump-1"), nullptr);
    EXPECT_FALSE(r.erase("pump-1", "s1"));
    EXPECT_EQ(r.size(), 0u);
}

TEST(Registry, EveryArrivalAndDepartureDrawsTheNextSequenceNumber) {
    registry r;
    auto a = r.insert(make_client("pump-1", "s1"), duplicate_policy::takeover);
    auto b = r.insert(make_client("pump-2", "s2"), duplicate_policy::takeover);
    auto c = r.insert(make_client("pump-1", "s3"), duplicate_policy::takeover);
    EXPECT_EQ(b.seq, a.seq + 1);
    EXPECT_EQ(c.seq, b.seq + 1);
    EXPECT_EQ(r.erase("pump-1", "s1"), 0u);  // taken over: no departure
    EXPECT_EQ(r.erase("pump-1", "s3"), c.seq + 1);
    EXPECT_EQ(r.insert(make_client("pump-1", "s4"), duplicate_policy::reject).seq, c.seq + 2);
    EXPECT_EQ(r.insert(make_client("pump-1", "s5"), duplicate_policy::reject).seq, 0u);
}

TEST(Registry, OldSessionDoesNotEraseTheNewerOne) {
    registry r;
    r.insert(make_client("pump-1", "s1"), duplicate_policy::takeover);
    auto newer = make_client("pump-1", "s2");
    r.insert(newer, duplicate_policy::takeover);
    // The replaced session's cleanup runs after the takeover.
    EXPECT_FALSE(r.erase("pump-1", "s1"));
    EXPECT_EQ(r.find("pump-1"), newer);
}

TEST(Registry, ListIsSortedById) {
    registry r;
    for (const char* id : {"m", "b", "z", "a", "pump-10", "pump-2", "pump-1"}) {
        r.insert(make_client(id, std::string("s-") + id), duplicate_policy::takeover);
    }
    bool more = true;
    auto all = r.list({}, 100, more);
    EXPECT_FALSE(more);
    EXPECT_EQ(ids_of(all),
              (std::vector<std::string>{"a", "b", "m", "pump-1", "pump-10", "pump-2", "z"}));
}

TEST(Registry, ListFiltersByRoleAndPrefix) {
    registry r;
    r.insert(make_client("pump-1", "s1"), duplicate_policy::takeover);
    r.insert(make_client("pump-2", "s2"), duplicate_policy::takeover);
    r.insert(make_client("pump-ctl", "s3", client_role::controller), duplicate_policy::takeover);
    r.insert(make_client("valve-1", "s4"), duplicate_policy::takeover);
    r.insert(make_client("dash", "s5", client_role::controller), duplicate_policy::takeover);
    bool more = true;

    EXPECT_EQ(ids_of(r.list({client_role::device, "", ""}, 100, more)),
              (std::vector<std::string>{"pump-1", "pump-2", "valve-1"}));
    EXPECT_EQ(ids_of(r.list({client_role::controller, "", ""}, 100, more)),
              (std::vector<std::string>{"dash", "pump-ctl"}));
    EXPECT_EQ(ids_of(r.list({std::nullopt, "pump-", ""}, 100, more)),
              (std::vector<std::string>{"pump-1", "pump-2", "pump-ctl"}));
    EXPECT_EQ(ids_of(r.list({client_role::device, "pump-", ""}, 100, more)),
              (std::vector<std::string>{"pump-1", "pump-2"}));
    EXPECT_TRUE(r.list({std::nullopt, "nothing", ""}, 100, more).empty());
    EXPECT_FALSE(more);
}

TEST(Registry, ListAfterPagesStrictlyPastTheGivenId) {
    registry r;
    for (const char* id : {"a", "b", "c", "d"}) {
        r.insert(make_client(id, std::string("s-") + id), duplicate_policy::takeover);
    }
    bool more = true;
    EXPECT_EQ(ids_of(r.list({std::nullopt, "", "b"}, 100, more)),
              (std::vector<std::string>{"c", "d"}));
    EXPECT_EQ(ids_of(r.list({std::nullopt, "", "bb"}, 100, more)),
              (std::vector<std::string>{"c", "d"}));
    EXPECT_TRUE(r.list({std::nullopt, "", "d"}, 100, more).empty());
}

TEST(Registry, ListLimitSetsMoreAndKeepsTheLowestIds) {
    registry r;
    for (int i = 0; i < 50; ++i) {
        r.insert(make_client(numbered(i), numbered(i)), duplicate_policy::takeover);
    }
    bool more = false;
    auto page = r.list({}, 10, more);
    EXPECT_TRUE(more);
    ASSERT_EQ(page.size(), 10u);
    EXPECT_EQ(page.front()->id, "d00");
    EXPECT_EQ(page.back()->id, "d09");

    // Paging with `after` walks the rest without gaps or repeats.
    std::vector<std::string> seen = ids_of(page);
    while (more) {
        page = r.list({std::nullopt, "", seen.back()}, 10, more);
        for (auto& id : ids_of(page)) seen.push_back(id);
    }
    ASSERT_EQ(seen.size(), 50u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)], numbered(i));

    auto exact = r.list({}, 50, more);
    EXPECT_EQ(exact.size(), 50u);
    EXPECT_FALSE(more);
}

}  // namespace
}  // namespace switchboard
