// Properties of the bias, trim-and-fill, influence and cumulative analyses that hold whatever
// metafor says: identities with the core fit, symmetry, exact distributions checked by brute force,
// and degenerate inputs that must give a status and warnings rather than a crash.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "metasift/analyses/bias.hpp"
#include "metasift/analyses/cumulative.hpp"
#include "metasift/analyses/influence.hpp"
#include "metasift/analyses/trimfill.hpp"
#include "metasift/core/error.hpp"
#include "metasift/models/fit.hpp"
#include "support/tolerance.hpp"

namespace metasift {
namespace {

// dat.bcg, log risk ratios (metafor escalc RR).
const std::vector<double> bcg_y{-0.88931133, -1.58538866, -1.34807315, -1.44155119, -0.21754732,
                                -0.78611559, -1.62089822, 0.01195233,  -0.46941765, -1.37134480,
                                -0.33935883, 0.44591340,  -0.01731395};
const std::vector<double> bcg_v{0.32558477, 0.19458112, 0.41536797, 0.02001003, 0.05121017, 0.00690562, 0.22301725,
                                0.00396157, 0.05643421, 0.07302479, 0.01241221, 0.53250585, 0.07140466};

models::model_spec reml() {
  return {};
}
models::model_spec with(models::method m, models::ci_method t = models::ci_method::z) {
  models::model_spec s;
  s.est = m;
  s.test = t;
  return s;
}

TEST(KendallDistribution, MatchesBruteForceEnumeration) {
  for (int n = 1; n <= 7; ++n) {
    std::vector<int> perm(static_cast<std::size_t>(n));
    std::iota(perm.begin(), perm.end(), 0);
    const long long u = static_cast<long long>(n) * (n - 1) / 2;
    std::vector<double> count(static_cast<std::size_t>(u + 1), 0.0);
    double total = 0;
    do {
      long long concordant = 0;
      for (int i = 0; i < n; ++i) {
        for (int j = i + 1; j < n; ++j)
          concordant += perm[static_cast<std::size_t>(i)] < perm[static_cast<std::size_t>(j)];
      }
      count[static_cast<std::size_t>(concordant)] += 1;
      total += 1;
    } while (std::next_permutation(perm.begin(), perm.end()));
    double cumulative = 0;
    for (long long q = 0; q <= u; ++q) {
      cumulative += count[static_cast<std::size_t>(q)];
      EXPECT_WITHIN(analyses::kendall_lower_tail(q, n), cumulative / total, test::closed_form)
          << "n " << n << " q " << q;
    }
    EXPECT_EQ(analyses::kendall_lower_tail(-1, n), 0.0);
  }
}

TEST(KendallDistribution, IsSymmetricForLargerN) {
  const int n = 40;
  const long long u = 40 * 39 / 2;
  for (long long q : {0LL, 10LL, 200LL, 389LL}) {
    // P(T <= q) = P(T >= u - q) = 1 - P(T <= u - q - 1)
    EXPECT_NEAR(analyses::kendall_lower_tail(q, n), 1.0 - analyses::kendall_lower_tail(u - q - 1, n), 1e-13);
  }
}

TEST(Bias, EggerClassicalIsTheStandardisedRegressionIntercept) {
  // Egger et al. (1997): OLS of y/se on 1/se; its intercept is the bias and its slope the effect.
  const auto r = analyses::small_study_tests(bcg_y, bcg_v, reml());
  const std::size_t k = bcg_y.size();
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const double se = std::sqrt(bcg_v[i]);
    const double x = 1 / se, yy = bcg_y[i] / se;
    sx += x;
    sy += yy;
    sxx += x * x;
    sxy += x * yy;
  }
  const double kd = static_cast<double>(k);
  const double slope = (sxy - sx * sy / kd) / (sxx - sx * sx / kd);
  const double intercept = sy / kd - slope * sx / kd;
  EXPECT_WITHIN(r.egger.bias(), intercept, test::closed_form);
  EXPECT_WITHIN(r.egger.fit.b0, slope, test::closed_form);
  EXPECT_EQ(r.egger.df(), 11.0);
  EXPECT_EQ(r.pet.estimate(), r.egger.fit.b0);
}

TEST(Bias, TooFewStudiesGiveDegenerateStatusNotACrash) {
  const std::vector<double> y{0.1, 0.3}, v{0.01, 0.02};
  const auto r = analyses::small_study_tests(y, v, reml());
  EXPECT_EQ(r.status, fit_status::degenerate);
  EXPECT_TRUE(std::isnan(r.egger.t()));
  EXPECT_TRUE(std::isnan(r.egger_mixed.p));
  EXPECT_TRUE(std::isnan(r.pet.estimate()));
  EXPECT_FALSE(r.notes.empty());
  EXPECT_EQ(r.begg.p, 1.0);  // k = 2: tau = +-1, exact two-sided p = 1 (as R)
  const auto one = analyses::small_study_tests(std::vector<double>{0.2}, std::vector<double>{0.1}, reml());
  EXPECT_EQ(one.begg.status, fit_status::degenerate);
  EXPECT_TRUE(std::isnan(one.begg.tau));
}

TEST(Bias, EqualVariancesMakeTheRegressionsUnidentified) {
  const std::vector<double> y{0.1, 0.3, -0.2, 0.5}, v(4, 0.04);
  const auto r = analyses::small_study_tests(y, v, reml());
  EXPECT_EQ(r.egger.fit.status, fit_status::degenerate);
  EXPECT_EQ(r.egger_mixed.status, fit_status::degenerate);
  EXPECT_EQ(r.begg.status, fit_status::degenerate);  // the variances do not vary: Kendall's tau undefined
  EXPECT_TRUE(std::isfinite(r.fsn.rosenthal));
  EXPECT_GE(r.notes.items.size(), 3u);
}

TEST(Bias, TiesUseTheNormalApproximation) {
  const std::vector<double> y{0.1, 0.3, -0.2, 0.5, 0.4}, v{0.04, 0.04, 0.02, 0.09, 0.01};
  const auto r = analyses::small_study_tests(y, v, reml());
  EXPECT_TRUE(r.begg.ties);
  EXPECT_FALSE(r.begg.exact);
  EXPECT_TRUE(std::isfinite(r.begg.p));
}

TEST(Bias, FailSafeN) {
  const auto r = analyses::small_study_tests(bcg_y, bcg_v, reml());
  EXPECT_EQ(r.fsn.orwin, 13.0);  // default target = mean / 2 gives N = k
  analyses::bias_options o;
  o.orwin_target = 0.25;  // opposite sign to the mean effect: flipped, as metafor
  const auto t = analyses::small_study_tests(bcg_y, bcg_v, reml(), o);
  EXPECT_EQ(t.fsn.orwin_target, -0.25);
  const double mean = std::accumulate(bcg_y.begin(), bcg_y.end(), 0.0) / 13.0;
  EXPECT_EQ(t.fsn.orwin, std::ceil(13.0 * (mean + 0.25) / -0.25));
  o.orwin_target = 0.0;
  const auto z = analyses::small_study_tests(bcg_y, bcg_v, reml(), o);
  EXPECT_TRUE(std::isinf(z.fsn.orwin));
  EXPECT_FALSE(z.notes.empty());
}

TEST(Analyses, TwoByTwoMethodsAndBadInputThrow) {
  EXPECT_THROW((void)analyses::small_study_tests(bcg_y, bcg_v, with(models::method::MH)), usage_error);
  EXPECT_THROW((void)analyses::trim_and_fill(bcg_y, bcg_v, {}, with(models::method::PETO)), usage_error);
  EXPECT_THROW((void)analyses::influence(bcg_y, bcg_v, {}, with(models::method::MH)), usage_error);
  EXPECT_THROW((void)analyses::cumulative(bcg_y, bcg_v, {}, with(models::method::MH)), usage_error);
  std::vector<double> bad = bcg_v;
  bad[3] = 0.0;
  EXPECT_THROW((void)analyses::influence(bcg_y, bad, {}, reml()), error);
  const std::vector<std::size_t> not_a_permutation{0, 0, 1};
  EXPECT_THROW((void)analyses::cumulative(std::vector<double>{1, 2, 3}, std::vector<double>{1, 1, 1}, {}, reml(),
                                          not_a_permutation),
               error);
}

TEST(Influence, LeaveOneOutRowsAreTheFitsWithoutEachStudy) {
  for (auto spec : {reml(), with(models::method::DL, models::ci_method::hk), with(models::method::EE)}) {
    const auto r = analyses::influence(bcg_y, bcg_v, {}, spec);
    ASSERT_EQ(r.studies.size(), bcg_y.size());
    for (std::size_t i = 0; i < bcg_y.size(); ++i) {
      std::vector<double> y = bcg_y, v = bcg_v;
      y.erase(y.begin() + static_cast<std::ptrdiff_t>(i));
      v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
      const auto f = models::fit(y, v, {}, spec);
      const auto& row = r.studies[i];
      EXPECT_WITHIN(row.estimate, f.pooled.estimate, test::closed_form);
      EXPECT_WITHIN(row.se, f.pooled.se, test::closed_form);
      EXPECT_WITHIN(row.p, f.pooled.p, test::closed_form);
      EXPECT_WITHIN(row.tau2, f.het.tau2, test::closed_form);
      EXPECT_WITHIN(row.I2, f.het.I2, test::closed_form);
      EXPECT_WITHIN(row.H2, f.het.H2, test::closed_form);
      EXPECT_WITHIN(row.Q, f.het.Q, test::closed_form);
    }
    double weights = 0;
    for (const auto& row : r.studies) weights += row.weight;
    EXPECT_NEAR(weights, 100.0, 1e-10);
  }
}

TEST(Influence, SmallAndDegenerateData) {
  const auto one = analyses::influence(std::vector<double>{0.3}, std::vector<double>{0.1}, {"A"}, reml());
  EXPECT_EQ(one.status, fit_status::degenerate);
  ASSERT_EQ(one.studies.size(), 1u);
  EXPECT_EQ(one.studies[0].label, "A");
  const auto two = analyses::influence(std::vector<double>{0.3, 0.5}, std::vector<double>{0.1, 0.2}, {},
                                       with(models::method::REML, models::ci_method::hk));
  ASSERT_EQ(two.studies.size(), 2u);
  EXPECT_EQ(two.studies[0].estimate, 0.5);  // the other study alone
  EXPECT_EQ(two.studies[0].tau2, 0.0);
  EXPECT_TRUE(std::isfinite(two.studies[0].p));  // z, as metafor does for k = 1
  EXPECT_FALSE(two.notes.empty());
}

TEST(Cumulative, LastStepIsTheFullFitAndOrderIsStable) {
  const auto full = models::fit(bcg_y, bcg_v, {}, reml());
  const auto c = analyses::cumulative(bcg_y, bcg_v, {}, reml());
  ASSERT_EQ(c.steps.size(), bcg_y.size());
  EXPECT_WITHIN(c.steps.back().estimate, full.pooled.estimate, test::closed_form);
  EXPECT_WITHIN(c.steps.back().tau2, full.het.tau2, test::closed_form);
  EXPECT_WITHIN(c.steps.back().I2, full.het.I2, test::closed_form);
  EXPECT_EQ(c.steps.front().estimate, bcg_y[0]);
  EXPECT_EQ(c.steps.front().tau2, 0.0);
  EXPECT_EQ(c.steps.front().I2, 0.0);
  EXPECT_EQ(c.steps.front().H2, 1.0);

  const std::vector<double> key{3, 1, 3, std::nan(""), 1, 2};
  EXPECT_EQ(analyses::stable_order(key), (std::vector<std::size_t>{1, 4, 5, 0, 2, 3}));
  EXPECT_EQ(analyses::stable_order(key, true), (std::vector<std::size_t>{0, 2, 5, 1, 4, 3}));
}

TEST(TrimFill, SymmetricFunnelNeedsNoFilling) {
  // Pairs mirrored around 0.5 with equal variances: no asymmetry.
  const std::vector<double> y{0.3, 0.7, 0.1, 0.9, 0.45, 0.55, -0.2, 1.2};
  const std::vector<double> v{0.01, 0.01, 0.04, 0.04, 0.005, 0.005, 0.09, 0.09};
  for (auto e : {analyses::trimfill_estimator::L0, analyses::trimfill_estimator::R0}) {
    analyses::trimfill_options o;
    o.estimator = e;
    const auto r = analyses::trim_and_fill(y, v, {}, reml(), o);
    EXPECT_EQ(r.k0, 0);
    EXPECT_TRUE(r.filled.empty());
    EXPECT_EQ(r.adjusted.pooled.estimate, r.observed.pooled.estimate);
  }
}

TEST(TrimFill, MirroringTheDataMirrorsTheResult) {
  std::vector<double> neg(bcg_y.size());
  std::transform(bcg_y.begin(), bcg_y.end(), neg.begin(), [](double x) { return -x; });
  for (auto spec : {reml(), with(models::method::DL), with(models::method::EE)}) {
    analyses::trimfill_options right, left;
    right.side = analyses::trimfill_side::right;
    left.side = analyses::trimfill_side::left;
    const auto a = analyses::trim_and_fill(bcg_y, bcg_v, {}, spec, right);
    const auto b = analyses::trim_and_fill(neg, bcg_v, {}, spec, left);
    EXPECT_EQ(a.k0, b.k0);
    EXPECT_WITHIN(a.adjusted.pooled.estimate, -b.adjusted.pooled.estimate, test::closed_form);
    ASSERT_EQ(a.filled.size(), b.filled.size());
    for (std::size_t j = 0; j < a.filled.size(); ++j) {
      EXPECT_WITHIN(a.filled[j].yi, -b.filled[j].yi, test::closed_form);
      EXPECT_EQ(a.filled[j].mirror_of, b.filled[j].mirror_of);
    }
  }
}

TEST(TrimFill, FilledStudiesAreMirrorImagesAroundTheTrimmedEstimate) {
  const auto r = analyses::trim_and_fill(bcg_y, bcg_v, {}, with(models::method::EE));
  ASSERT_GT(r.k0, 0);
  EXPECT_EQ(r.adjusted.k, r.k + r.k0);
  for (const auto& f : r.filled) {
    EXPECT_WITHIN(f.yi, 2 * r.trimmed_estimate - bcg_y[f.mirror_of], test::closed_form);
    EXPECT_EQ(f.vi, bcg_v[f.mirror_of]);
  }
  EXPECT_EQ(r.filled.front().label, "Filled 1");
}

TEST(TrimFill, TooFewStudies) {
  const auto r = analyses::trim_and_fill(std::vector<double>{0.2, 0.4}, std::vector<double>{0.1, 0.2}, {}, reml());
  EXPECT_EQ(r.status, fit_status::degenerate);
  EXPECT_EQ(r.k0, 0);
  EXPECT_FALSE(r.notes.empty());
  analyses::trimfill_options o;
  o.side = analyses::trimfill_side::left;
  const auto given =
      analyses::trim_and_fill(std::vector<double>{0.2, 0.4}, std::vector<double>{0.1, 0.2}, {}, reml(), o);
  EXPECT_NE(given.status, fit_status::degenerate);
}

}  // namespace
}  // namespace metasift
