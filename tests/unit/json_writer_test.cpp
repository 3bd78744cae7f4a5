#include "core/json_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace switchboard {
namespace {

using json = nlohmann::json;

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
    std::string every_control;
    for (int c = 0; c < 0x20; ++c) every_control.push_back(static_cast<char>(c));
    std::string tricky = "say \"hi\" \\ back\nslash\r\t" + every_control + "\x7f end";
    std::string out;
    append_json_string(out, tricky);
    EXPECT_EQ(json::parse(out), tricky);
    // No raw control byte survives in the text.
    for (char c : out) EXPECT_GE(static_cast<unsigned char>(c), 0x20u) << out;
    EXPECT_NE(out.find("\\u0000"), std::string::npos);
    EXPECT_NE(out.find("\\u001f"), std::string::npos);
    EXPECT_NE(out.find("\\\""), std::string::npos);
    EXPECT_NE(out.find("\\n"), std::string::npos);
}

TEST(JsonWriter, KeepsUtf8AsIs) {
    std::string out;
    append_json_string(out, "Grüße ✓");
    EXPECT_EQ(out, "\"Grüße ✓\"");
    EXPECT_EQ(json::parse(out), "Grüße ✓");
}

TEST(JsonWriter, WriterBuildsFieldsInOrderAndSkipsEmptyRaw) {
    std::string text = json_writer{}
                           .string("a", "x\"y")
                           .integer("b", -42)
                           .boolean("c", true)
                           .boolean("d", false)
                           .raw("e", R"([1,{"f":null}])")
                           .raw("skipped", "")
                           .finish();
    EXPECT_EQ(text, R"({"a":"x\"y","b":-42,"c":true,"d":false,"e":[1,{"f":null}]})");
    EXPECT_FALSE(json::parse(text).contains("skipped"));
}

TEST(JsonWriter, EmptyWriterIsEmptyObject) { EXPECT_EQ(json_writer{}.finish(), "{}"); }

TEST(JsonWriter, ReusesTheBufferItIsHanded) {
    std::string buffer =
        json_writer{}.string("first", "a long enough value to need a heap").finish();
    const auto capacity = buffer.capacity();
    const char* storage = buffer.data();
    buffer = json_writer{std::move(buffer)}.integer("n", 1).finish();
    EXPECT_EQ(buffer, R"({"n":1})");
    EXPECT_EQ(buffer.capacity(), capacity);
    EXPECT_EQ(buffer.data(), storage);
}

}  // namespace
}  // namespace switchboard
