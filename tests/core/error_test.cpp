#include <gtest/gtest.h>

#include "metasift/core/check.hpp"
#include "metasift/core/error.hpp"

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
