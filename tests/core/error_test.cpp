#include "metasift/core/error.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "metasift/core/check.hpp"

namespace metasift {
namespace {

TEST(SourcePosition, FormatsOnlyKnownParts) {
  EXPECT_EQ((source_position{"a.csv", 4, 7}).to_string(), "a.csv:4:7");
  EXPECT_EQ((source_position{"a.csv", 4, 0}).to_string(), "a.csv:4");
  EXPECT_EQ((source_position{"a.csv", 0, 0}).to_string(), "a.csv");
  EXPECT_EQ((source_position{"", 2, 3}).to_string(), "<input>:2:3");
}

TEST(Check, InputErrorsShareOneFormat) {
  const source_position at{"data.csv", 4, 17};
  try {
    check_positive(at, "column 'sd1'", -0.5);
    FAIL() << "no throw";
  } catch (const input_error& e) {
    EXPECT_STREQ(e.what(), "data.csv:4:17: column 'sd1': must be positive, got -0.5");
    EXPECT_EQ(e.where().line, 4u);
    EXPECT_EQ(e.detail(), "column 'sd1': must be positive, got -0.5");
  }
}

TEST(Check, RejectsNonFiniteAndFractionalCounts) {
  const source_position at{"d.csv", 2, 1};
  EXPECT_THROW(check_finite(at, "x", std::numeric_limits<double>::quiet_NaN()), input_error);
  EXPECT_THROW(check_nonnegative(at, "x", -std::numeric_limits<double>::infinity()), input_error);
  EXPECT_THROW(check_integer(at, "n1", 12.5), input_error);
  EXPECT_NO_THROW(check_integer(at, "n1", 12.0));
  EXPECT_THROW(check_in_range(at, "r", 1.5, -1, 1), input_error);
}

TEST(Check, UsageErrorsNameTheOption) {
  try {
    fail_usage("--level", "must lie in (0, 1)");
    FAIL();
  } catch (const usage_error& e) {
    EXPECT_STREQ(e.what(), "option '--level': must lie in (0, 1)");
  }
}

TEST(Check, FormatValueRoundTrips) {
  EXPECT_EQ(format_value(0.1), "0.1");
  EXPECT_EQ(format_value(1e300), "1e+300");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "Inf");
}

}  // namespace
}  // namespace metasift

namespace metasift {
namespace {

TEST(ErrorMessages, ControlCharactersAreEscapedSoANulCutsNothing) {
  const std::string with_nul("not a number: \"1\0x\"", 19);
  const io_error e(with_nul);
  // what() is a C string: before escaping it ended at the NUL.
  EXPECT_EQ(std::string(e.what()), "not a number: \"1\\0x\"");
  EXPECT_EQ(escape_controls("a\nb\rc\x01\x7F\td"), "a\\nb\\rc\\x01\\x7F\td");
  EXPECT_EQ(escape_controls("caf\xC3\xA9"), "caf\xC3\xA9");  // UTF-8 is kept
  const input_error ie(source_position{"d.csv", 2, 3}, std::string("bad \0 cell", 10));
  EXPECT_EQ(std::string(ie.what()), "d.csv:2:3: bad \\0 cell");
}

}  // namespace
}  // namespace metasift

namespace metasift {
namespace {

TEST(FormatFixed, HugeMagnitudesAreScientificNotFullOfDigits) {
  EXPECT_EQ(format_fixed(0.7412, 2), "0.74");
  EXPECT_EQ(format_fixed(-113.5, 1), "-113.5");
  EXPECT_EQ(format_fixed(999999999999999.0, 0), "999999999999999");
  EXPECT_EQ(format_fixed(1.1315857340761715e308, 2), "1.13e+308");
  EXPECT_EQ(format_fixed(-2e15, 2), "-2.00e+15");
  EXPECT_EQ(format_fixed(std::numeric_limits<double>::infinity(), 2), "NA");
}

}  // namespace
}  // namespace metasift
