// Inverse-variance pooling, inference and heterogeneity statistics for intercept-only models, as
// metafor's rma.uni (model fitting, tests, QE/I2/H2 blocks) and predict.rma (prediction interval).

#include "metasift/models/fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "metasift/core/check.hpp"
#include "metasift/core/error.hpp"
#include "metasift/math/distributions.hpp"
#include "result_builders.hpp"
#include "weighted_sums.hpp"

namespace metasift::models {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Critical value and df of the prediction interval (predict.rma: z for test "z", t_{k-p} for
/// "knha"; Stata's t_{k-2}). df <= 0 leaves the interval undefined.
struct pi_crit {
  double crit = nan;
  double df = nan;
};
pi_crit prediction_critical(pi_method pi, double level, std::size_t k) {
  const auto kd = static_cast<double>(k);
  switch (pi) {
    case pi_method::z: return {math::normal_critical(level), nan};
    case pi_method::t_k1: return kd - 1.0 > 0 ? pi_crit{math::t_critical(level, kd - 1.0), kd - 1.0} : pi_crit{};
    case pi_method::t_k2: return kd - 2.0 > 0 ? pi_crit{math::t_critical(level, kd - 2.0), kd - 2.0} : pi_crit{};
  }
  return {};
}

}  // namespace

/// Every estimator works with sums of w, w^2, w*y, w*y^2 and y^2 (w = 1/v). Data such as
/// yi = 1e300 or vi = 1e-300 overflow them and would surface as NaN or as a root-finder failure
/// deep inside the Q-profile; they are refused up front with the offending study named, so the
/// user can rescale (change units) instead of receiving a quietly wrong number.
void check_representable(std::span<const double> y, std::span<const double> v, const std::vector<std::string>& labels) {
  double sw2 = 0, swy2 = 0, sy2 = 0, sv2 = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double w = 1.0 / v[i];
    sw2 += w * w;
    swy2 += w * y[i] * y[i];
    sy2 += y[i] * y[i];
    sv2 += v[i] * v[i];
    if (!std::isfinite(sw2) || !std::isfinite(swy2) || !std::isfinite(sy2) || !std::isfinite(sv2) ||
        !std::isfinite(y[i])) {
      const std::string who =
          i < labels.size() && !labels[i].empty() ? "study '" + labels[i] + "'" : "study " + std::to_string(i + 1);
      fail_input(source_position{}, who,
                 "effect " + format_value(y[i]) + " with variance " + format_value(v[i]) +
                     " is beyond what double precision can pool (squares and inverse variances overflow); "
                     "rescale the data, e.g. change units");
    }
  }
}

namespace {

/// The test, CI and PI of a pooled estimate with variance `var` (before any Hartung-Knapp scaling,
/// which uses y'Py = ypy of the inverse-variance fit, as metafor's RSS.knha).
void infer_pooled(pooled_estimate& out, double var, double ypy, double tau2, std::size_t k, const model_spec& spec) {
  if (uses_t(spec.test)) {
    // Hartung & Knapp (2001) scale by the weighted residual mean square (knha, adhoc); test = "t"
    // keeps the model-based variance and only changes the reference distribution.
    var *= hk_scale(spec.test, ypy, static_cast<double>(k) - 1.0);
    out.df = static_cast<double>(k) - 1.0;
  }
  out.se = std::sqrt(var);
  out.statistic = out.estimate / out.se;
  double crit = nan;
  if (uses_t(spec.test)) {
    if (out.df > 0) {
      out.p = math::t_two_sided_p(out.statistic, out.df);
      crit = math::t_critical(spec.level, out.df);
    }
  } else {
    out.p = math::normal_two_sided_p(out.statistic);
    crit = math::normal_critical(spec.level);
  }
  out.ci_lower = out.estimate - crit * out.se;
  out.ci_upper = out.estimate + crit * out.se;
  const pi_crit pc = prediction_critical(spec.pi, spec.level, k);
  const double pi_half = pc.crit * std::sqrt(var + tau2);
  out.pi_lower = out.estimate - pi_half;
  out.pi_upper = out.estimate + pi_half;
  out.pi_df = pc.df;
}

}  // namespace

