// Effect-size conversions. Expected values come from three independent places:
//  - tests/reference/metafor_conversions.csv (tools/reference/conversions.R): metafor 3.8.1's escalc
//    for SMD from t, F and p, SMCC, SMCR, MN, CVR, VR and D2ORL, and an R transcription of the
//    published quantile formulas; agreement is required to 1e-10 relative;
//  - the papers' own numbers (Wan et al. 2014, Table 1) and a published software example;
//  - hand arithmetic with round numbers, worked in the comments.

#include "metasift/effects/conversions.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>

#include "support/reference.hpp"

namespace metasift::effects {
namespace {

constexpr double k_pi = 3.14159265358979323846;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double rel_error(double got, double want) {
  if (got == want) return 0.0;
  return std::abs(got - want) / std::max(std::abs(want), 1e-300);
}

/// 1e-10 relative, or 1e-14 absolute for values that are 0 in metafor (t = 0, p = 1).
::testing::AssertionResult agrees(double got, double want, const std::string& what) {
  if (rel_error(got, want) <= 1e-10 || std::abs(got - want) <= 1e-14) return ::testing::AssertionSuccess();
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s: got %.17g, metafor %.17g (relative error %.3g)", what.c_str(), got, want,
                rel_error(got, want));
  return ::testing::AssertionFailure() << buf;
}

struct worst {
  double rel = 0.0;
  std::string where;
  void note(double got, double want, const std::string& at) {
    const double e = std::abs(got - want) <= 1e-14 ? 0.0 : rel_error(got, want);
    if (e > rel) {
      rel = e;
      where = at;
    }
  }
};

TEST(ConversionsReference, AgreesWithMetaforEscalcAndPublishedFormulas) {
  const auto cases = test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/metafor_conversions.csv");
  ASSERT_GT(cases.size(), 100u);
  std::map<std::string, worst> worst_by_kind;
  std::map<std::string, int> count;
  for (const auto& c : cases) {
    const std::string kind = c.measure;
    ++count[kind];
    auto check = [&](const std::string& stat, double got) {
      const double want = c.at(stat);
      EXPECT_TRUE(agrees(got, want, c.key + " " + stat));
      worst_by_kind[kind].note(got, want, c.key + " " + stat);
    };
    if (kind == "SMD_t" || kind == "SMD_F" || kind == "SMD_p") {
      const double n1 = c.at("in.n1"), n2 = c.at("in.n2");
      double t = 0;
      if (kind == "SMD_t") t = c.at("in.t");
      if (kind == "SMD_F") t = t_from_f(c.at("in.F"), c.at("in.direction"));
      if (kind == "SMD_p") t = t_from_p(c.at("in.p"), n1, n2, c.at("in.direction"));
      const estimate e = smd_from_d(d_from_t(t, n1, n2), n1, n2);
      check("yi", e.yi);
      check("vi", e.vi);
    } else if (kind == "SMCC") {
      const estimate e = smcc(c.at("in.m1"), c.at("in.m2"), c.at("in.sd1"), c.at("in.sd2"), c.at("in.n"), c.at("in.r"));
      check("yi", e.yi);
      check("vi", e.vi);
    } else if (kind == "SMCR") {
      const estimate e = smcr(c.at("in.m1"), c.at("in.m2"), c.at("in.sd1"), c.at("in.n"), c.at("in.r"));
      check("yi", e.yi);
      check("vi", e.vi);
    } else if (kind == "MN") {
      const estimate e = mn(c.at("in.m"), c.at("in.sd"), c.at("in.n"));
      check("yi", e.yi);
      check("vi", e.vi);
    } else if (kind == "CVR") {
      const estimate e =
          cvr(c.at("in.m1"), c.at("in.m2"), c.at("in.sd1"), c.at("in.sd2"), c.at("in.n1"), c.at("in.n2"));
      check("yi", e.yi);
      check("vi", e.vi);
    } else if (kind == "VR") {
      const estimate e = vr(c.at("in.sd1"), c.at("in.sd2"), c.at("in.n1"), c.at("in.n2"));
      check("yi", e.yi);
      check("vi", e.vi);
    } else if (kind == "D2ORL") {
      // metafor converts Cohen's d (no small-sample correction) with its LS variance.
      const double n1 = c.at("in.n1"), n2 = c.at("in.n2"), s1 = c.at("in.sd1"), s2 = c.at("in.sd2");
      const double sp = std::sqrt(((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2) / (n1 + n2 - 2));
      const double d = (c.at("in.m1") - c.at("in.m2")) / sp;
      const estimate e = log_or_from_smd(d, 1 / n1 + 1 / n2 + d * d / (2 * (n1 + n2)));
      check("yi", e.yi);
      check("vi", e.vi);
    } else if (kind == "quantiles") {
      const five_number q{c.at("in.min"), c.at("in.q1"), c.at("in.median"), c.at("in.q3"), c.at("in.max")};
      const double n = c.at("in.n");
      check("mean_S1", luo_mean(quantile_set::range, q, n));
      check("mean_S2", luo_mean(quantile_set::iqr, q, n));
      check("mean_S3", luo_mean(quantile_set::all_five, q, n));
      check("sd_wan_S1", wan_sd(quantile_set::range, q, n));
      check("sd_wan_S2", wan_sd(quantile_set::iqr, q, n));
      check("sd_wan_S3", wan_sd(quantile_set::all_five, q, n));
      check("sd_shi_S3", shi_sd(q, n));
    } else if (kind == "ci") {
      const mean_sd m = mean_sd_from_ci(c.at("in.lower"), c.at("in.upper"), c.at("in.n"), c.at("in.level"));
      check("mean", m.mean);
      check("sd", m.sd);
    } else {
      ADD_FAILURE() << "unknown reference kind " << kind;
    }
  }
  for (const char* k : {"SMD_t", "SMD_F", "SMD_p", "SMCC", "SMCR", "MN", "CVR", "VR", "D2ORL", "quantiles", "ci"}) {
    EXPECT_GT(count[k], 0) << k;
    std::printf("worst relative error vs reference, %-9s (%3d cases): %.3g at %s\n", k, count[k], worst_by_kind[k].rel,
                worst_by_kind[k].where.c_str());
  }
}

// Wan et al. (2014), Table 1: the exact expected range xi(n) of n standard normals for n <= 50.
// Their estimator (and the Cochrane Handbook's) uses Blom's approximation 2 Phi^-1((n - 0.375)/
// (n + 0.25)), which the paper reports as close to the table: within 1.5% at n = 5, 0.5% from n = 10.
TEST(ConversionsQuantiles, WanTable1ExpectedRangeWithinBlomApproximation) {
  const struct {
    double n, xi, tolerance;
  } rows[] = {{5, 2.326, 0.015},  {10, 3.078, 0.005}, {20, 3.735, 0.005},
              {30, 4.086, 0.005}, {40, 4.322, 0.005}, {50, 4.498, 0.005}};
  for (const auto& r : rows) {
    // A range of exactly 1 gives SD = 1/xi(n).
    const double xi = 1.0 / wan_sd(quantile_set::range, {0, nan, 0.5, nan, 1}, r.n);
    EXPECT_NEAR(xi / r.xi, 1.0, r.tolerance) << "n = " << r.n;
  }
}

// The worked example of metaBLUE's Wan.std (R package documentation, scenario S1):
// min 1, median 4, max 10, n = 30 gives SD 2.205578 (= 9/(2 qnorm(29.625/30.25))).
TEST(ConversionsQuantiles, WanRangeExampleFromMetaBLUE) {
  EXPECT_NEAR(wan_sd(quantile_set::range, {1, nan, 4, nan, 10}, 30), 2.205578, 5e-7);
}

TEST(ConversionsQuantiles, LuoMeansByHand) {
  // S1, n = 16: n^0.75 = 8, w = 4/12 = 1/3; mean = (0 + 12)/2 / 3 + 3 * 2/3 = 2 + 2 = 4.
  EXPECT_NEAR(luo_mean(quantile_set::range, {0, nan, 3, nan, 12}, 16), 4.0, 1e-14);
  // S2, n = 39: w = 0.7 + 0.39/39 = 0.71; mean = 0.71 (2 + 8)/2 + 0.29 * 4 = 3.55 + 1.16 = 4.71.
  EXPECT_NEAR(luo_mean(quantile_set::iqr, {nan, 2, 4, 8, nan}, 39), 4.71, 1e-14);
  // A symmetric summary gives back its centre for every scenario.
  for (double n : {3.0, 10.0, 250.0}) {
    EXPECT_NEAR(luo_mean(quantile_set::all_five, {-4, -1, 0, 1, 4}, n), 0.0, 1e-15);
  }
}

TEST(ConversionsQuantiles, WanAndShiSdsByHand) {
  // For large n, eta(n) -> 2 Phi^-1(0.75) = 1.34898: the "IQR/1.35" rule Wan et al. improve on.
  EXPECT_NEAR(wan_sd(quantile_set::iqr, {nan, 0, 0.5, 1.34897950039216, nan}, 1e9), 1.0, 1e-8);
  // Shi et al. (2020) weight w = 1/(1 + 0.07 n^0.6) between Wan's range and IQR estimators:
  // n = 32^(5/3) would make n^0.6 = 32; take n = 100 and check the weighted form directly.
  const five_number q{2, 5, 7, 11, 20};
  const double n = 100;
  const double w = 1.0 / (1.0 + 0.07 * std::pow(n, 0.6));
  EXPECT_NEAR(shi_sd(q, n), w * wan_sd(quantile_set::range, q, n) + (1 - w) * wan_sd(quantile_set::iqr, q, n), 1e-12);
  // mean_sd_from_quantiles picks Shi for S3 by default and Wan on request.
  EXPECT_EQ(mean_sd_from_quantiles(quantile_set::all_five, q, n).sd, shi_sd(q, n));
  EXPECT_EQ(mean_sd_from_quantiles(quantile_set::all_five, q, n, five_number_sd::wan2014).sd,
            wan_sd(quantile_set::all_five, q, n));
}

TEST(ConversionsQuantiles, ImpossibleQuantilesAreRefusedWithTheReason) {
  try {
    (void)luo_mean(quantile_set::iqr, {nan, 5, 4, 8, nan}, 20);
    FAIL() << "q1 > median accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("q1 (5) exceeds the median (4)"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)wan_sd(quantile_set::range, {3, nan, 2, nan, 8}, 20), std::invalid_argument);   // min > median
  EXPECT_THROW((void)shi_sd({0, 2, 3, 4, 3.5}, 20), std::invalid_argument);                          // q3 > max
  EXPECT_THROW((void)luo_mean(quantile_set::range, {0, nan, 1, nan, 2}, 2), std::invalid_argument);  // n < 3
  EXPECT_NO_THROW((void)luo_mean(quantile_set::range, {0, nan, 1, nan, 2}, 3));
}

TEST(ConversionsMeans, SeAndCiByHand) {
  EXPECT_DOUBLE_EQ(sd_from_se(0.5, 16), 2.0);  // 0.5 * sqrt(16)
  // n = 10^6: t(0.975, 999999) = 1.959966 ~ z = 1.959964, so a CI of mean +- z gives
  // SD = 1000 (2 z)/(2 t) = 1000 z/t ~ 999.9985.
  const double z = 1.959963984540054;
  const mean_sd m = mean_sd_from_ci(10 - z, 10 + z, 1e6);
  EXPECT_DOUBLE_EQ(m.mean, 10.0);
  EXPECT_NEAR(m.sd, 1000.0, 0.01);
  EXPECT_THROW((void)mean_sd_from_ci(3, 2, 10), std::invalid_argument);
}

TEST(ConversionsTestStatistics, SignsAndDomains) {
  EXPECT_DOUBLE_EQ(t_from_f(6.25, -1), -2.5);
  EXPECT_DOUBLE_EQ(d_from_t(2, 8, 8), 1.0);  // 2 sqrt(1/8 + 1/8) = 2 * 0.5
  EXPECT_EQ(t_from_p(1.0, 10, 10, 1), 0.0);
  EXPECT_THROW((void)t_from_f(4, 0), std::invalid_argument);
  EXPECT_THROW((void)t_from_p(0, 10, 10, 1), std::invalid_argument);
  EXPECT_THROW((void)t_from_p(0.05, 1, 1, 1), std::invalid_argument);
  // A tiny p keeps its precision: qt(1e-300/2, 98) is finite and large.
  EXPECT_GT(t_from_p(1e-300, 50, 50, 1), 30.0);
}

TEST(ConversionsFamilies, OddsRatioAndCorrelationByHand) {
  // ln(OR) = pi/sqrt(3) is d = 1; its variance scales by 3/pi^2.
  const estimate d = smd_from_log_or(k_pi / std::sqrt(3.0), k_pi * k_pi / 3.0);
  EXPECT_NEAR(d.yi, 1.0, 1e-15);
  EXPECT_NEAR(d.vi, 1.0, 1e-15);
  const estimate back = log_or_from_smd(d.yi, d.vi);
  EXPECT_NEAR(back.yi, k_pi / std::sqrt(3.0), 1e-15);
  // r = 0.6: 1 - r^2 = 0.64, d = 1.2/0.8 = 1.5, v_d = 4 v_r/0.262144.
  const estimate dr = d_from_r(0.6, 0.01);
  EXPECT_NEAR(dr.yi, 1.5, 1e-15);
  EXPECT_NEAR(dr.vi, 0.04 / 0.262144, 1e-15);
  // Back with equal groups: a = 4, r = 1.5/sqrt(2.25 + 4) = 0.6, v_r = 16 v_d/6.25^3 = 0.01.
  const estimate rd = r_from_d(dr.yi, dr.vi, 40, 40);
  EXPECT_NEAR(rd.yi, 0.6, 1e-15);
  EXPECT_NEAR(rd.vi, 0.01, 1e-16);
  EXPECT_THROW((void)d_from_r(1.0, 0.01), std::invalid_argument);
}

TEST(ConversionsFamilies, StandardErrorFromCiAndP) {
  const double z = 1.959963984540054;  // qnorm(0.975)
  EXPECT_NEAR(se_from_ci(-z, z), 1.0, 1e-15);
  EXPECT_NEAR(se_from_ci(0.2 - 2.5 * z, 0.2 + 2.5 * z), 2.5, 1e-14);
  EXPECT_NEAR(se_from_p(-2 * z, 0.05), 2.0, 1e-14);
  EXPECT_THROW((void)se_from_p(1.0, 0.0), std::invalid_argument);
}

}  // namespace
}  // namespace metasift::effects
