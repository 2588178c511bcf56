// simulate(): identical results for any number of threads, and estimators that behave as theory
// says (unbiased mu, Wald coverage below nominal at k = 10, Hartung-Knapp close to nominal).

#include "metasift/batch/simulate.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "metasift/core/error.hpp"

namespace {

using namespace metasift;
using batch::simulate;
using batch::simulation_spec;

simulation_spec base() {
  simulation_spec s;
  s.k = 10;
  s.tau2 = 0.1;
  s.reps = 5000;  // 5 blocks of 1024, the last one partial
  s.methods = {models::method::DL, models::method::REML, models::method::PM, models::method::EE};
  s.cis = {models::ci_method::z, models::ci_method::hk};
  s.seed = 42;
  return s;
}

TEST(Simulate, ResultsAreBitIdenticalForAnyNumberOfThreads) {
  simulation_spec s = base();
  s.threads = 1;
  const auto one = simulate(s);
  for (int t : {2, 3, 8}) {
    s.threads = t;
    const auto many = simulate(s);
    ASSERT_EQ(one.rows.size(), many.rows.size());
    for (std::size_t i = 0; i < one.rows.size(); ++i) {
      const auto& a = one.rows[i];
      const auto& b = many.rows[i];
      EXPECT_EQ(std::memcmp(&a.bias, &b.bias, sizeof(double)), 0) << t;
      EXPECT_EQ(a.mse, b.mse);
      EXPECT_EQ(a.coverage, b.coverage);
      EXPECT_EQ(a.ci_width, b.ci_width);
      EXPECT_EQ(a.tau2_bias, b.tau2_bias);
      EXPECT_EQ(a.tau2_mse, b.tau2_mse);
      EXPECT_EQ(a.boundary, b.boundary);
      EXPECT_EQ(a.not_converged, b.not_converged);
    }
  }
}

TEST(Simulate, SeedChangesTheNumbers) {
  simulation_spec s = base();
  const auto a = simulate(s);
  s.seed = 43;
  const auto b = simulate(s);
  EXPECT_NE(a.rows[0].bias, b.rows[0].bias);
}

TEST(Simulate, EstimatorsBehaveAsExpected) {
  simulation_spec s = base();
  s.reps = 40000;
  s.threads = 2;
  const auto r = simulate(s);
  ASSERT_EQ(r.rows.size(), 8U);
  EXPECT_EQ(r.fits, 160000U);
  for (const auto& row : r.rows) {
    EXPECT_EQ(row.reps, 40000U);
    EXPECT_NEAR(row.bias, 0.0, 0.01) << models::to_string(row.method);
    EXPECT_EQ(row.not_converged, 0U);
    if (row.ci == models::ci_method::hk && row.method != models::method::EE) {
      EXPECT_NEAR(row.coverage, 0.95, 0.02) << models::to_string(row.method);
    }
    if (row.ci == models::ci_method::z && row.method == models::method::EE) {
      EXPECT_LT(row.coverage, 0.85);  // the common-effect model ignores tau^2 = 0.1
    }
  }
  // REML (row 2: REML z) is nearly unbiased for tau^2; DL and REML hit the boundary sometimes.
  EXPECT_NEAR(r.rows[2].tau2_bias, 0.0, 0.01);
  EXPECT_GT(r.rows[2].boundary, 0U);
}

TEST(Simulate, RejectsBadSpecs) {
  simulation_spec s = base();
  s.k = 1;
  EXPECT_THROW(static_cast<void>(simulate(s)), usage_error);
  s = base();
  s.methods = {models::method::MH};
  EXPECT_THROW(static_cast<void>(simulate(s)), usage_error);
  s = base();
  s.v_min = 0;
  EXPECT_THROW(static_cast<void>(simulate(s)), usage_error);
}

}  // namespace
