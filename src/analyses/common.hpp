#pragma once
// Pieces shared by the analyses: input checks and an allocation-free intercept-only fit of a
// subset of studies with everything metafor's leave1out / cumul report for it.

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "metasift/core/check.hpp"
#include "metasift/core/error.hpp"
#include "metasift/math/distributions.hpp"
#include "metasift/models/fit.hpp"

namespace metasift::analyses::detail {

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Preconditions common to every analysis (a broken one is a caller's bug or a bad option).
inline void check_inputs(std::span<const double> y, std::span<const double> v, const models::model_spec& spec,
                         std::string_view analysis) {
  if (y.size() != v.size()) throw error(std::string(analysis) + ": y and v differ in length");
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) throw error(std::string(analysis) + ": effect sizes must be finite");
    if (!(v[i] > 0.0) || !std::isfinite(v[i])) {
      throw error(std::string(analysis) + ": sampling variances must be positive and finite");
    }
  }
  if (!(spec.level > 0.0 && spec.level < 1.0)) fail_usage("--level", "must lie strictly between 0 and 1");
  if (spec.est == models::method::MH || spec.est == models::method::PETO) {
    fail_usage("--method", std::string(models::to_string(spec.est)) + " pools 2x2 counts; " + std::string(analysis) +
                               " needs an inverse-variance model: EE or a tau^2 estimator (DL REML ML PM HE SJ HS EB)");
  }
}

/// Everything metafor's leave1out / cumul record for one intercept-only fit.
struct subset_fit {
  double estimate = nan, se = nan, statistic = nan, df = nan, p = nan, ci_lower = nan, ci_upper = nan;
  double tau2 = nan, I2 = nan, H2 = nan;
  double Q = nan, Q_df = nan, Q_p = nan;
  double s2w = 1.0;    ///< Hartung-Knapp scale factor (1 under z)
  double sum_w = nan;  ///< sum 1/(v + tau2)
  fit_status status = fit_status::ok;
  bool z_for_single = false;  ///< k = 1 under Hartung-Knapp: z used instead (as metafor)
};

/// Fits y/v (k >= 1) with spec through models::re_kernel; O(k), allocates nothing. k = 1 gives the
/// study itself with tau^2 = 0, Q = 0, p(Q) = 1, I^2 = 0, H^2 = 1 and a z test, as rma.uni.
inline subset_fit fit_subset(std::span<const double> y, std::span<const double> v, const models::model_spec& spec) {
  subset_fit out;
  const std::size_t k = y.size();
  const bool random = models::is_random_effects(spec.est);
  if (k == 0) {
    out.status = fit_status::degenerate;
    return out;
  }
  models::model_spec s = spec;
  if (k == 1 && models::uses_t(s.test)) {
    s.test = models::ci_method::z;
    out.z_for_single = true;
  }
  const models::kernel_result kr = models::re_kernel(y, v, s);
  out.status = k == 1 ? fit_status::degenerate : kr.tau2.status;
  out.tau2 = random ? (k == 1 && !spec.tau2_fixed ? 0.0 : kr.tau2.tau2) : 0.0;
  const models::pooled_estimate& p = kr.pooled;
  out.estimate = p.estimate;
  out.se = p.se;
  out.statistic = p.statistic;
  out.df = p.df;
  out.p = p.p;
  out.ci_lower = p.ci_lower;
  out.ci_upper = p.ci_upper;
  double s1 = 0, s2 = 0, sw = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const double w = 1.0 / v[i];
    s1 += w;
    s2 += w * w;
    sw += 1.0 / (v[i] + out.tau2);
  }
  out.sum_w = sw;
  if (models::uses_t(s.test)) {
    // s^2 = (se^2 * sum w) recovers the weighted residual mean square that pool() applied.
    out.s2w = p.se * p.se * sw;
  }
  if (k == 1) {
    out.Q = 0.0;
    out.Q_df = 0.0;
    out.Q_p = 1.0;
    out.I2 = 0.0;
    out.H2 = 1.0;
    return out;
  }
  const double df = static_cast<double>(k) - 1.0;
  out.Q = std::max(0.0, kr.Q);
  out.Q_df = df;
  out.Q_p = math::chisq_upper(out.Q, df);
  if (random) {
    const double vt = df / (s1 - s2 / s1);  // Higgins & Thompson typical within-study variance
    out.I2 = 100.0 * out.tau2 / (vt + out.tau2);
    out.H2 = out.tau2 / vt + 1.0;
  } else {
    out.I2 = out.Q > 0 ? std::max(0.0, 100.0 * (out.Q - df) / out.Q) : 0.0;
    out.H2 = out.Q / df;
  }
  return out;
}

}  // namespace metasift::analyses::detail
