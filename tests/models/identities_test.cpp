// Tier 3 validation: mathematical identities that must hold whatever the data.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "metasift/models/fit.hpp"
#include "support/tolerance.hpp"

namespace metasift::models {
namespace {

using test::closed_form;

const std::vector<double> y{0.7, -0.2, 1.7, 0.7, 1.6, 1.3, -0.1, 0.2, 0.6, 0.9};
const std::vector<double> v{0.0024,        0.004583333333, 0.005502232143, 0.00220094086,  0.00572100059,
                            0.00455465587, 0.01090542099,  0.005701522265, 0.003912621922, 0.002373626374};
const std::vector<std::string> no_labels;

const method all_re[] = {method::DL, method::REML, method::ML, method::PM,
                         method::HE, method::SJ,   method::HS, method::EB};

TEST(Identities, RandomEffectsWithTau2ZeroIsCommonEffect) {
  model_spec ce;
  ce.est = method::EE;
  model_spec re;
  re.est = method::REML;
  re.tau2_fixed = 0.0;
  const meta_result a = fit(y, v, no_labels, ce);
  const meta_result b = fit(y, v, no_labels, re);
  EXPECT_WITHIN(b.pooled.estimate, a.pooled.estimate, closed_form);
  EXPECT_WITHIN(b.pooled.se, a.pooled.se, closed_form);
  EXPECT_WITHIN(b.pooled.ci_lower, a.pooled.ci_lower, closed_form);
  for (std::size_t i = 0; i < y.size(); ++i) EXPECT_WITHIN(b.studies[i].weight, a.studies[i].weight, closed_form);
}

TEST(Identities, ReorderingStudiesChangesNothing) {
  std::vector<std::size_t> perm(y.size());
  std::iota(perm.begin(), perm.end(), 0);
  std::mt19937 rng(42);
  for (int trial = 0; trial < 5; ++trial) {
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<double> y2, v2;
    for (auto i : perm) {
      y2.push_back(y[i]);
      v2.push_back(v[i]);
    }
    for (method m : all_re) {
      model_spec s;
      s.est = m;
      const meta_result a = fit(y, v, no_labels, s);
      const meta_result b = fit(y2, v2, no_labels, s);
      SCOPED_TRACE(std::string(to_string(m)));
      EXPECT_WITHIN(b.het.tau2, a.het.tau2, test::tight_iterative);
      EXPECT_WITHIN(b.pooled.estimate, a.pooled.estimate, test::tight_iterative);
      EXPECT_WITHIN(b.het.Q, a.het.Q, closed_form);
      EXPECT_WITHIN(b.het.tau2_ci.upper, a.het.tau2_ci.upper, test::tight_iterative);
      for (std::size_t j = 0; j < perm.size(); ++j) {
        EXPECT_WITHIN(b.studies[j].weight, a.studies[perm[j]].weight, test::tight_iterative);
      }
    }
  }
}

TEST(Identities, DerSimonianLairdIsQBasedI2) {
  // With tau^2 from DL, the tau^2-based I^2 equals (Q - df)/Q (metafor print.rma.Rd).
  model_spec s;
  s.est = method::DL;
  const meta_result r = fit(y, v, no_labels, s);
  EXPECT_WITHIN(r.het.I2, 100.0 * (r.het.Q - r.het.df) / r.het.Q, closed_form);
  EXPECT_WITHIN(r.het.H2, 1.0 / (1.0 - r.het.I2 / 100.0), closed_form);
}

TEST(Identities, WeightsSumToHundredAndTauIsSqrtTau2) {
  for (method m : all_re) {
    model_spec s;
    s.est = m;
    const meta_result r = fit(y, v, no_labels, s);
    double total = 0;
    for (const auto& st : r.studies) total += st.weight;
    EXPECT_WITHIN(total, 100.0, closed_form);
    EXPECT_WITHIN(r.het.tau * r.het.tau, r.het.tau2, closed_form);
    EXPECT_LE(r.het.tau2_ci.lower, r.het.tau2_ci.upper);
  }
}

TEST(Identities, QProfileBoundsSolveTheirEquations) {
  // Q(tau2_lb) = chi2_{0.975, k-1} and Q(tau2_ub) = chi2_{0.025, k-1}.
  const qprofile_ci ci = qprofile_tau2_ci(y, v, 0.95);
  auto q_at = [&](double t2) {
    double sw = 0, swy = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      sw += 1 / (v[i] + t2);
      swy += y[i] / (v[i] + t2);
    }
    const double mu = swy / sw;
    double q = 0;
    for (std::size_t i = 0; i < y.size(); ++i) q += (y[i] - mu) * (y[i] - mu) / (v[i] + t2);
    return q;
  };
  EXPECT_WITHIN(q_at(ci.tau2.lower), 19.02276780982717, (tolerance{1e-8, 0}));  // qchisq(0.975, 9)
  EXPECT_WITHIN(q_at(ci.tau2.upper), 2.700389499980359, (tolerance{1e-8, 0}));  // qchisq(0.025, 9)
}

TEST(Identities, ScalingEffectsScalesEstimateAndTau2) {
  // y -> c y, v -> c^2 v multiplies the estimate by c and tau^2 by c^2 for every estimator.
  const double c = 3.5;
  std::vector<double> y2, v2;
  for (std::size_t i = 0; i < y.size(); ++i) {
    y2.push_back(c * y[i]);
    v2.push_back(c * c * v[i]);
  }
  for (method m : all_re) {
    model_spec s;
    s.est = m;
    const meta_result a = fit(y, v, no_labels, s);
    const meta_result b = fit(y2, v2, no_labels, s);
    SCOPED_TRACE(std::string(to_string(m)));
    EXPECT_WITHIN(b.pooled.estimate, c * a.pooled.estimate, test::tight_iterative);
    EXPECT_WITHIN(b.het.tau2, c * c * a.het.tau2, test::tight_iterative);
    EXPECT_WITHIN(b.het.I2, a.het.I2, test::tight_iterative);
  }
}

}  // namespace
}  // namespace metasift::models

