#include "core/json_text.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace switchboard {
namespace {

using namespace std::string_literals;

bool nlohmann_accepts(std::string_view text) { return nlohmann::json::accept(text); }

// Each text is judged by nlohmann::json too: the scanner replaced it on the
// hot path and must accept exactly what it accepted (tests/fuzz checks this
// on arbitrary bytes; these are the cases worth naming).
TEST(JsonText, AcceptsWhatNlohmannAcceptsAndRefusesWhatItRefuses) {
    const std::vector<std::string> texts = {
        // valid
        "{}",
        "[]",
        "0",
        "-0",
        "1.5e+3",
        "-12.25E-2",
        "true",
        "false",
        "null",
        R"("")",
        R"({"a":1,"b":[true,false,null],"c":{"d":"e"}})",
        " \t\r\n{ \"a\" : [ 1 , 2 ] } \n",
        R"("\"\\\/\b\f\n\r\t")",
        R"("\u00e9\u20AC")",
        R"("\ud83d\ude00")",
        R"("\u0000")",
        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
        "\"\x7f\"",
        "\xef\xbb\xbf{}",
        R"({"a":1,"a":2})",
        "[[[[[]]]]]",
        "1e-400",
        "1.7e308",
        std::string(300, '9'),
        // invalid
        "",
        " ",
        "{",
        "}",
        "[",
        "[1,]",
        "{\"a\":1,}",
        "{,}",
        "{\"a\"}",
        "{\"a\":}",
        "{a:1}",
        "{'a':1}",
        "01",
        "1.",
        ".5",
        "1e",
        "1e+",
        "-",
        "+1",
        "--1",
        "0x10",
        "NaN",
        "Infinity",
        "tru",
        "truex",
        "nul",
        "[1 2]",
        "{\"a\":1 \"b\":2}",
        "{} {}",
        "{}x",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12G4\"",
        R"("\ud83d")",
        R"("\ude00")",
        R"("\ud83d\u0041")",
        R"("\ud83dx")",
        "\"a\nb\"",
        "\"a\tb\"",
        "\"\x01\"",
        "\"\xc3\"",
        "\"\xc0\xaf\"",
        "\"\xed\xa0\x80\"",
        "\"\xf4\x90\x80\x80\"",
        "\"\xff\"",
        "\xef\xbb{}",
        "\xef\xbb\xbf",
        "{\"a\":1}\xef\xbb\xbf",
        "[1]]",
        "{\"a\":[}",
        "/* c */ {}",
        "{} // c",
        "\f{}",
        "\v{}",
        "\xc2\xa0{}",
        "1E400",
        "-1e309",
        "[1.8e308]",
        std::string(400, '9'),
    };
    for (const auto& text : texts) {
        EXPECT_EQ(is_valid_json(text), nlohmann_accepts(text)) << "text: " << text;
    }
}

TEST(JsonText, ObjectMembersKeepTheirValuesAsText) {
    json_object_view object;
    const std::string text =
        R"( {"type" : "command", "args": {"speed": [1, 2.50]}, "n":-3, "ok":true, "x":null} )";
    ASSERT_EQ(object.parse(text), json_object_view::status::ok);
    EXPECT_EQ(object.size(), 5u);
    ASSERT_NE(object.find("args"), nullptr);
    EXPECT_EQ(object.find("args")->kind, json_kind::object);
    EXPECT_EQ(object.find("args")->value, R"({"speed": [1, 2.50]})");
    EXPECT_EQ(object.find("type")->kind, json_kind::string);
    EXPECT_EQ(object.find("type")->value, R"("command")");
    EXPECT_EQ(json_string_value(object.find("type")->value), "command");
    EXPECT_EQ(object.find("n")->kind, json_kind::number);
    EXPECT_EQ(json_integer_value(object.find("n")->value), -3);
    EXPECT_EQ(object.find("ok")->kind, json_kind::boolean);
    EXPECT_EQ(object.find("x")->kind, json_kind::null);
    EXPECT_EQ(object.find("speed"), nullptr) << "only top-level members";
    EXPECT_EQ(object.find("missing"), nullptr);
}

