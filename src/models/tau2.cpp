// tau^2 for the intercept-only random-effects model, as metafor's rma.uni (3.8; rma.uni.r, the
// estimation loop and the se.tau2 block): the shared estimator of tau2_estimator.hpp with the O(k)
// intercept-only model, so every k x k matrix expression there is replaced by the sums of
// weighted_sums.hpp. Meta-regression runs the same estimator with a design (regression.cpp).

#include <algorithm>
#include <cmath>
#include <limits>

#include "metasift/math/distributions.hpp"
#include "metasift/math/root_find.hpp"
#include "metasift/models/fit.hpp"
#include "tau2_estimator.hpp"
#include "weighted_sums.hpp"

namespace metasift::models {

tau2_estimate estimate_tau2(std::span<const double> y, std::span<const double> v, const model_spec& spec) {
  tau2_estimate out;
  if (!is_random_effects(spec.est)) return out;  // EE, MH, PETO: tau^2 = 0 by definition
  if (spec.tau2_fixed) {
    out.tau2 = *spec.tau2_fixed;
    return out;
  }
  if (y.size() < 2) {
    out.status = fit_status::degenerate;
    return out;
  }
  detail::intercept_model model(y, v);
  const detail::tau2_solution s = detail::solve_tau2(model, spec, true);
  out.tau2 = s.tau2;
  out.se = s.se;
  out.conv = s.conv;
  out.status = s.status;
  out.ll0_reset = s.ll0_reset;
  return out;
}

qprofile_ci qprofile_tau2_ci(std::span<const double> y, std::span<const double> v, double level) {
  qprofile_ci out;
  const double df = static_cast<double>(y.size()) - 1.0;
  const double alpha = 1.0 - level;
  // Q(tau^2) is decreasing: the lower bound meets the upper chi^2 quantile and vice versa.
  const double crit_for_lower = math::chisq_quantile(1.0 - alpha / 2.0, df);
  const double crit_for_upper = math::chisq_quantile(alpha / 2.0, df);
  const double q0 = detail::generalised_q(y, v, 0.0);
  auto solve = [&](double crit, double lo) {
    auto f = [&](double t) { return detail::generalised_q(y, v, t) - crit; };
    double hi = std::max({100.0, 10.0 * lo, 10.0 * detail::centred_ss(y) / df});
    int guard = 0;
    while (f(hi) > 0.0 && guard++ < 200) hi *= 2.0;
    return math::find_root(f, lo, hi, 1e-15, 1e-300, 2000).root;
  };
  if (q0 < crit_for_upper) {
    out.tau2 = {0.0, 0.0};
    out.null_set = true;
    return out;
  }
  out.tau2.lower = q0 < crit_for_lower ? 0.0 : solve(crit_for_lower, 0.0);
  out.tau2.upper = solve(crit_for_upper, out.tau2.lower);
  return out;
}

}  // namespace metasift::models
