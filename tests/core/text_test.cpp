// The shared text toolkit. Every expectation is written by hand from RFC 3629, Unicode 15
// section 3.9 (table 3-7 and "U+FFFD Substitution of Maximal Subparts"), RFC 4180 and XML 1.0.

#include "metasift/core/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace metasift::text {
namespace {

struct decode_case {
  const char* name;
  std::string bytes;
  std::vector<std::pair<char32_t, std::size_t>> chars;  // (code point, bytes), U+FFFD = invalid
};

TEST(TextUtf8, DecodesAndReplacesMaximalSubparts) {
  const char32_t R = replacement_character;
  const std::vector<decode_case> cases = {
      {"ascii", "aZ", {{'a', 1}, {'Z', 1}}},
      {"two bytes", "\xC3\xA9", {{0xE9, 1 + 1}}},
      {"three bytes", "\xE2\x82\xAC", {{0x20AC, 3}}},
      {"four bytes", "\xF0\x9F\x98\x80", {{0x1F600, 4}}},
      {"smallest and largest", std::string("\x00", 1) + "\xF4\x8F\xBF\xBF", {{0, 1}, {0x10FFFF, 4}}},
      {"U+FFFD itself is valid", "\xEF\xBF\xBD", {{0xFFFD, 3}}},
      {"lone continuation byte", "\x80", {{R, 1}}},
      {"invalid bytes FE FF", "\xFE\xFF", {{R, 1}, {R, 1}}},
      {"overlong 2-byte C0 AF", "\xC0\xAF", {{R, 1}, {R, 1}}},
      {"overlong 3-byte E0 80 AF", "\xE0\x80\xAF", {{R, 1}, {R, 1}, {R, 1}}},
      {"overlong 4-byte F0 80 80 AF", "\xF0\x80\x80\xAF", {{R, 1}, {R, 1}, {R, 1}, {R, 1}}},
      {"surrogate ED A0 80", "\xED\xA0\x80", {{R, 1}, {R, 1}, {R, 1}}},
      {"largest before surrogates", "\xED\x9F\xBF", {{0xD7FF, 3}}},
      {"above U+10FFFF", "\xF4\x90\x80\x80", {{R, 1}, {R, 1}, {R, 1}, {R, 1}}},
      {"F5 never starts a sequence", "\xF5\x80", {{R, 1}, {R, 1}}},
      {"truncated 3-byte is one subpart",
       "\xE2\x82"
       "a",
       {{R, 2}, {'a', 1}}},
      {"truncated 4-byte at the end", "\xF0\x9F\x98", {{R, 3}}},
      {"lead then ASCII",
       "\xC3"
       "A",
       {{R, 1}, {'A', 1}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::pair<char32_t, std::size_t>> got;
    for_each_utf8(c.bytes, [&](const utf8_char& u, std::size_t) {
      got.emplace_back(u.cp, u.size);
      EXPECT_EQ(u.valid, !(u.cp == R && c.bytes.substr(0, 3) != "\xEF\xBF\xBD"));
    });
    EXPECT_EQ(got, c.chars);
    EXPECT_EQ(utf8_length(c.bytes), c.chars.size());
  }
}

TEST(TextUtf8, Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII"));
  EXPECT_TRUE(is_valid_utf8("\xE7\xA8\x80\xE5\x9C\x9F"));  // 稀土
  EXPECT_FALSE(is_valid_utf8("abc\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));      // overlong NUL (modified UTF-8)
  EXPECT_FALSE(is_valid_utf8("\xED\xB0\x80"));  // low surrogate
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));      // truncated
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("x\xC3\xA9", 1), 2u);
}

TEST(TextUtf8, Encoding) {
  std::string s;
  for (const char32_t cp : {U'A', U'\u00E9', U'\u20AC', U'\U0001F600'}) append_utf8(s, cp);
  EXPECT_EQ(s, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  s.clear();
  append_utf8(s, 0xD800);    // a surrogate is not a character
  append_utf8(s, 0x110000);  // beyond Unicode
  EXPECT_EQ(s, "\xEF\xBF\xBD\xEF\xBF\xBD");
  s.clear();
  append_utf8(s, 0x7F);
  append_utf8(s, 0x80);
  append_utf8(s, 0x7FF);
  append_utf8(s, 0x800);
  append_utf8(s, 0xFFFF);
  append_utf8(s, 0x10000);
  EXPECT_EQ(s, "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80");
}

TEST(TextCase, AsciiOnlyFolding) {
  EXPECT_EQ(ascii_lower("MD Variance POOLED"), "md variance pooled");
  EXPECT_EQ(ascii_upper("reml"), "REML");
  EXPECT_EQ(ascii_lower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // É is not ASCII: kept
  EXPECT_EQ(ascii_lower('@'), '@');
  EXPECT_EQ(ascii_lower('['), '[');
  EXPECT_TRUE(iequals("JSON", "json"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("json", "jsonl"));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_FALSE(iequals("@", "`"));  // 0x40 and 0x60 differ by 32 but are not letters
}

TEST(TextTrim, AsciiWhitespaceAtBothEnds) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim("\v\fx\f\v"), "x");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim("\xC2\xA0x"), "\xC2\xA0x");  // a no-break space is not ASCII whitespace
  EXPECT_EQ(trim_left("  x  "), "x  ");
  EXPECT_EQ(trim_right("  x  "), "  x");
}

TEST(TextCsv, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_quoted("plain"), "plain");
  EXPECT_EQ(csv_quoted(""), "");
  EXPECT_EQ(csv_quoted("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_quoted("Smith \"Jr\""), "\"Smith \"\"Jr\"\"\"");
  EXPECT_EQ(csv_quoted("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csv_quoted("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_quoted("a,b", '\t'), "a,b");
  EXPECT_EQ(csv_quoted("a\tb", '\t'), "\"a\tb\"");
  std::string out = "x,";
  append_csv_quoted(out, "y,z");
  EXPECT_EQ(out, "x,\"y,z\"");
}

TEST(TextEscape, XmlAndHtml) {
  EXPECT_EQ(xml_escaped("a < b && c > \"d\" 'e'"), "a &lt; b &amp;&amp; c &gt; &quot;d&quot; 'e'");
  EXPECT_EQ(html_escaped("a < b && c > \"d\" 'e'"), "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
  EXPECT_EQ(xml_escaped("\xE7\xA8\x80"), "\xE7\xA8\x80");  // UTF-8 passes through
  EXPECT_EQ(html_escaped(""), "");
  std::string out = "<p>";
  append_html_escaped(out, "&");
  append_xml_escaped(out, "<");
  EXPECT_EQ(out, "<p>&amp;&lt;");
}

}  // namespace
}  // namespace metasift::text