TEST(JsonText, TellsAnObjectFromOtherJsonAndFromNonJson) {
    json_object_view object;
    EXPECT_EQ(object.parse("[1,2]"), json_object_view::status::not_object);
    EXPECT_EQ(object.parse("\"text\""), json_object_view::status::not_object);
    EXPECT_EQ(object.parse("{\"a\":1"), json_object_view::status::not_json);
    EXPECT_EQ(object.size(), 0u) << "a failed parse leaves no members behind";
    EXPECT_EQ(object.parse("[1,"), json_object_view::status::not_json);
}

TEST(JsonText, ARepeatedKeyCountsOnceWithItsLastValueAsInNlohmann) {
    json_object_view object;
    ASSERT_EQ(object.parse(R"({"to":"a","to":"b"})"), json_object_view::status::ok);
    EXPECT_EQ(json_string_value(object.find("to")->value), "b");
    EXPECT_EQ(nlohmann::json::parse(R"({"to":"a","to":"b"})")["to"], "b");
}

TEST(JsonText, KeysAndStringsWithEscapesAreDecodedLikeNlohmann) {
    json_object_view object;
    const std::string text = R"({"t\u0079pe":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00\u0000z"})";
    ASSERT_EQ(object.parse(text), json_object_view::status::ok);
    const json_member* m = object.find("type");
    ASSERT_NE(m, nullptr);
    EXPECT_TRUE(m->key_escaped);
    EXPECT_EQ(json_key_value(*m), "type");
    EXPECT_EQ(json_string_value(m->value), nlohmann::json::parse(text)["type"].get<std::string>());
}

TEST(JsonText, MoreThanSixteenMembersAreAllKept) {
    std::string text = "{";
    for (int i = 0; i < 40; ++i)
        text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
    text += "}";
    json_object_view object;
    ASSERT_EQ(object.parse(text), json_object_view::status::ok);
    EXPECT_EQ(object.size(), 40u);
    EXPECT_EQ(json_integer_value(object.find("k0")->value), 0);
    EXPECT_EQ(json_integer_value(object.find("k39")->value), 39);
    // Parsing again reuses the object without keeping the old members.
    ASSERT_EQ(object.parse(R"({"only":1})"), json_object_view::status::ok);
    EXPECT_EQ(object.size(), 1u);
    EXPECT_EQ(object.find("k39"), nullptr);
}

TEST(JsonText, IntegersAreThoseWithoutFractionOrExponentThatFitSixtyFourBits) {
    EXPECT_EQ(json_integer_value("9223372036854775807"), INT64_MAX);
    EXPECT_EQ(json_integer_value("-9223372036854775808"), INT64_MIN);
    EXPECT_EQ(json_integer_value("9223372036854775808"), std::nullopt);
    EXPECT_EQ(json_integer_value("1.0"), std::nullopt);
    EXPECT_EQ(json_integer_value("1e3"), std::nullopt);
    EXPECT_EQ(json_integer_value("-0"), 0);
}

TEST(JsonText, ArrayStringsAreDecodedAndAnythingElseRefused) {
    std::vector<std::string> out;
    EXPECT_TRUE(json_array_strings(R"([ "a", "b\u0063" ])", out));
    EXPECT_EQ(out, (std::vector<std::string>{"a", "bc"}));
    out.clear();
    EXPECT_TRUE(json_array_strings("[]", out));
    EXPECT_TRUE(out.empty());
    EXPECT_FALSE(json_array_strings(R"(["a", 1])", out));
    EXPECT_FALSE(json_array_strings(R"({"a":1})", out));
}

TEST(JsonText, DepthIsBoundedSoScanningNeverRecursesFar) {
    const std::string ok =
        std::string(max_json_text_depth, '[') + std::string(max_json_text_depth, ']');
    const std::string deep = "[" + ok + "]";
    EXPECT_TRUE(is_valid_json(ok));
    EXPECT_FALSE(is_valid_json(deep));
    // A depth no stack could take is refused without a crash.
    EXPECT_FALSE(is_valid_json(std::string(1'000'000, '[')));

    json_object_view object;
    EXPECT_EQ(object.parse(R"({"a":[[1]]})", 3), json_object_view::status::ok);
    EXPECT_EQ(object.parse(R"({"a":[[[1]]]})", 3), json_object_view::status::too_deep);
    EXPECT_EQ(object.size(), 0u);
    // Bad text before the depth is reached is simply not JSON.
    EXPECT_EQ(object.parse(R"({"a":[x[[[1]]]})", 3), json_object_view::status::not_json);
}

}  // namespace
}  // namespace switchboard