pooled_estimate pool(std::span<const double> y, std::span<const double> v, double tau2, const model_spec& spec,
                     std::span<const double> weights) {
  if (weights.empty()) return pool(y, v, tau2, spec);
  if (weights.size() != y.size()) throw error("models::pool: weights and y differ in length");
  pooled_estimate out;
  double sa = 0, say = 0, sa2m = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    sa += weights[i];
    say += weights[i] * y[i];
    sa2m += weights[i] * weights[i] * (v[i] + tau2);
  }
  out.estimate = say / sa;
  const detail::weighted_sums s = detail::sums_at(y, v, tau2);
  infer_pooled(out, sa2m / (sa * sa), s.ypy, tau2, y.size(), spec);
  return out;
}

pooled_estimate pool(std::span<const double> y, std::span<const double> v, double tau2, const model_spec& spec) {
  pooled_estimate out;
  const iv_pooled m = pool_iv(y, v, tau2);
  out.estimate = m.estimate;
  // y'Py is needed only for the Hartung-Knapp scaling; the z test skips the extra pass.
  const double ypy = uses_t(spec.test) ? detail::sums_at(y, v, tau2).ypy : 0.0;
  infer_pooled(out, 1.0 / m.sum_w, ypy, tau2, y.size(), spec);
  return out;
}

kernel_result re_kernel(std::span<const double> y, std::span<const double> v, const model_spec& spec) {
  kernel_result out;
  out.tau2 = estimate_tau2(y, v, spec);
  out.pooled = pool(y, v, out.tau2.tau2, spec);
  out.Q = detail::generalised_q(y, v, 0.0);
  return out;
}

