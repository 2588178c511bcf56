// The one CSV cell writer: RFC 4180 quoting plus OWASP's neutralisation of formula prefixes.
#include "metasift/io/csv_writer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace metasift::io {
namespace {

TEST(CsvWriter, FormulaPrefixesGetASingleQuote) {
  // OWASP CSV injection: = + - @ tab CR at the start of a cell.
  EXPECT_EQ(csv_text("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_text("=1+1"), "'=1+1");
  EXPECT_EQ(csv_text("+cmd"), "'+cmd");
  EXPECT_EQ(csv_text("-2+3+cmd|' /C calc'!A0"), "'-2+3+cmd|' /C calc'!A0");
  EXPECT_EQ(csv_text("@SUM(A1:A9)"), "'@SUM(A1:A9)");
  EXPECT_EQ(csv_text("\tx"), "'\tx");
  EXPECT_EQ(csv_text("\rx"), "\"'\rx\"");
  EXPECT_EQ(csv_text("-"), "'-");
  EXPECT_EQ(csv_text("=a,b"), "\"'=a,b\"");
}

TEST(CsvWriter, NumbersAndPlainTextAreUnchanged) {
  for (const char* s : {"-0.5", "+3", "-1e-3", "2.5E+10", "-.5", "0", "Smith, J", "a=b", "x-y", "'quoted", ""}) {
    std::string expected = s;
    if (expected.find(',') != std::string::npos) expected = "\"" + expected + "\"";
    EXPECT_EQ(csv_text(s), expected) << s;
  }
  EXPECT_FALSE(csv_needs_neutralising("-12.75"));
  EXPECT_TRUE(csv_needs_neutralising("-12.75e"));  // not a number, so a possible formula
  EXPECT_TRUE(csv_needs_neutralising("-A1"));
}

TEST(CsvWriter, QuotesTheDelimiterQuotesAndLineEnds) {
  EXPECT_EQ(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_text("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_text("a\tb", '\t'), "\"a\tb\"");
  EXPECT_EQ(csv_text("a,b", '\t'), "a,b");
}

}  // namespace
}  // namespace metasift::io
