// Valid but degenerate data never throws: it gives a result with a status and warnings.

#include <gtest/gtest.h>

#include <algorithm>

#include "metasift/core/error.hpp"
#include "metasift/models/fit.hpp"
#include "support/tolerance.hpp"

namespace metasift::models {
namespace {

bool mentions(const meta_result& r, std::string_view text) {
  return std::any_of(r.notes.items.begin(), r.notes.items.end(),
                     [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

TEST(Degenerate, SingleStudy) {
  const std::vector<double> y{0.4}, v{0.01};
  model_spec s;
  const meta_result r = fit(y, v, {"only"}, s);
  EXPECT_EQ(r.status, fit_status::degenerate);
  EXPECT_TRUE(mentions(r, "k = 1"));
  EXPECT_DOUBLE_EQ(r.pooled.estimate, 0.4);
  EXPECT_DOUBLE_EQ(r.het.tau2, 0.0);
  EXPECT_DOUBLE_EQ(r.studies[0].weight, 100.0);
}

TEST(Degenerate, AllEffectsIdenticalGiveTau2ZeroOnTheBoundary) {
  const std::vector<double> y(5, 0.3), v{0.01, 0.02, 0.03, 0.04, 0.05};
  for (method m : {method::REML, method::ML, method::DL, method::PM, method::EB, method::SJ, method::HE, method::HS}) {
    model_spec s;
    s.est = m;
    const meta_result r = fit(y, v, {}, s);
    SCOPED_TRACE(std::string(to_string(m)));
    EXPECT_EQ(r.het.tau2, 0.0);
    EXPECT_EQ(r.status, fit_status::boundary);
    EXPECT_TRUE(mentions(r, "identical"));
    EXPECT_DOUBLE_EQ(r.het.Q, 0.0);
    EXPECT_TRUE(r.het.has_ci);
    EXPECT_EQ(r.het.tau2_ci.upper, 0.0);  // null set reported as [0, 0]
  }
}

TEST(Degenerate, TwoStudiesHaveNoStataPredictionInterval) {
  const std::vector<double> y{0.1, 0.9}, v{0.01, 0.02};
  model_spec s;
  s.pi = pi_method::t_k2;
  const meta_result r = fit(y, v, {}, s);
  EXPECT_TRUE(std::isnan(r.pooled.pi_lower));
  EXPECT_TRUE(mentions(r, "prediction interval undefined"));
}

TEST(Degenerate, HugeVarianceRatioStillConverges) {
  // Variances over 12 orders of magnitude: scoring must converge (or fall back) to the REML root.
  const std::vector<double> y{0.1, 2.0, -1.5, 0.7, 3.1}, v{1e-8, 1e-2, 1e2, 1e4, 1e-5};
  model_spec s;
  const meta_result r = fit(y, v, {}, s);
  EXPECT_NE(r.status, fit_status::not_converged);
  EXPECT_TRUE(std::isfinite(r.pooled.estimate));
  EXPECT_GT(r.het.tau2, 0.0);
}

TEST(Degenerate, FallbackRootMatchesScoring) {
  // Force scoring to give up after one iteration: the bracketing fallback must land on the same tau^2.
  const std::vector<double> y{0.7, -0.2, 1.7, 0.7, 1.6}, v{0.0024, 0.0046, 0.0055, 0.0022, 0.0057};
  model_spec normal;
  model_spec starved;
  starved.max_iterations = 1;
  const meta_result a = fit(y, v, {}, normal);
  const meta_result b = fit(y, v, {}, starved);
  EXPECT_TRUE(b.conv.used_fallback);
  EXPECT_EQ(b.status, fit_status::fallback);
  EXPECT_WITHIN(b.het.tau2, a.het.tau2, test::tight_iterative);
}

TEST(Degenerate, OverflowingEffectsGiveUnavailableResultsNotExceptions) {
  // One effect of 3.4e94 (a mean typed with 90 extra digits): Q ~ 1e191 is still finite, so the
  // data pass the representability check, but Q(tau^2) - crit cannot be bracketed for the
  // Q-profile bounds. Every estimator and the interval must end in a status or a not-available
  // value, never an exception.
  const std::vector<double> y{0.7, 0.7, 1.6, 3.44e94, -0.1}, v{0.0027, 0.002, 0.0065, 0.0045, 0.011};
  for (const auto m : {method::REML, method::ML, method::PM, method::EB, method::DL, method::SJ}) {
    model_spec s;
    s.est = m;
    s.tau2_ci = true;
    meta_result r;
    ASSERT_NO_THROW(r = fit(y, v, {}, s));
    if (r.het.has_ci && !(std::isfinite(r.het.tau2_ci.lower) && std::isfinite(r.het.tau2_ci.upper))) {
      EXPECT_TRUE(mentions(r, "could not be computed"));
    }
    if (m == method::REML) {
      EXPECT_TRUE(r.het.has_ci);
      EXPECT_TRUE(std::isnan(r.het.tau2_ci.upper));  // the case the fuzzer found
    }
  }
}

TEST(Degenerate, NonPositiveVarianceIsAProgrammingError) {
  const std::vector<double> y{0.1, 0.2}, v{0.01, 0.0};
  EXPECT_THROW((void)fit(y, v, {}, model_spec{}), error);
}

}  // namespace
}  // namespace metasift::models