meta_result fit(std::span<const double> y, std::span<const double> v, const std::vector<std::string>& labels,
                const model_spec& spec, std::span<const double> weights) {
  if (y.size() != v.size()) throw error("models::fit: y and v differ in length");
  if (!weights.empty()) {
    if (weights.size() != y.size()) throw error("models::fit: weights and y differ in length");
    double total = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (!(weights[i] >= 0.0) || !std::isfinite(weights[i])) {
        const std::string who = i < labels.size() ? "study '" + labels[i] + "'" : "study " + std::to_string(i + 1);
        fail_input(source_position{}, who, "weight must be a finite number >= 0, got " + format_value(weights[i]));
      }
      total += weights[i];
    }
    if (!(total > 0.0)) fail_usage("weights", "every weight is 0; at least one study needs a positive weight");
  }
  if (!(spec.level > 0.0 && spec.level < 1.0)) fail_usage("--level", "must lie strictly between 0 and 1");
  meta_result r;
  r.spec = spec;
  r.k = static_cast<int>(y.size());
  if (y.empty()) {
    r.status = fit_status::degenerate;
    r.notes.add("no studies to pool");
    return r;
  }
  for (double vi : v) {
    if (!(vi > 0.0) || !std::isfinite(vi)) throw error("models::fit: sampling variances must be positive and finite");
  }
  check_representable(y, v, labels);
  const std::size_t k = y.size();
  const double kd = static_cast<double>(k);
  const bool random = is_random_effects(spec.est);

  tau2_estimate t2;
  if (k == 1) {
    r.status = fit_status::degenerate;
    r.notes.add("k = 1: the pooled estimate is the single study's; tau^2 is set to 0 and heterogeneity is undefined");
  } else {
    t2 = estimate_tau2(y, v, spec);
    r.status = t2.status;
    r.conv = t2.conv;
    if (t2.ll0_reset) {
      r.notes.add("the likelihood at tau^2 = 0 exceeded the likelihood at the scoring optimum; tau^2 set to 0");
    }
    if (t2.conv.used_fallback) {
      r.notes.add("Fisher scoring did not converge; tau^2 found as the root of the score equation");
    }
    if (t2.status == fit_status::not_converged)
      r.notes.add("tau^2 estimation did not converge; results are unreliable");
    if (random && !spec.tau2_fixed && t2.tau2 == 0.0) r.notes.add("tau^2 estimated at its lower bound 0");
  }
  const double tau2 = t2.tau2;

  r.pooled = pool(y, v, tau2, spec, weights);
  if ((spec.test == ci_method::hk || spec.test == ci_method::adhoc) && !random) {
    r.notes.add("Hartung-Knapp is meant for random-effects models; applied to the common-effect model as requested");
  }
  if (!random) {  // no prediction beyond the common effect: the PI equals the CI (metafor predict.rma)
    r.pooled.pi_lower = r.pooled.ci_lower;
    r.pooled.pi_upper = r.pooled.ci_upper;
    r.pooled.pi_df = r.pooled.df;
  } else if (std::isnan(r.pooled.pi_lower)) {
    r.notes.add("prediction interval undefined: too few studies for its t distribution");
  }

  std::vector<double> raw_weight(k);
  // User weights (metafor rma(weights=)) are shown as given; otherwise inverse-variance weights.
  for (std::size_t i = 0; i < k; ++i) raw_weight[i] = weights.empty() ? 1.0 / (v[i] + tau2) : weights[i];
  detail::fill_study_rows(r, labels, y, v, raw_weight, spec.level);

  // Heterogeneity (rma.uni.r QE block): Q always with w = 1/v.
  heterogeneity& h = r.het;
  h.tau2 = random ? tau2 : 0.0;
  h.tau2_se = random ? t2.se : nan;
  h.tau = std::sqrt(h.tau2);
  if (k == 1) {
    detail::set_no_heterogeneity(h);
    h.typical_v = 0.0;
    return r;
  }
  const detail::weighted_sums s0 = detail::sums_at(y, v, 0.0);
  detail::set_q(h, s0.ypy, kd - 1.0, !random);
  h.typical_v = (kd - 1.0) / s0.tr_p();  // Higgins & Thompson (2002), eq. 9
  if (random) {
    h.I2 = 100.0 * h.tau2 / (h.typical_v + h.tau2);
    h.H2 = h.tau2 / h.typical_v + 1.0;
  }
  // A fixed tau^2 is not estimated, so it has no CI (metafor's confint refuses a fixed tau^2).
  if (random && spec.tau2_ci && !spec.tau2_fixed) {
    const qprofile_ci ci = qprofile_tau2_ci(y, v, spec.level);
    h.has_ci = true;
    h.tau2_ci = ci.tau2;
    h.tau_ci = {std::sqrt(ci.tau2.lower), std::sqrt(ci.tau2.upper)};
    h.I2_ci = {100.0 * ci.tau2.lower / (h.typical_v + ci.tau2.lower),
               100.0 * ci.tau2.upper / (h.typical_v + ci.tau2.upper)};
    h.H2_ci = {ci.tau2.lower / h.typical_v + 1.0, ci.tau2.upper / h.typical_v + 1.0};
    if (ci.null_set) r.notes.add("the Q-profile confidence interval for tau^2 is the null set; reported as [0, 0]");
    if (std::isnan(ci.tau2.lower) || std::isnan(ci.tau2.upper))
      r.notes.add(
          "the Q-profile confidence interval for tau^2 could not be computed (Q(tau^2) is not finite "
          "for these data); its bounds are reported as not available");
  }
  if (std::all_of(y.begin(), y.end(), [&](double yi) { return yi == y[0]; })) {
    r.notes.add("all study effects are identical: Q = 0 and tau^2 = 0");
  }
  return r;
}

}  // namespace metasift::models
