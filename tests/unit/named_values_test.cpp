#include "core/named_values.hpp"

#include <gtest/gtest.h>

#include "core/access_rules.hpp"
#include "core/client_record.hpp"

namespace switchboard {
namespace {

enum class colour { red, green, blue };
constexpr named_value<colour> two_colours[] = {{"red", colour::red}, {"green", colour::green}};
constexpr named_value<colour> colours[] = {
    {"red", colour::red}, {"green", colour::green}, {"blue", colour::blue}, {"navy", colour::blue}};

TEST(NamedValues, FindsAValueByItsExactName) {
    EXPECT_EQ(value_named(colours, "green"), colour::green);
    EXPECT_EQ(value_named(colours, "navy"), colour::blue);
    EXPECT_EQ(value_named(colours, "Green"), std::nullopt);
    EXPECT_EQ(value_named(colours, ""), std::nullopt);
    EXPECT_EQ(value_named(colours, std::string_view("red\0", 4)), std::nullopt);
}

TEST(NamedValues, AValueIsNamedByItsFirstName) {
    EXPECT_EQ(name_of(colours, colour::blue), "blue");
    EXPECT_EQ(name_of(two_colours, colour::blue), "");
    static_assert(value_named(colours, "red") == colour::red, "usable at compile time");
}

TEST(NamedValues, ErrorsListEveryNameQuoted) {
    EXPECT_EQ(names_for_error(two_colours), R"("red" or "green")");
    EXPECT_EQ(names_for_error(colours), R"(one of "red", "green", "blue", "navy")");
}

TEST(NamedValues, RolesAndRuleWordsRoundTrip) {
    for (const auto& entry : role_names) {
        EXPECT_EQ(parse_role(entry.name), entry.value);
        EXPECT_EQ(to_string(entry.value), entry.name);
    }
    EXPECT_EQ(parse_role("Device"), std::nullopt);
    auto any = value_named(rule_action_names, "any");  // a word whose value is "no action named"
    ASSERT_TRUE(any.has_value());
    EXPECT_FALSE(any->has_value());
    EXPECT_FALSE(value_named(rule_action_names, "all").has_value());
}

}  // namespace
}  // namespace switchboard
