// Reading a confidence level: a proportion below 1, a percentage from 1 up, and nothing under 50%.
#include <gtest/gtest.h>

#include <limits>
#include <utility>

#include "metasift/models/spec.hpp"

namespace metasift::models {
namespace {

TEST(ConfidenceLevel, ProportionsAndPercentagesMeanTheSame) {
  for (const auto& [given, level] : {std::pair{0.95, 0.95}, std::pair{95.0, 0.95}, std::pair{0.5, 0.5},
                                     std::pair{50.0, 0.5}, std::pair{99.9, 0.999}, std::pair{0.999, 0.999}}) {
    const level_reading r = read_confidence_level(given);
    EXPECT_TRUE(r.problem.empty()) << given << ": " << r.problem;
    EXPECT_DOUBLE_EQ(r.level, level) << given;
  }
}

TEST(ConfidenceLevel, LevelsBelowFiftyPercentAreRefusedAsSlips) {
  // `level = 2` used to mean a 2% interval without a word.
  const level_reading two = read_confidence_level(2.0);
  EXPECT_NE(two.problem.find("a level of 2 would mean a 2% interval"), std::string::npos) << two.problem;
  for (const double v : {1.0, 10.0, 49.9, 0.3, 0.01}) EXPECT_FALSE(read_confidence_level(v).problem.empty()) << v;
}

TEST(ConfidenceLevel, ImpossibleValuesAreRefused) {
  for (const double v : {0.0, -0.95, 100.0, 150.0, 1e308, std::numeric_limits<double>::quiet_NaN()}) {
    const level_reading r = read_confidence_level(v);
    EXPECT_FALSE(r.problem.empty()) << v;
    EXPECT_LT(r.problem.size(), 200U) << r.problem;  // 1e308 is shown as 1e+308, not 309 digits
  }
}

}  // namespace
}  // namespace metasift::models
