// pipeline::prepare_analysis and fit_meta: settings in, the model call out. Expected values are
// computed here from the textbook formulas (MD = mean1 - mean2, vi = s1^2/n1 + s2^2/n2 or the
// pooled-SD form; the common-effect estimate sum(w y) / sum(w) with w = 1/vi).

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "metasift/core/error.hpp"
#include "metasift/io/table.hpp"
#include "metasift/pipeline/analysis.hpp"

namespace {

using namespace metasift;

const char* const csv =
    "study,n1,mean1,sd1,n2,mean2,sd2\n"
    "A,10,5.0,1.0,12,4.0,2.0\n"
    "B,20,6.0,1.5,18,5.5,1.0\n"
    "C,15,4.0,2.0,15,4.5,2.5\n";

struct study {
  double n1, m1, s1, n2, m2, s2;
};
const study studies[] = {{10, 5.0, 1.0, 12, 4.0, 2.0}, {20, 6.0, 1.5, 18, 5.5, 1.0}, {15, 4.0, 2.0, 15, 4.5, 2.5}};

TEST(PrepareAnalysis, ConventionsAndExplicitSettings) {
  pipeline::analysis_settings s;
  s.conv = models::convention::stata;
  models::resolved_options r = pipeline::resolve_settings(s);
  EXPECT_EQ(r.effect_opts.md_var, effects::md_variance::pooled);  // Stata: pooled SD
  EXPECT_EQ(r.spec.pi, models::pi_method::t_k2);                  // Stata: t with k - 2 df
  s.md_var = effects::md_variance::separate;
  s.pi = models::pi_method::z;
  s.level = 90;  // a percentage
  s.ci = models::ci_method::hk;
  s.method = models::method::DL;
  r = pipeline::resolve_settings(s);
  EXPECT_EQ(r.effect_opts.md_var, effects::md_variance::separate);
  EXPECT_EQ(r.spec.pi, models::pi_method::z);
  EXPECT_DOUBLE_EQ(r.spec.level, 0.90);
  EXPECT_EQ(r.spec.test, models::ci_method::hk);
  EXPECT_EQ(r.spec.est, models::method::DL);
}

TEST(PrepareAnalysis, ProblemsNameTheSetting) {
  pipeline::analysis_settings s;
  s.level = 2;
  s.add = -1;
  s.tau2_fixed = -0.5;
  s.input_level = 0.2;   // a slip for 0.98 or 98
  s.subset = "n1 >> 3";  // no such operator
  const auto problems = pipeline::check_settings(s);
  ASSERT_EQ(problems.size(), 5U);
  EXPECT_EQ(problems[0].setting, "level");
  EXPECT_EQ(problems[1].setting, "input_level");
  EXPECT_EQ(problems[2].setting, "add");
  EXPECT_EQ(problems[3].setting, "tau2_fixed");
  EXPECT_EQ(problems[4].setting, "subset");
  EXPECT_NE(problems[4].problem.find("n1 >> 3"), std::string::npos) << problems[4].problem;
  try {
    (void)pipeline::resolve_settings(s);
    FAIL() << "no usage_error";
  } catch (const usage_error& e) {
    EXPECT_NE(std::string(e.what()).find("level"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos) << "names a flag: " << e.what();
  }
}

TEST(PrepareAnalysis, MeanDifferencesAndTheCommonEffect) {
  const io::table t = io::parse_table(csv, "studies.csv");
  for (const bool pooled : {false, true}) {
    pipeline::analysis_settings s;
    s.measure = effects::measure::MD;
    s.method = models::method::EE;
    s.md_var = pooled ? effects::md_variance::pooled : effects::md_variance::separate;
    pipeline::prepared_analysis p = pipeline::prepare_analysis(s, t, "studies.csv");
    ASSERT_EQ(p.effects.yi.size(), 3U);
    double sw = 0, swy = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      const study& d = studies[i];
      const double yi = d.m1 - d.m2;
      const double sp2 = ((d.n1 - 1) * d.s1 * d.s1 + (d.n2 - 1) * d.s2 * d.s2) / (d.n1 + d.n2 - 2);
      const double vi = pooled ? sp2 * (1 / d.n1 + 1 / d.n2) : d.s1 * d.s1 / d.n1 + d.s2 * d.s2 / d.n2;
      EXPECT_NEAR(p.effects.yi[i], yi, 1e-12) << i;
      EXPECT_NEAR(p.effects.vi[i], vi, 1e-12) << i;
      sw += 1 / vi;
      swy += yi / vi;
    }
    EXPECT_EQ(p.context.data_file, "studies.csv");
    EXPECT_EQ(p.context.measure, effects::measure::MD);
    const models::meta_result r = pipeline::fit_meta(p, t);
    EXPECT_EQ(r.k, 3);
    EXPECT_NEAR(r.pooled.estimate, swy / sw, 1e-12);
  }
}

// The SMD sampling variance is a setting: metafor's vtype "UB" (Hedges 1983), with m = n1 + n2 - 2,
// J = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)), g = J d, v = 1/n1 + 1/n2 + (1 - (m-2)/(m J^2)) g^2;
// "LS": v = 1/n1 + 1/n2 + g^2/(2(n1 + n2)).
TEST(PrepareAnalysis, SmdVarianceSetting) {
  const io::table t = io::parse_table(csv, "studies.csv");
  for (const bool unbiased : {false, true}) {
    pipeline::analysis_settings s;
    s.measure = effects::measure::SMD;
    s.method = models::method::EE;
    s.smd_var = unbiased ? effects::smd_variance::unbiased : effects::smd_variance::large_sample;
    const pipeline::prepared_analysis p = pipeline::prepare_analysis(s, t, "studies.csv");
    EXPECT_EQ(p.resolved.effect_opts.smd_var, s.smd_var);
    ASSERT_EQ(p.effects.vi.size(), 3U);
    for (std::size_t i = 0; i < 3; ++i) {
      const study& d = studies[i];
      const double m = d.n1 + d.n2 - 2;
      const double sp = std::sqrt(((d.n1 - 1) * d.s1 * d.s1 + (d.n2 - 1) * d.s2 * d.s2) / m);
      const double J = std::exp(std::lgamma(m / 2) - std::lgamma((m - 1) / 2)) / std::sqrt(m / 2);
      const double g = J * (d.m1 - d.m2) / sp;
      const double vi = unbiased ? 1 / d.n1 + 1 / d.n2 + (1 - (m - 2) / (m * J * J)) * g * g
                                 : 1 / d.n1 + 1 / d.n2 + g * g / (2 * (d.n1 + d.n2));
      EXPECT_NEAR(p.effects.yi[i], g, 1e-12) << i;
      EXPECT_NEAR(p.effects.vi[i], vi, 1e-12) << i;
    }
    bool described = false;
    for (const auto& c : p.resolved.described) described = described || c.find("vtype UB") != std::string::npos;
    EXPECT_EQ(described, unbiased);
  }
}

// The subset and the user weights are settings like the others: the rows of the subset only, and
// the common-effect estimate with user weights a_i, sum(a y) / sum(a), with variance
// sum(a^2 v) / sum(a)^2 (metafor rma(weights = a), method "EE").
TEST(PrepareAnalysis, SubsetAndUserWeights) {
  const io::table t = io::parse_table(
      "study,n1,mean1,sd1,n2,mean2,sd2,w\n"
      "A,10,5.0,1.0,12,4.0,2.0,1\n"
      "B,20,6.0,1.5,18,5.5,1.0,2\n"
      "C,15,4.0,2.0,15,4.5,2.5,3\n",
      "studies.csv");
  pipeline::analysis_settings s;
  s.measure = effects::measure::MD;
  s.method = models::method::EE;
  s.subset = "n1 >= 15";
  s.weights = "w";
  pipeline::prepared_analysis p = pipeline::prepare_analysis(s, t, "studies.csv");
  ASSERT_EQ(p.effects.yi.size(), 2U);
  ASSERT_EQ(p.weights.size(), 2U);
  EXPECT_EQ(p.weights[0], 2.0);
  EXPECT_EQ(p.weights[1], 3.0);
  EXPECT_EQ(p.context.subset, "n1 >= 15");
  EXPECT_EQ(p.context.weights, "w");
  const models::meta_result r = pipeline::fit_meta(p, t);
  EXPECT_EQ(r.k, 2);
  double sa = 0, say = 0, sa2v = 0;
  for (std::size_t i = 1; i < 3; ++i) {
    const study& d = studies[i];
    const double a = static_cast<double>(i + 1);
    const double yi = d.m1 - d.m2;
    const double vi = d.s1 * d.s1 / d.n1 + d.s2 * d.s2 / d.n2;
    sa += a;
    say += a * yi;
    sa2v += a * a * vi;
  }
  EXPECT_NEAR(r.pooled.estimate, say / sa, 1e-12);
  EXPECT_NEAR(r.pooled.se, std::sqrt(sa2v) / sa, 1e-12);
}

TEST(PrepareAnalysis, AnEmptyTableIsAnInputError) {
  const io::table t = io::parse_table("study,n1,mean1,sd1,n2,mean2,sd2\n", "empty.csv");
  pipeline::analysis_settings s;
  s.measure = effects::measure::MD;
  EXPECT_THROW((void)pipeline::prepare_analysis(s, t, "empty.csv"), input_error);
}

TEST(PrepareAnalysis, FiveNumberSdFollowsTheSetting) {
  // Group 1 as a five-number summary (n = 20: min 1, q1 3, median 4, q3 6, max 10), group 2 as
  // mean 3 and SD 2 (n = 20). The SDs were computed outside metasift (Python's statistics.NormalDist
  // for the normal quantiles): Wan et al. (2014) (b - a)/(2 xi(n)) + (q3 - q1)/(2 eta(n)) =
  // 2.401109998606255; Shi et al. (2020) (b - a)/theta1(n) + (q3 - q1)/theta2(n) = 2.404184840694509.
  const io::table t = io::parse_table(
      "study,n1,median1,q1_1,q3_1,min1,max1,n2,mean2,sd2\n"
      "A,20,4,3,6,1,10,20,3,2\n",
      "five.csv");
  pipeline::analysis_settings s;
  s.measure = effects::measure::MD;
  const auto vi_under = [&](effects::five_number_sd method) {
    s.fivenum_method = method;
    const pipeline::prepared_analysis p = pipeline::prepare_analysis(s, t, "five.csv");
    EXPECT_EQ(p.effects.vi.size(), 1U);
    return p.effects.vi.empty() ? -1.0 : p.effects.vi[0];
  };
  const double wan = 2.401109998606255, shi = 2.404184840694509;
  EXPECT_NEAR(vi_under(effects::five_number_sd::wan2014), wan * wan / 20 + 4.0 / 20, 1e-12);
  EXPECT_NEAR(vi_under(effects::five_number_sd::shi2020), shi * shi / 20 + 4.0 / 20, 1e-12);
  EXPECT_EQ(pipeline::analysis_settings{}.fivenum_method, effects::five_number_sd::shi2020);  // the default
}

}  // namespace
