// Number formatting and log-scale p-values (reference values from R 4.2: pnorm/pchisq with log.p).

#include "metasift/batch/format.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <string>

#include "metasift/batch/rng.hpp"

namespace {

using namespace metasift::batch;

TEST(Pvalue, NormalMatchesErfcAndTheLogScaleBeyondUnderflow) {
  EXPECT_NEAR(normal_two_sided(5).p, 5.7330314375838782e-07, 1e-20);
  EXPECT_NEAR(normal_two_sided(-5).p, 5.7330314375838782e-07, 1e-20);
  // R: (pnorm(-z, log.p = TRUE) + log(2)) / log(10)
  EXPECT_NEAR(std::log10(normal_two_sided(37).p), -298.94115118294599, 1e-9);
  EXPECT_NEAR(normal_two_sided(40).log10p, -349.13597646368186, 1e-9);
  EXPECT_NEAR(normal_two_sided(100).log10p, -2173.5705128733703, 1e-9);
  EXPECT_EQ(normal_two_sided(100).p, 0.0);
  // Continuous across the switch at |z| = 37.
  EXPECT_NEAR(std::log10(normal_two_sided(36.999999).p), normal_two_sided(37.000001).log10p, 1e-4);
}

TEST(Pvalue, ChisqUpperTailOnTheLogScale) {
  EXPECT_NEAR(chisq_upper_tail(30, 3).p, 1.3800570312932547e-06, 1e-18);
  EXPECT_NEAR(chisq_upper_tail(3000, 2).log10p, -651.44172285487764, 1e-8);
  EXPECT_NEAR(chisq_upper_tail(5000, 7).log10p, -1077.7624966070127, 1e-8);
}

TEST(Pvalue, PrintsMantissaAndExponentBelowTheDoubleRange) {
  std::string s;
  append_pvalue(s, normal_two_sided(40), 4);
  EXPECT_EQ(s, "7.312e-350");  // 10^(-349.135976...) = 7.3118e-350
  s.clear();
  append_pvalue(s, normal_two_sided(5), 4);
  EXPECT_EQ(s, "5.733e-07");
  s.clear();
  append_pvalue(s, pvalue{std::nan(""), std::nan("")}, 4);
  EXPECT_EQ(s, "");  // a missing value is an empty field in every table
}

TEST(Format, ShortestRoundTripsAndMissingIsEmpty) {
  std::string s;
  append_shortest(s, 0.1);
  s += ' ';
  append_shortest(s, std::nan(""));
  s += ' ';
  append_general(s, 1234567.0, 3);
  EXPECT_EQ(s, "0.1  1.23e+06");
}

TEST(Format, CsvFieldsAreQuotedOnlyWhenNeeded) {
  std::string s;
  append_field(s, "plain", ',');
  s += '|';
  append_field(s, "Smith, J. \"et al\"", ',');
  s += '|';
  append_field(s, "a,b", '\t');
  EXPECT_EQ(s, "plain|\"Smith, J. \"\"et al\"\"\"|a,b");
}

}  // namespace

namespace {

TEST(Format, GeneralMatchesToCharsExceptAtRoundingTies) {
  // append_general's hand-written %.6g against std::to_chars over 24 orders of magnitude.
  metasift::batch::counter_rng r(1, 2);
  int differ = 0;
  for (int i = 0; i < 400000; ++i) {
    const double x = (r.uniform() - 0.5) * std::pow(10.0, static_cast<int>(r.bits() % 24) - 12);
    for (const int digits : {4, 6}) {
      std::string ours;
      append_general(ours, x, digits);
      char buf[40];
      const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, digits);
      const std::string ref(buf, res.ptr);
      if (ours != ref) {
        ++differ;
        EXPECT_NEAR(std::stod(ours), std::stod(ref), std::abs(std::stod(ref)) * std::pow(10.0, 1 - digits))
            << ours << " vs " << ref;
      }
    }
  }
  EXPECT_LT(differ, 20);
  for (const double x : {1.0, 10.0, 100000.0, 999999.5, 0.0001, 0.00001, 123456789.0, -0.5, 9.9999996e-5}) {
    std::string ours;
    append_general(ours, x, 6);
    char buf[40];
    const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 6);
    EXPECT_EQ(ours, std::string(buf, res.ptr)) << x;
  }
}

}  // namespace
