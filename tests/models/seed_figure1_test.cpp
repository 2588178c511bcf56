// Tier 1 validation: the seed review's Figure 1 (Stata meta, REML, mean differences), every printed
// number reproduced at its printed precision with the Stata convention (pooled-SD MD variance).

#include <gtest/gtest.h>

#include <cmath>

#include "metasift/io/table.hpp"
#include "metasift/models/convention.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/pipeline/study_data.hpp"
#include "support/tolerance.hpp"

namespace metasift {
namespace {

double round_to(double x, int decimals) {
  const double f = std::pow(10.0, decimals);
  return std::round(x * f) / f;
}

models::meta_result fit_figure1(models::convention conv) {
  const io::table t = io::read_table(std::string(METASIFT_SOURCE_DIR) + "/examples/seed-figure1/fig1.csv");
  const auto ro = models::resolve(conv, {}, {}, {});
  const auto table =
      effects::compute(effects::measure::MD, pipeline::extract(t, effects::measure::MD, {}), ro.effect_opts);
  return models::fit(table, ro.spec);
}

TEST(SeedFigure1, StataConventionReproducesEveryPrintedNumber) {
  const models::meta_result r = fit_figure1(models::convention::stata);
  EXPECT_EQ(round_to(r.pooled.estimate, 2), 0.74);
  EXPECT_EQ(round_to(r.pooled.ci_lower, 2), 0.33);
  EXPECT_EQ(round_to(r.pooled.ci_upper, 2), 1.15);
  EXPECT_EQ(round_to(r.het.tau2, 2), 0.43);
  EXPECT_EQ(round_to(r.het.I2, 2), 99.09);
  EXPECT_EQ(round_to(r.het.H2, 2), 109.64);
  EXPECT_EQ(r.het.df, 9.0);
  EXPECT_EQ(round_to(r.het.Q, 2), 689.69);
  EXPECT_EQ(round_to(r.pooled.statistic, 2), 3.57);
  EXPECT_EQ(round_to(r.het.p, 2), 0.00);
  EXPECT_EQ(round_to(r.pooled.p, 2), 0.00);
  const double weights[] = {10.06, 10.00, 9.98, 10.06, 9.98, 10.01, 9.86, 9.98, 10.02, 10.06};
  const double effects_[] = {0.70, -0.20, 1.70, 0.70, 1.60, 1.30, -0.10, 0.20, 0.60, 0.90};
  const double lower[] = {0.60, -0.33, 1.55, 0.61, 1.45, 1.17, -0.30, 0.05, 0.48, 0.80};
  const double upper[] = {0.80, -0.07, 1.85, 0.79, 1.75, 1.43, 0.10, 0.35, 0.72, 1.00};
  ASSERT_EQ(r.studies.size(), 10u);
  for (std::size_t i = 0; i < 10; ++i) {
    SCOPED_TRACE(r.studies[i].label);
    EXPECT_EQ(round_to(r.studies[i].weight, 2), weights[i]);
    EXPECT_EQ(round_to(r.studies[i].yi, 2), effects_[i]);
    EXPECT_EQ(round_to(r.studies[i].ci_lower, 2), lower[i]);
    EXPECT_EQ(round_to(r.studies[i].ci_upper, 2), upper[i]);
  }
}

TEST(SeedFigure1, MetaforDefaultGivesTheSeparateVarianceNumbers) {
  // The contrast: metafor's default (vtype LS) gives Q = 690.11 and H2 = 112.09.
  const models::meta_result r = fit_figure1(models::convention::metafor);
  EXPECT_EQ(round_to(r.het.Q, 2), 690.11);
  EXPECT_EQ(round_to(r.het.H2, 2), 112.09);
}

}  // namespace
}  // namespace metasift
