// Library pieces behind --subset, --weights and --test: the subset grammar, the row selection and
// its indices, the Hartung-Knapp factor of each test, and the identities that pin user weights.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/pipeline/subset.hpp"

namespace {

using namespace metasift;

TEST(Subset, ParsesOneComparison) {
  auto e = pipeline::parse_subset(" year >= 2000 ");
  EXPECT_EQ(e.column, "year");
  EXPECT_EQ(e.op, pipeline::compare_op::ge);
  EXPECT_TRUE(e.numeric);
  EXPECT_EQ(e.number, 2000.0);
  e = pipeline::parse_subset("region == \"South Asia\"");
  EXPECT_EQ(e.column, "region");
  EXPECT_FALSE(e.numeric);
  EXPECT_EQ(e.value, "South Asia");
  e = pipeline::parse_subset("alloc=random");
  EXPECT_EQ(e.op, pipeline::compare_op::eq);
  EXPECT_EQ(e.value, "random");
  e = pipeline::parse_subset("x!=-1e3");
  EXPECT_EQ(e.op, pipeline::compare_op::ne);
  EXPECT_EQ(e.number, -1000.0);
  e = pipeline::parse_subset("code=='2000'");  // a quoted number is text
  EXPECT_FALSE(e.numeric);
  EXPECT_EQ(e.value, "2000");
  e = pipeline::parse_subset("dose<0.5");
  EXPECT_EQ(e.op, pipeline::compare_op::lt);
  e = pipeline::parse_subset("dose<=0.5");
  EXPECT_EQ(e.op, pipeline::compare_op::le);
  e = pipeline::parse_subset("dose>0.5");
  EXPECT_EQ(e.op, pipeline::compare_op::gt);
  for (const char* bad : {"year", "year>>2000", "name<abc", "==1", "a==", "a==\"x", "a==1 & b==2", "a!1", "a\n==1"}) {
    EXPECT_THROW((void)pipeline::parse_subset(bad), usage_error) << bad;
  }
}

TEST(Subset, SelectsRowsAndSkipsMissingCells) {
  const io::table t = io::parse_table("study,year,region\nA,1990,Asia\nB,,Asia\nC,2005,Europe\nD,2010,NA\n", "t.csv");
  EXPECT_EQ(pipeline::select_rows(t, pipeline::parse_subset("year>=2000")),
            (std::vector<bool>{false, false, true, true}));
  EXPECT_EQ(pipeline::select_rows(t, pipeline::parse_subset("region==Asia")),
            (std::vector<bool>{true, true, false, false}));
  EXPECT_EQ(pipeline::select_rows(t, pipeline::parse_subset("REGION!='Asia'")),
            (std::vector<bool>{false, false, true, false}));
  EXPECT_THROW((void)pipeline::select_rows(t, pipeline::parse_subset("country==x")), input_error);
  EXPECT_THROW((void)pipeline::select_rows(t, pipeline::parse_subset("region>1")), input_error);
}

TEST(Subset, ComputeSelectedKeepsTheRowsOfTheWholeTable) {
  effects::raw_data raw;
  raw.labels = {"A", "B", "C", "D", "E"};
  effects::column yi{"yi", {0.1, 0.2, 99.0, NAN, 0.5}, {}};
  effects::column vi{"vi", {0.01, 0.02, -1.0, 0.04, 0.05}, {}};  // row C is invalid but not selected
  raw.columns.emplace("yi", yi);
  raw.columns.emplace("vi", vi);
  const std::vector<bool> keep{true, false, false, true, true};
  const effects::effect_table e = pipeline::compute_selected(effects::measure::GEN, raw, keep, {});
  EXPECT_EQ(e.source_row, (std::vector<std::size_t>{0, 4}));
  ASSERT_EQ(e.excluded.size(), 1u);
  EXPECT_EQ(e.excluded[0].index, 3u);  // D: missing yi, row 4 of the file
  EXPECT_EQ(e.labels, (std::vector<std::string>{"A", "E"}));
}

TEST(TestMethods, HartungKnappFactorOfEachTest) {
  using models::ci_method;
  EXPECT_EQ(models::hk_scale(ci_method::z, 3.0, 2.0), 1.0);
  EXPECT_EQ(models::hk_scale(ci_method::t, 3.0, 2.0), 1.0);
  EXPECT_EQ(models::hk_scale(ci_method::hk, 3.0, 2.0), 1.5);
  EXPECT_EQ(models::hk_scale(ci_method::adhoc, 3.0, 2.0), 1.5);
  EXPECT_EQ(models::hk_scale(ci_method::hk, 1.0, 4.0), 0.25);
  EXPECT_EQ(models::hk_scale(ci_method::adhoc, 1.0, 4.0), 1.0);
  EXPECT_EQ(models::hk_scale(ci_method::hk, 0.0, 4.0), 0.0);  // rounding-level RSS, as metafor
  EXPECT_EQ(models::hk_scale(ci_method::adhoc, 0.0, 4.0), 1.0);
  EXPECT_EQ(models::parse_ci_method("KNHA"), ci_method::hk);
  EXPECT_EQ(models::parse_ci_method("adhoc"), ci_method::adhoc);
  EXPECT_EQ(models::parse_ci_method("t"), ci_method::t);
  EXPECT_FALSE(models::parse_ci_method("f").has_value());
}

TEST(UserWeights, InverseVarianceWeightsReproduceTheUnweightedFit) {
  const std::vector<double> y{0.1, 0.4, -0.2, 0.3}, v{0.02, 0.05, 0.03, 0.04};
  for (const auto test : {models::ci_method::z, models::ci_method::t, models::ci_method::hk}) {
    models::model_spec s;
    s.est = models::method::DL;
    s.test = test;
    const models::meta_result plain = models::fit(y, v, {}, s);
    std::vector<double> a;
    for (double vi : v) a.push_back(3.0 / (vi + plain.het.tau2));  // any multiple of 1/(v + tau2)
    const models::meta_result weighted = models::fit(y, v, {}, s, a);
    EXPECT_NEAR(weighted.pooled.estimate, plain.pooled.estimate, 1e-14);
    EXPECT_NEAR(weighted.pooled.se, plain.pooled.se, 1e-14);
    EXPECT_NEAR(weighted.het.tau2, plain.het.tau2, 1e-15);
    for (std::size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(weighted.studies[i].weight, plain.studies[i].weight, 1e-12);
  }
  // Equal weights: the plain mean, with Var = sum(v + tau2) / k^2.
  models::model_spec s;
  s.est = models::method::DL;
  const models::meta_result plain = models::fit(y, v, {}, s);
  const models::meta_result eq = models::fit(y, v, {}, s, std::vector<double>(4, 1.0));
  EXPECT_NEAR(eq.pooled.estimate, (0.1 + 0.4 - 0.2 + 0.3) / 4, 1e-15);
  double sv = 0;
  for (double vi : v) sv += vi + plain.het.tau2;
  EXPECT_NEAR(eq.pooled.se, std::sqrt(sv) / 4, 1e-15);
  EXPECT_THROW((void)models::fit(y, v, {}, s, std::vector<double>{1, -1, 1, 1}), input_error);
  EXPECT_THROW((void)models::fit(y, v, {}, s, std::vector<double>(4, 0.0)), usage_error);
}

}  // namespace
