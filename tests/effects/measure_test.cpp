#include "metasift/effects/measure.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "metasift/effects/compute.hpp"
#include "support/tolerance.hpp"

// Expected values: tests/effects/reference_values.R (metafor 3.8.1, R 4.2.2); see README.md there.

namespace metasift::effects {
namespace {

using test::closed_form;

TEST(Measure, NamesRoundTripCaseInsensitively) {
  for (measure m : all_measures()) {
    EXPECT_EQ(parse_measure(to_string(m)), m) << to_string(m);
  }
  EXPECT_EQ(parse_measure("smd"), measure::SMD);
  EXPECT_EQ(parse_measure("Peto"), measure::PETO);
  EXPECT_EQ(parse_measure("zcor"), measure::ZCOR);
  EXPECT_FALSE(parse_measure("SMDH").has_value());
  EXPECT_FALSE(parse_measure("").has_value());
  EXPECT_FALSE(parse_measure("MD ").has_value());
}

TEST(Measure, AllMeasuresInDeclarationOrder) {
  const auto all = all_measures();
  ASSERT_EQ(all.size(), 21u);
  EXPECT_EQ(all.front(), measure::MD);
  EXPECT_EQ(all[6], measure::PETO);
  EXPECT_EQ(all.back(), measure::GEN);
}

TEST(Measure, RequiredColumns) {
  using v = std::vector<std::string>;
  EXPECT_EQ(required_columns(measure::MD), (v{"n1", "mean1", "sd1", "n2", "mean2", "sd2"}));
  EXPECT_EQ(required_columns(measure::SMD), required_columns(measure::MD));
  EXPECT_EQ(required_columns(measure::ROM), required_columns(measure::MD));
  for (measure m : {measure::OR, measure::RR, measure::RD, measure::PETO}) {
    EXPECT_EQ(required_columns(m), (v{"events1", "n1", "events2", "n2"}));
  }
  EXPECT_EQ(required_columns(measure::COR), (v{"r", "n"}));
  EXPECT_EQ(required_columns(measure::ZCOR), (v{"r", "n"}));
  for (measure m : {measure::PR, measure::PLO, measure::PAS, measure::PFT}) {
    EXPECT_EQ(required_columns(m), (v{"events", "n"}));
  }
  EXPECT_EQ(required_columns(measure::IRR), (v{"events1", "time1", "events2", "time2"}));
  EXPECT_EQ(required_columns(measure::IRD), required_columns(measure::IRR));
  EXPECT_EQ(required_columns(measure::GEN), (v{"yi"}));
}

TEST(Measure, DisplayScales) {
  for (measure m : {measure::MD, measure::SMD, measure::RD, measure::COR, measure::PR, measure::IRD, measure::GEN}) {
    EXPECT_EQ(display_scale_of(m), display_scale::identity) << to_string(m);
  }
  for (measure m : {measure::OR, measure::RR, measure::PETO, measure::ROM, measure::IRR}) {
    EXPECT_EQ(display_scale_of(m), display_scale::exp) << to_string(m);
  }
  EXPECT_EQ(display_scale_of(measure::ZCOR), display_scale::tanh);
  EXPECT_EQ(display_scale_of(measure::PLO), display_scale::inv_logit);
  EXPECT_EQ(display_scale_of(measure::PAS), display_scale::inv_arcsine);
  EXPECT_EQ(display_scale_of(measure::PFT), display_scale::inv_ft);
}

TEST(Measure, DisplayNames) {
  EXPECT_EQ(display_name(measure::MD), "Mean diff.");
  EXPECT_EQ(display_name(measure::SMD), "Hedges's g");
  EXPECT_EQ(display_name(measure::ROM), "Ratio of means");
  EXPECT_EQ(display_name(measure::OR), "Odds ratio");
  EXPECT_EQ(display_name(measure::RR), "Risk ratio");
  EXPECT_EQ(display_name(measure::RD), "Risk diff.");
  EXPECT_EQ(display_name(measure::PETO), "Peto OR");
  EXPECT_EQ(display_name(measure::COR), "Correlation");
  EXPECT_EQ(display_name(measure::ZCOR), "Correlation");
  for (measure m : {measure::PR, measure::PLO, measure::PAS, measure::PFT}) EXPECT_EQ(display_name(m), "Proportion");
  EXPECT_EQ(display_name(measure::IRR), "IRR");
  EXPECT_EQ(display_name(measure::IRD), "IR diff.");
  EXPECT_EQ(display_name(measure::GEN), "Effect");
}

TEST(BackTransform, IdentityAndExp) {
  EXPECT_EQ(back_transform(measure::MD, -1.25), -1.25);
  EXPECT_EQ(back_transform(measure::GEN, 3.5), 3.5);
  // exp(-0.7145323484): the dat.bcg REML log RR of the reference notes, section 4.1.
  EXPECT_WITHIN(back_transform(measure::RR, -0.7145323484), 0.48942093677113296, closed_form);
  EXPECT_WITHIN(back_transform(measure::OR, 0.0), 1.0, closed_form);
}

TEST(BackTransform, ZToR) {
  // transf.ztor(0.5)
  EXPECT_WITHIN(back_transform(measure::ZCOR, 0.5), 0.46211715726000974, closed_form);
}

TEST(BackTransform, InverseLogitIsStableInTheTails) {
  // transf.ilogit(c(-1.2, 30, -800))
  EXPECT_WITHIN(back_transform(measure::PLO, -1.2), 0.23147521650098238, closed_form);
  EXPECT_WITHIN(back_transform(measure::PLO, 30.0), 0.99999999999990652, closed_form);
  EXPECT_EQ(back_transform(measure::PLO, -800.0), 0.0);
  EXPECT_EQ(back_transform(measure::PLO, 800.0), 1.0);
}

TEST(BackTransform, InverseArcsineClampsToUnitInterval) {
  // transf.iarcsin(c(0.6, -0.1, 1.7))
  EXPECT_WITHIN(back_transform(measure::PAS, 0.6), 0.31882112276166324, closed_form);
  EXPECT_EQ(back_transform(measure::PAS, -0.1), 0.0);
  EXPECT_EQ(back_transform(measure::PAS, 1.7), 1.0);
}

TEST(BackTransform, FreemanTukeyHarmonicMean) {
  // nhm = 1/mean(1/c(10, 25, 25, 40)); transf.ipft.hm(x, targs = list(ni = c(10, 25, 25, 40)))
  const double hm = harmonic_mean({10, 25, 25, 40});
  EXPECT_WITHIN(hm, 19.512195121951219, closed_form);
  EXPECT_WITHIN(back_transform(measure::PFT, 0.5, hm), 0.21648062989933731, closed_form);
  EXPECT_WITHIN(back_transform(measure::PFT, 0.12, hm), 0.00029385496753692175, closed_form);
  EXPECT_WITHIN(back_transform(measure::PFT, 1.2, hm), 0.88658172688437387, closed_form);
  EXPECT_WITHIN(back_transform(measure::PFT, 1.45, hm), 0.99965207172998238, closed_form);
  // Below transf.pft(0, nhm) = 0.1113... and above transf.pft(1, nhm) = 1.4594...: clamped.
  EXPECT_EQ(back_transform(measure::PFT, 0.1, hm), 0.0);
  EXPECT_EQ(back_transform(measure::PFT, 0.05, hm), 0.0);
  EXPECT_EQ(back_transform(measure::PFT, 1.5, hm), 1.0);
  EXPECT_EQ(back_transform(measure::PFT, 1.55, hm), 1.0);
  // transf.ipft(c(0.3, 0.9), ni = 10)
  EXPECT_WITHIN(back_transform(measure::PFT, 0.3, 10.0), 0.051987474772930586, closed_form);
  EXPECT_WITHIN(back_transform(measure::PFT, 0.9, 10.0), 0.62441548609808117, closed_form);
}

TEST(BackTransform, FreemanTukeyNeedsASampleSize) {
  EXPECT_THROW((void)back_transform(measure::PFT, 0.5, 0.0), std::invalid_argument);
  EXPECT_THROW((void)back_transform(measure::PFT, 0.5), std::invalid_argument);
  EXPECT_TRUE(std::isnan(back_transform(measure::PFT, std::numeric_limits<double>::quiet_NaN(), 10.0)));
  EXPECT_TRUE(std::isnan(back_transform(measure::PFT, std::numeric_limits<double>::quiet_NaN())));
}

TEST(HarmonicMean, SkipsMissingAndRejectsNonPositive) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_WITHIN(harmonic_mean({10, nan, 25, 25, 40}), 19.512195121951219, closed_form);
  EXPECT_THROW((void)harmonic_mean({}), std::invalid_argument);
  EXPECT_THROW((void)harmonic_mean({10, 0}), std::invalid_argument);
}

}  // namespace
}  // namespace metasift::effects
