#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "metasift/core/error.hpp"
#include "metasift/io/table.hpp"
#include "support/tolerance.hpp"

namespace metasift::io {
namespace {

/// A one-column table "x" whose single cell is `cell` (quoted, so any text fits) in a file using
/// `delimiter`; a second column keeps the delimiter detectable.
table one_cell(std::string_view cell, char delimiter = ',') {
  std::string text = "x";
  text += delimiter;
  text += "y\n\"";
  for (const char c : cell) {
    if (c == '"') text += '"';
    text += c;
  }
  text += '"';
  text += delimiter;
  text += "0\n";
  return parse_table(text, "data.csv");
}

double number_of(std::string_view cell, char delimiter = ',') {
  return one_cell(cell, delimiter).number(0, 0);
}

/// The message number() throws, or "no error".
std::string number_error(std::string_view cell, char delimiter = ',') {
  const table t = one_cell(cell, delimiter);
  try {
    static_cast<void>(t.number(0, 0));
  } catch (const input_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(TableNumber, PlainNumbers) {
  EXPECT_EQ(number_of("1.5"), 1.5);
  EXPECT_EQ(number_of("-2"), -2.0);
  EXPECT_EQ(number_of("+4"), 4.0);
  EXPECT_EQ(number_of("1e-3"), 1e-3);
  EXPECT_EQ(number_of("2.5E2"), 250.0);
  EXPECT_EQ(number_of(".5"), 0.5);
  EXPECT_EQ(number_of("-.5"), -0.5);
  EXPECT_EQ(number_of("0.1"), 0.1);  // correctly rounded, not merely close
  EXPECT_WITHIN(number_of("0.30000000000000004"), 0.3, metasift::test::closed_form);
}

TEST(TableNumber, SurroundingBlanksAreIgnored) {
  EXPECT_EQ(number_of("  3 "), 3.0);
  EXPECT_EQ(number_of("\t-1.25\t"), -1.25);
  const table t = parse_table("a,b\n 7 ,8\n", "data.csv");
  EXPECT_EQ(t.number(0, 0), 7.0);
}

TEST(TableNumber, DecimalCommaWithSemicolon) {
  EXPECT_EQ(number_of("1,5", ';'), 1.5);
  EXPECT_EQ(number_of("-0,25", ';'), -0.25);
  EXPECT_EQ(number_of(",5", ';'), 0.5);
  EXPECT_EQ(number_of("1,5e2", ';'), 150.0);
  EXPECT_EQ(number_of("1.5", ';'), 1.5);  // a point is still a decimal point
  EXPECT_EQ(number_of("1234", ';'), 1234.0);
}

TEST(TableNumber, ThousandsSeparatorsAreRejected) {
  const std::string hint = " (use one decimal separator and no thousands separators)";
  EXPECT_EQ(number_error("1.234,5", ';'), "data.csv:2:1: column 'x': not a number: \"1.234,5\"" + hint);
  EXPECT_EQ(number_error("1,234,5", ';'), "data.csv:2:1: column 'x': not a number: \"1,234,5\"" + hint);
  EXPECT_EQ(number_error("1.234.5", ';'), "data.csv:2:1: column 'x': not a number: \"1.234.5\"");
}

TEST(TableNumber, DecimalCommaOutsideSemicolonFiles) {
  const std::string expected =
      "data.csv:2:1: column 'x': not a number: \"1,5\" (a decimal comma is accepted only in ';'-separated files)";
  EXPECT_EQ(number_error("1,5"), expected);
  EXPECT_EQ(number_error("1,5", '\t'), expected);
}

TEST(TableNumber, GarbageNamesFileLineColumnAndHeader) {
  const table t = parse_table("study,yi,sd1\nA,1,2\nB,1,2\nSmith 2001,0.12,abc\n", "data.csv");
  EXPECT_EQ(t.number(2, 1), 0.12);
  try {
    static_cast<void>(t.number(2, 2));
    FAIL() << "no throw";
  } catch (const input_error& e) {
    EXPECT_STREQ(e.what(), "data.csv:4:17: column 'sd1': not a number: \"abc\"");
    EXPECT_EQ(e.where().line, 4u);
    EXPECT_EQ(e.where().column, 17u);
  }
}

TEST(TableNumber, RejectsGarbage) {
  for (const char* bad : {"abc", "1.2.3", "1e", "e5", "-", "+", "--1", "+-1", "1-", "0x10", "12abc", "1 2", "1_000",
                          "\xE2\x88\x92"
                          "1",
                          "1%"}) {
    const std::string message = number_error(bad);
    EXPECT_NE(message.find("column 'x': not a number: \""), std::string::npos) << bad << " -> " << message;
  }
}

TEST(TableNumber, EmptyAndMissingCellsAreErrors) {
  EXPECT_EQ(number_error(""), "data.csv:2:1: column 'x': empty cell, expected a number");
  EXPECT_EQ(number_error("   "), "data.csv:2:1: column 'x': empty cell, expected a number");
  EXPECT_EQ(number_error("NA"), "data.csv:2:1: column 'x': missing value \"NA\", expected a number");
  EXPECT_EQ(number_error("."), "data.csv:2:1: column 'x': missing value \".\", expected a number");
}

TEST(TableNumber, NonFiniteTextAndOverflowAreErrors) {
  EXPECT_EQ(number_error("NaN"), "data.csv:2:1: column 'x': not a finite number: \"NaN\"");
  EXPECT_EQ(number_error("nan"), "data.csv:2:1: column 'x': not a finite number: \"nan\"");
  EXPECT_EQ(number_error("-Inf"), "data.csv:2:1: column 'x': not a finite number: \"-Inf\"");
  EXPECT_EQ(number_error("inf"), "data.csv:2:1: column 'x': not a finite number: \"inf\"");
  EXPECT_EQ(number_error("Infinity"), "data.csv:2:1: column 'x': not a finite number: \"Infinity\"");
  EXPECT_EQ(number_error("1e999"), "data.csv:2:1: column 'x': number out of range: \"1e999\"");
  EXPECT_EQ(number_error("-1e999"), "data.csv:2:1: column 'x': number out of range: \"-1e999\"");
}

TEST(TableNumber, MessagesStayOnOneLine) {
  EXPECT_EQ(number_error("a\nb\"c"), "data.csv:2:1: column 'x': not a number: \"a\\nb\\\"c\"");
  const std::string message = number_error(std::string(200, 'z'));
  EXPECT_EQ(message, "data.csv:2:1: column 'x': not a number: \"" + std::string(60, 'z') + "...\"");
  // A cut never splits a multi-byte character.
  std::string umlauts = "1";
  for (int i = 0; i < 40; ++i) umlauts += "\xC3\xA4";
  const std::string cut = number_error(umlauts);
  EXPECT_NE(cut.find("\xC3\xA4...\""), std::string::npos) << cut;
}

TEST(TableNumber, UnnamedColumnLabel) {
  table t = parse_table("a,\n1,\n", "data.csv");
  t.rows[0][1] = "abc";  // an unnamed column cannot hold data in a parsed table; forced here
  EXPECT_THROW(
      {
        try {
          static_cast<void>(t.number(0, 1));
        } catch (const input_error& e) {
          EXPECT_STREQ(e.what(), "data.csv:2:3: column 2: not a number: \"abc\"");
          throw;
        }
      },
      input_error);
}

TEST(TableOptionalNumber, MissingMarkers) {
  const table t = parse_table("x\n\n  \nNA\n.\n", "data.csv");
  // In a one-column table the empty lines between rows are rows with a missing value.
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.optional_number(0, 0), std::nullopt);
  EXPECT_EQ(t.optional_number(1, 0), std::nullopt);
  EXPECT_EQ(t.optional_number(2, 0), std::nullopt);
  EXPECT_EQ(t.optional_number(3, 0), std::nullopt);
}

TEST(TableOptionalNumber, ValuesAndErrors) {
  EXPECT_EQ(one_cell("2.5").optional_number(0, 0), 2.5);
  EXPECT_EQ(one_cell(" NA ").optional_number(0, 0), std::nullopt);
  EXPECT_EQ(one_cell("3,5", ';').optional_number(0, 0), 3.5);
  EXPECT_THROW(static_cast<void>(one_cell("NaN").optional_number(0, 0)), input_error);
  EXPECT_THROW(static_cast<void>(one_cell("Inf").optional_number(0, 0)), input_error);
  EXPECT_THROW(static_cast<void>(one_cell("na").optional_number(0, 0)), input_error);
  EXPECT_THROW(static_cast<void>(one_cell("abc").optional_number(0, 0)), input_error);
}

}  // namespace
}  // namespace metasift::io
