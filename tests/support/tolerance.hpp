#pragma once
// Named tolerances per kind of statistic, and the one assertion the numeric tests use.
//
// closed_form  : statistics metafor computes in closed form from the same inputs (DL, HE, HS, SJ,
//                EE, MH, Peto, Q, effect sizes). Differences are rounding only.
// iterative    : statistics that depend on an iterative solution in metafor with its default
//                control (REML/ML/EB scoring stops at a 1e-5 change in tau^2; PM and Q-profile use
//                uniroot with tol = eps^0.25 ~ 1.2e-4).
// tight_iterative : the same statistics against reference values generated with metafor's
//                convergence tightened to 1e-12, so that only our own convergence is tested.

#include <gtest/gtest.h>

#include <string>

#include "metasift/core/tolerance.hpp"

namespace metasift::test {

inline constexpr tolerance closed_form{1e-9, 1e-12};
inline constexpr tolerance tight_iterative{1e-7, 1e-10};
inline constexpr tolerance iterative{1e-4, 1e-8};
inline constexpr tolerance printed_2dp{0.0, 0.005};  // a number printed with 2 decimals

inline ::testing::AssertionResult near(const char* a_expr, const char* b_expr, const char*, double a, double b,
                                       tolerance tol) {
  if (within(a, b, tol)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a_expr << " = " << a << " vs " << b_expr << " = " << b << " (relative error "
                                       << relative_error(a, b) << ", allowed rel " << tol.rel << " abs " << tol.abs
                                       << ")";
}

}  // namespace metasift::test

/// EXPECT_WITHIN(actual, expected, metasift::test::closed_form)
#define EXPECT_WITHIN(a, b, tol) EXPECT_PRED_FORMAT3(::metasift::test::near, a, b, tol)
