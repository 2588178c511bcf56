// The one number formatter: every value written by hand from printf's and R's rules, and one
// rendering of missing or non-finite values per output (NA in text, empty in CSV, null in JSON).

#include "metasift/core/number_format.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace metasift {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

TEST(NumberFormat, MissingTextPerTarget) {
  EXPECT_EQ(missing_text(number_target::text), "NA");
  EXPECT_EQ(missing_text(number_target::csv), "");
  EXPECT_EQ(missing_text(number_target::json), "null");
}

struct non_finite_case {
  double x;
  number_target t;
  const char* expected;
};

TEST(NumberFormat, NonFiniteValuesAreMissingInEveryFunction) {
  const non_finite_case cases[] = {
      {nan, number_target::text, "NA"},    {-nan, number_target::text, "NA"},  {inf, number_target::text, "NA"},
      {-inf, number_target::text, "NA"},   {nan, number_target::csv, ""},      {inf, number_target::csv, ""},
      {-inf, number_target::csv, ""},      {nan, number_target::json, "null"}, {inf, number_target::json, "null"},
      {-inf, number_target::json, "null"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    EXPECT_EQ(format_shortest(c.x, c.t), c.expected);
    EXPECT_EQ(format_fixed(c.x, 2, c.t), c.expected);
    EXPECT_EQ(format_fixed(c.x, 0, c.t), c.expected);
    EXPECT_EQ(format_general(c.x, 4, c.t), c.expected);
    std::string out = "a,";
    append_shortest(out, c.x, c.t);
    append_general(out, c.x, 6, c.t);
    EXPECT_EQ(out, std::string("a,") + c.expected + c.expected);
  }
}

struct shortest_case {
  double x;
  const char* expected;
};

TEST(NumberFormat, ShortestRoundTrip) {
  const shortest_case cases[] = {
      {0.0, "0"},
      {-0.0, "-0"},
      {1.0, "1"},
      {0.1, "0.1"},
      {-2.5, "-2.5"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {123456.0, "123456"},
      {1.0 / 3.0, "0.3333333333333333"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1e16, "1e+16"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {5e-324, "5e-324"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(format_shortest(c.x, number_target::csv), c.expected);
    EXPECT_EQ(format_shortest(c.x, number_target::json), c.expected);
    EXPECT_EQ(format_shortest(c.x, number_target::text), c.expected);
  }
}

struct fixed_case {
  double x;
  int decimals;
  const char* expected;
};

TEST(NumberFormat, FixedDecimals) {
  const fixed_case cases[] = {
      {0.7412, 2, "0.74"},
      {0.745, 2, "0.74"},  // 0.745 is stored as 0.74499999999999999556
      {1.005, 2, "1.00"},  // 1.00499999999999989342
      {-113.5, 1, "-113.5"},
      {2.5, 0, "2"},  // printf rounds the exact binary value half to even
      {3.5, 0, "4"},
      {-0.001, 2, "-0.00"},
      {9.0, 0, "9"},
      {999999999999999.0, 0, "999999999999999"},
      {1.1315857340761715e308, 2, "1.13e+308"},
      {-2e15, 2, "-2.00e+15"},
      {0.5, -3, "0"},  // negative decimals are clamped to 0; 0.5 rounds half to even
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    EXPECT_EQ(format_fixed(c.x, c.decimals, number_target::text), c.expected);
    EXPECT_EQ(format_fixed(c.x, c.decimals, number_target::csv), c.expected);
  }
  // The default target is text.
  EXPECT_EQ(format_fixed(nan, 3), "NA");
  EXPECT_EQ(format_fixed(0.5, 3), "0.500");
}

struct general_case {
  double x;
  int digits;
  const char* expected;
};

TEST(NumberFormat, GeneralSignificantDigitsAsPrintfG) {
  const general_case cases[] = {
      {0.0, 4, "0"},
      {1.0, 4, "1"},
      {0.05, 4, "0.05"},
      {0.12345678, 4, "0.1235"},
      {1234567.0, 3, "1.23e+06"},
      {123456.0, 6, "123456"},
      {1234567.0, 6, "1.23457e+06"},
      {0.0001, 4, "0.0001"},
      {0.00001234, 3, "1.23e-05"},
      {-0.5, 4, "-0.5"},
      {9.9996, 4, "10"},
      {99999.5, 4, "1e+05"},
      {2.2e-308, 4, "2.2e-308"},
      {3.21e-300, 3, "3.21e-300"},
      {1e300, 2, "1e+300"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    EXPECT_EQ(format_general(c.x, c.digits, number_target::text), c.expected);
  }
}

TEST(NumberFormat, UnsignedIntegers) {
  std::string s;
  append_uint(s, 0);
  s += ' ';
  append_uint(s, 18446744073709551615ULL);
  EXPECT_EQ(s, "0 18446744073709551615");
}

}  // namespace
}  // namespace metasift
