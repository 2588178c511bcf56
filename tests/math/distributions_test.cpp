#include "metasift/math/distributions.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "metasift/math/root_find.hpp"
#include "support/tolerance.hpp"

namespace metasift::math {
namespace {

using test::closed_form;

// Values from R 4.2.2: pchisq(689.6892183, 9, lower.tail = FALSE) etc. The reference p-values belong
// to the unrounded Q; Q printed to 10 digits moves p by up to ~3e-8 relative, hence 1e-7.
TEST(Distributions, ChiSquaredUpperTailKeepsTinyValues) {
  EXPECT_WITHIN(chisq_upper(689.6892183, 9), 1.138529675e-142, (tolerance{1e-7, 0}));
  EXPECT_WITHIN(chisq_upper(152.2330081, 12), 1.996764591e-26, (tolerance{1e-8, 0}));
  EXPECT_EQ(chisq_upper(0.0, 3), 1.0);
}

TEST(Distributions, NormalAndT) {
  EXPECT_WITHIN(normal_critical(0.95), 1.959963984540054, closed_form);
  EXPECT_WITHIN(normal_two_sided_p(3.974447994), 7.054267349e-05, (tolerance{1e-8, 0}));
  EXPECT_WITHIN(t_critical(0.95, 9), 2.262157162798205, closed_form);
  EXPECT_WITHIN(t_two_sided_p(-3.95223989, 12), 0.001920015085, (tolerance{1e-8, 0}));
  // Identity: the two-sided p at the critical value is 1 - level.
  EXPECT_WITHIN(t_two_sided_p(t_critical(0.9, 4.5), 4.5), 0.1, closed_form);
  EXPECT_WITHIN(normal_two_sided_p(normal_critical(0.99)), 0.01, closed_form);
}

TEST(Distributions, ExtremeArgumentsUnderflowInsteadOfThrowing) {
  EXPECT_EQ(normal_two_sided_p(60.0), 0.0);
  EXPECT_EQ(chisq_upper(std::numeric_limits<double>::infinity(), 2), 0.0);
  EXPECT_TRUE(std::isnan(normal_two_sided_p(std::numeric_limits<double>::quiet_NaN())));
}

TEST(Distributions, ChiSquaredQuantileInvertsUpperTail) {
  const double q = chisq_quantile(0.975, 12);
  EXPECT_WITHIN(chisq_upper(q, 12), 0.025, closed_form);
}

TEST(RootFind, FindsBracketedRoot) {
  auto r = find_root([](double x) { return x * x - 2.0; }, 0.0, 2.0);
  EXPECT_TRUE(r.converged);
  EXPECT_WITHIN(r.root, std::sqrt(2.0), closed_form);
}

TEST(RootFind, NoSignChangeOrNonFiniteEndsGiveNaNWithoutThrowing) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  auto same_sign = find_root([](double x) { return x * x + 1.0; }, -1.0, 1.0);
  EXPECT_FALSE(same_sign.converged);
  EXPECT_TRUE(std::isnan(same_sign.root));
  auto nan_end = find_root([nan](double x) { return x < 1.0 ? -1.0 : nan; }, 0.0, 2.0);
  EXPECT_FALSE(nan_end.converged);
  EXPECT_TRUE(std::isnan(nan_end.root));
  auto inf_end = find_root([inf](double x) { return x < 1.0 ? -1.0 : inf; }, 0.0, 2.0);
  EXPECT_FALSE(inf_end.converged);
  EXPECT_TRUE(std::isnan(inf_end.root));
  // NaN strictly inside the bracket: a sign change at the ends, garbage in between.
  auto nan_inside = find_root([nan](double x) { return x < 0.1 ? -1.0 : (x > 1.9 ? 1.0 : nan); }, 0.0, 2.0);
  EXPECT_FALSE(nan_inside.converged);
}

TEST(Distributions, ArgumentsOutsideTheSupportGiveNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(std::isnan(t_critical(0.95, 0.0)));
  EXPECT_TRUE(std::isnan(t_critical(0.95, nan)));
  EXPECT_TRUE(std::isnan(t_two_sided_p(1.0, -3.0)));
  EXPECT_TRUE(std::isnan(chisq_quantile(0.5, 0.0)));
  EXPECT_TRUE(std::isnan(chisq_upper(1.0, nan)));
  EXPECT_TRUE(std::isnan(f_upper(1.0, 0.0, 3.0)));
  EXPECT_TRUE(std::isnan(normal_quantile(1.5)));
}

}  // namespace
}  // namespace metasift::math