namespace metasift::models {
namespace {

/// The estimating equation each iterative estimator solves, at tau2 (REML and ML: the score of the
/// (restricted) likelihood up to a factor 1/2; EB: the Morris moment equation; PM: Q - (k - 1)).
double estimating_equation(method m, const std::vector<double>& ys, const std::vector<double>& vs, double tau2,
                           double& scale) {
  double s1 = 0, s2 = 0, swy = 0;
  for (std::size_t i = 0; i < ys.size(); ++i) {
    const double w = 1 / (vs[i] + tau2);
    s1 += w;
    s2 += w * w;
    swy += w * ys[i];
  }
  const double mu = swy / s1;
  double ypy = 0, yppy = 0;
  for (std::size_t i = 0; i < ys.size(); ++i) {
    const double w = 1 / (vs[i] + tau2), r = ys[i] - mu;
    ypy += w * r * r;
    yppy += w * w * r * r;
  }
  const auto k = static_cast<double>(ys.size());
  switch (m) {
    case method::ML: scale = s1; return yppy - s1;
    case method::EB: scale = k; return ypy * k / (k - 1) - k;
    case method::PM: scale = k; return ypy - (k - 1);
    default: scale = s1; return yppy - (s1 - s2 / s1);
  }
}

TEST(Identities, IterativeEstimatorsSolveTheirEquationsOnRandomData) {
  // 2,000 random data sets: k from 2 to 60, variances over 6 orders of magnitude, tau^2 from 0 to
  // large. At an interior estimate the equation is 0; on the boundary it is <= 0 (or the REML/ML
  // ll0 check reset tau^2 to 0).
  std::mt19937 rng(20261128);
  std::uniform_int_distribution<int> kdist(2, 60);
  std::uniform_real_distribution<double> logv(std::log(1e-4), std::log(1e2));
  std::uniform_real_distribution<double> logt(std::log(1e-6), std::log(10.0));
  std::normal_distribution<double> z;
  int interior = 0;
  for (int rep = 0; rep < 2000; ++rep) {
    const int k = kdist(rng);
    const double true_tau2 = rep % 4 == 0 ? 0.0 : std::exp(logt(rng));
    std::vector<double> yy, vv;
    for (int i = 0; i < k; ++i) {
      vv.push_back(std::exp(logv(rng)));
      yy.push_back(0.3 + z(rng) * std::sqrt(vv.back() + true_tau2));
    }
    for (method m : {method::REML, method::ML, method::EB, method::PM}) {
      model_spec s;
      s.est = m;
      s.tau2_ci = false;
      const meta_result r = fit(yy, vv, {}, s);
      ASSERT_NE(r.status, fit_status::not_converged) << to_string(m) << " rep " << rep;
      double scale = 1;
      const double eq = estimating_equation(m, yy, vv, r.het.tau2, scale);
      if (r.het.tau2 > 0) {
        ++interior;
        EXPECT_LE(std::abs(eq), 1e-8 * scale) << to_string(m) << " rep " << rep << " tau2 " << r.het.tau2;
      } else if (!std::any_of(r.notes.items.begin(), r.notes.items.end(), [](const std::string& n) {
                   return n.find("likelihood at tau^2 = 0") != std::string::npos;
                 })) {
        EXPECT_LE(eq, 1e-8 * scale) << to_string(m) << " rep " << rep;
      }
    }
  }
  EXPECT_GT(interior, 3000);  // most fits are interior, so the check is not vacuous
}

TEST(Identities, PoolIvIsTheWeightedMeanWithItsQ) {
  // y = 1, 2, 4 with v = 1, 0.5, 0.25 and tau^2 = 0: w = 1, 2, 4, mean = (1 + 4 + 16) / 7 = 3,
  // SE = 1 / sqrt(7), Q = 4 * 1 + 1 * 2 + 1 * 4 = 10.
  const std::vector<double> yy{1.0, 2.0, 4.0}, vv{1.0, 0.5, 0.25};
  const iv_pooled fe = pool_iv(yy, vv, 0.0, true);
  EXPECT_DOUBLE_EQ(fe.estimate, 3.0);
  EXPECT_DOUBLE_EQ(fe.se, 1.0 / std::sqrt(7.0));
  EXPECT_DOUBLE_EQ(fe.sum_w, 7.0);
  EXPECT_DOUBLE_EQ(fe.q, 10.0);
  EXPECT_TRUE(std::isnan(pool_iv(yy, vv, 0.0).q));  // Q only on request
  // tau^2 = 1: w = 1/2, 2/3, 4/5, sum 59/30; mean = (1/2 + 4/3 + 16/5) / (59/30) = 151/59.
  const iv_pooled re = pool_iv(yy, vv, 1.0);
  EXPECT_DOUBLE_EQ(re.estimate, 151.0 / 59.0);
  EXPECT_DOUBLE_EQ(re.se, std::sqrt(30.0 / 59.0));
  // The pooled estimate of the full model is this kernel's.
  model_spec spec;
  spec.est = method::DL;
  const meta_result r = fit(y, v, no_labels, spec);
  const iv_pooled k = pool_iv(y, v, r.het.tau2);
  EXPECT_EQ(r.pooled.estimate, k.estimate);
  EXPECT_EQ(r.pooled.se, k.se);
}

}  // namespace
}  // namespace metasift::models
