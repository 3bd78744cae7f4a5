// frame_view: the one-level scan of server frames.

#include "client/frame_view.hpp"

#include <gtest/gtest.h>

using switchboard::client::frame_view;

TEST(FrameView, ReadsTopLevelFieldsAndRawValues) {
    frame_view f;
    ASSERT_TRUE(f.parse(R"( {"type":"command","from":"ctl-1","id":"c-7","name":"set",
        "args":{"a":[1,{"b":"}]"}],"c":"x\"y"},"n":-1.5e3,"t":true} )"));
    EXPECT_EQ(f.type(), "command");
    EXPECT_EQ(f.string("from"), "ctl-1");
    EXPECT_EQ(f.raw("args"), R"({"a":[1,{"b":"}]"}],"c":"x\"y"})");
    EXPECT_EQ(f.raw("n"), "-1.5e3");
    EXPECT_TRUE(f.boolean("t"));
    EXPECT_FALSE(f.boolean("missing"));
    EXPECT_EQ(f.raw("missing"), "");
    EXPECT_EQ(f.string("n"), std::nullopt);
}

TEST(FrameView, UnescapesStringsOnlyWhenAsked) {
    frame_view f;
    ASSERT_TRUE(f.parse(R"({"message":"a \"quoted\" \u00e9 word"})"));
    EXPECT_EQ(f.plain_string("message"), std::nullopt);
    EXPECT_EQ(f.string("message"), "a \"quoted\" \xc3\xa9 word");
}

TEST(FrameView, RefusesWhatIsNotAnObject) {
    frame_view f;
    for (const char* bad : {"", "[]", "\"x\"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
                            "{\"a\":\"open}", "{\"a\":{\"b\":1}", "{\"a\":1 \"b\":2}"}) {
        EXPECT_FALSE(f.parse(bad)) << bad;
    }
    EXPECT_TRUE(f.parse("{}"));
    EXPECT_EQ(f.type(), "");
}
