#pragma once
// Bracketing root finding for the monotone one-dimensional equations of the engine (Paule-Mandel,
// Q-profile bounds, the REML score when Fisher scoring fails). Wraps Boost's TOMS 748 solver,
// which needs no derivative and keeps the root bracketed.

#include <cstdint>
#include <functional>

namespace metasift::math {

struct root_result {
  double root = 0.0;
  std::uintmax_t iterations = 0;
  bool converged = false;  ///< bracket shrank below the tolerance within max_iterations
};

/// Root of f on [lo, hi], where f(lo) and f(hi) have opposite signs (or one is zero).
/// Converges when the bracket is narrower than rel_tol * |root| + abs_tol.
/// Without a sign change between finite end values (or when f turns NaN inside the bracket) the
/// result is a NaN root with converged = false; it never throws.
[[nodiscard]] root_result find_root(const std::function<double(double)>& f, double lo, double hi,
                                    double rel_tol = 1e-14, double abs_tol = 1e-14,
                                    std::uintmax_t max_iterations = 500);

}  // namespace metasift::math
