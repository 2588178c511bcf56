// tau^2 estimators for the intercept-only random-effects model, as metafor's rma.uni (3.8;
// rma.uni.r, the estimation loop and the se.tau2 block). Every k x k matrix expression there is
// replaced by the O(k) sums of weighted_sums.hpp.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "metasift/math/distributions.hpp"
#include "metasift/math/root_find.hpp"
#include "metasift/models/fit.hpp"
#include "weighted_sums.hpp"

namespace metasift::models {
namespace {

using detail::sums_at;
using detail::weighted_sums;

double sum(std::span<const double> x) noexcept {
  double s = 0;
  for (double xi : x) s += xi;
  return s;
}

double mean(std::span<const double> x) noexcept {
  return sum(x) / static_cast<double>(x.size());
}

/// sum (y - ybar)^2, the unweighted residual sum of squares.
double centred_ss(std::span<const double> y) noexcept {
  const double m = mean(y);
  double s = 0;
  for (double yi : y) s += (yi - m) * (yi - m);
  return s;
}

/// Hedges (1983) / metafor "HE": sum (y - ybar)^2 / (k - 1) - sum v / k.
double tau2_he(std::span<const double> y, std::span<const double> v) noexcept {
  const auto k = static_cast<double>(y.size());
  return centred_ss(y) / (k - 1.0) - sum(v) / k;
}

/// Traces with P0 = I - J/k and V = diag(v), for the HE standard error:
/// tr(P0 V) = (1 - 1/k) sum v;  tr(P0 V P0 V) = (1 - 2/k) sum v^2 + (sum v)^2 / k^2.
struct he_traces {
  double tr_pv, tr_pvpv;
};
he_traces he_traces_of(std::span<const double> v) noexcept {
  const auto k = static_cast<double>(v.size());
  double sv = 0, sv2 = 0;
  for (double vi : v) {
    sv += vi;
    sv2 += vi * vi;
  }
  return {(1.0 - 1.0 / k) * sv, (1.0 - 2.0 / k) * sv2 + sv * sv / (k * k)};
}

/// With a_i = w_i v_i and P = W - w w'/S1:
///   tr(PVPV) = sum a^2 - 2 sum w a^2 / S1 + (sum w a)^2 / S1^2
///   tr(PVP)  = sum v w^2 - 2 sum v w^3 / S1 + S2 sum v w^2 / S1^2
struct pv_traces {
  double tr_pvpv, tr_pvp;
};
pv_traces pv_traces_of(std::span<const double> v, double tau2_w) noexcept {
  double s1 = 0, s2 = 0, sa2 = 0, swa2 = 0, swa = 0, svw2 = 0, svw3 = 0;
  for (double vi : v) {
    const double w = 1.0 / (vi + tau2_w);
    const double a = w * vi;
    s1 += w;
    s2 += w * w;
    sa2 += a * a;
    swa2 += w * a * a;
    swa += w * a;
    svw2 += vi * w * w;
    svw3 += vi * w * w * w;
  }
  return {sa2 - 2.0 * swa2 / s1 + swa * swa / (s1 * s1), svw2 - 2.0 * svw3 / s1 + s2 * svw2 / (s1 * s1)};
}

/// sum log(1 + t / v_i) with one logarithm: the product of the factors is accumulated and
/// renormalised with frexp before it can overflow (the factors are >= 1).
double sum_log1p_ratio(std::span<const double> v, double t) noexcept {
  double mantissa = 1.0;
  int exponent = 0;
  double extra = 0.0;  // factors too large to multiply safely
  for (double vi : v) {
    const double f = 1.0 + t / vi;
    if (f > 1e150) {
      extra += std::log(f);
      continue;
    }
    mantissa *= f;
    if (mantissa > 1e150) {
      int e = 0;
      mantissa = std::frexp(mantissa, &e);
      exponent += e;
    }
  }
  return std::log(mantissa) + static_cast<double>(exponent) * std::numbers::ln2 + extra;
}

/// ll(tau2) - ll(0) for the restricted (REML) or full (ML) likelihood of the intercept-only model,
/// the quantity of rma.uni's ll0 check (constants cancel; metafor adds +1/2 log|X'X| only when
/// printing). s and s0 are the sums at tau2 and at 0.
double log_likelihood_gain(std::span<const double> v, double tau2, const weighted_sums& s, const weighted_sums& s0,
                           bool reml) noexcept {
  double gain = -0.5 * sum_log1p_ratio(v, tau2) - 0.5 * (s.ypy - s0.ypy);
  if (reml) gain -= 0.5 * std::log(s.s1 / s0.s1);
  return gain;
}

/// Fisher-scoring step for REML, ML or EB at tau2 (rma.uni.r; Viechtbauer 2005, eqs. 9-11).
double scoring_step(method m, const weighted_sums& s, double k) noexcept {
  switch (m) {
    case method::ML: return (s.yppy - s.s1) / s.s2;
    case method::EB: return (s.ypy * k / (k - 1.0) - k) / s.s1;
    default: return (s.yppy - s.tr_p()) / s.tr_pp();  // REML
  }
}

/// Newton step on the same score equation, from the observed information: REML
/// d/dtau2 (y'PPy - tr P) = -(2 y'PPPy - tr PP); ML uses S2 for tr PP and S1 for tr P; EB
/// differentiates y'Py k/(k-1) - k to -y'PPy k/(k-1). NaN when the curvature has the wrong sign.
double newton_step(method m, const weighted_sums& s, double k) noexcept {
  double num = 0, den = 0;
  switch (m) {
    case method::ML:
      num = s.yppy - s.s1;
      den = 2.0 * s.ypppy() - s.s2;
      break;
    case method::EB:
      num = s.ypy * k / (k - 1.0) - k;
      den = s.yppy * k / (k - 1.0);
      break;
    default:
      num = s.yppy - s.tr_p();
      den = 2.0 * s.ypppy() - s.tr_pp();
      break;
  }
  return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN();
}

/// The score (up to a positive factor) whose root the scoring iterates towards; used by the fallback.
double score(method m, std::span<const double> y, std::span<const double> v, double tau2) noexcept {
  const weighted_sums s = sums_at(y, v, tau2);
  return scoring_step(m, s, static_cast<double>(y.size())) * (m == method::ML   ? s.s2
                                                              : m == method::EB ? s.s1
                                                                                : s.tr_pp());
}

/// Bracketing fallback for REML/ML/EB: root of the score on [0, hi], hi doubled until the score is
/// negative. The score is positive at 0 exactly when the optimum is interior.
tau2_estimate score_root(method m, std::span<const double> y, std::span<const double> v) {
  tau2_estimate out;
  out.conv.used_fallback = true;
  out.status = fit_status::fallback;
  auto f = [&](double t) { return score(m, y, v, t); };
  if (!(f(0.0) > 0.0)) {
    out.tau2 = 0.0;
    return out;
  }
  double hi = std::max(1.0, 10.0 * centred_ss(y) / static_cast<double>(y.size()));
  int guard = 0;
  while (f(hi) > 0.0 && guard++ < 200) hi *= 2.0;
  if (f(hi) > 0.0) {
    out.status = fit_status::not_converged;
    out.tau2 = hi;
    return out;
  }
  const math::root_result r = math::find_root(f, 0.0, hi, 1e-15, 1e-300, 2000);
  out.tau2 = r.root;
  out.conv.iterations = static_cast<int>(r.iterations);
  if (!r.converged) out.status = fit_status::not_converged;
  return out;
}

tau2_estimate fisher_scoring(method m, std::span<const double> y, std::span<const double> v, const model_spec& spec) {
  tau2_estimate out;
  const auto k = static_cast<double>(y.size());
  double tau2 = std::max(0.0, tau2_he(y, v));
  bool converged = false;
  // Fisher scoring converges linearly. It runs until the change is below 1e-2 (relative to
  // max(1, tau2)); from there Newton steps on the same score equation, taken only where the
  // observed curvature is negative, reach the 1e-12 threshold quadratically: ~7 evaluations at
  // k = 10 instead of ~12 with scoring alone.
  bool polish = false;
  int iter = 0;
  double mean_v = 0.0;
  for (const double vi : v) mean_v += vi;
  mean_v /= k;
  const double boundary_zone = 1e-6 * mean_v;
  for (; iter < spec.max_iterations; ++iter) {
    const weighted_sums s = sums_at(y, v, tau2);
    double step = polish ? newton_step(m, s, k) : std::numeric_limits<double>::quiet_NaN();
    if (!std::isfinite(step)) step = scoring_step(m, s, k);
    if (!std::isfinite(step)) break;
    // A step past the boundary is halved until it stays inside, as metafor does (while
    // tau2 + adj < tau2.min). Stopping at 0 as soon as the score points down there would be
    // wrong: the ML and REML likelihoods can have a local maximum at 0 and a higher one inside
    // (differential test data set 603: ll(0) = 3.5134, ll(0.00192) = 3.5236), and metafor's
    // halving path finds the inner one. The path is followed; the end point is snapped to an
    // exact 0 below when 0 is at least as good.
    bool halved = false;
    while (tau2 + step < 0.0) {
      step *= 0.5;
      ++out.conv.step_halvings;
      halved = true;
    }
    // Once the halving path is within boundary_zone of 0 with the score falling at 0, it can only
    // creep on to 0 (see the snap below); stop there instead of taking ~40 more halvings.
    if (halved && tau2 + step <= boundary_zone && !(scoring_step(m, sums_at(y, v, 0.0), k) > 0.0)) {
      tau2 = 0.0;
      converged = true;
      ++iter;
      break;
    }
    const double next = tau2 + step;
    const double change = std::abs(next - tau2);
    tau2 = next;
    if (change <= spec.threshold * std::max(1.0, tau2)) {
      converged = true;
      ++iter;
      break;
    }
    if (change <= 1e-2 * std::max(1.0, tau2)) polish = true;
  }
  out.conv.iterations = iter;
  if (!converged) {
    const int scoring_iters = iter;
    const int halvings = out.conv.step_halvings;
    out = score_root(m, y, v);
    out.conv.iterations += scoring_iters;
    out.conv.step_halvings = halvings;
    return out;
  }
  out.tau2 = std::max(0.0, tau2);
  // Creeping to the boundary (halved steps towards 0) ends at a tiny positive tau^2, where metafor
  // stops; the constrained optimum is then exactly 0, because the score points down there. "Tiny"
  // is a millionth of the mean sampling variance: an inner maximum that close to 0 with a falling
  // score at 0 would need a minimum even closer, which these smooth likelihoods do not have.
  if (out.tau2 > 0.0 && out.tau2 <= boundary_zone && !(scoring_step(m, sums_at(y, v, 0.0), k) > 0.0)) {
    out.tau2 = 0.0;
  }
  // ll0 check (rma.uni.r): a REML/ML optimum with a lower likelihood than tau^2 = 0 means the
  // scoring stopped at a local maximum; metafor then sets tau^2 = 0 and so do we.
  weighted_sums s_hat = sums_at(y, v, out.tau2);
  if (m != method::EB && out.tau2 > spec.threshold) {
    if (log_likelihood_gain(v, out.tau2, s_hat, sums_at(y, v, 0.0), m == method::REML) < -1e-10) {
      out.tau2 = 0.0;
      out.ll0_reset = true;
      s_hat = sums_at(y, v, 0.0);
    }
  }
  // Standard errors from the sums at the estimate (rma.uni.r se.tau2 block).
  switch (m) {
    case method::ML: out.se = std::sqrt(2.0 / s_hat.s2); break;
    case method::EB: out.se = std::sqrt(2.0 * k * k / (k - 1.0)) / s_hat.s1; break;
    default: out.se = std::sqrt(2.0 / s_hat.tr_pp()); break;
  }
  return out;
}

tau2_estimate paule_mandel(std::span<const double> y, std::span<const double> v) {
  tau2_estimate out;
  const double target = static_cast<double>(y.size()) - 1.0;
  auto f = [&](double t) { return detail::generalised_q(y, v, t) - target; };
  if (f(0.0) < 0.0) {
    out.tau2 = 0.0;
    return out;
  }
  double hi = std::max(100.0, 10.0 * centred_ss(y) / (static_cast<double>(y.size()) - 1.0));
  int guard = 0;
  while (f(hi) > 0.0 && guard++ < 200) hi *= 2.0;
  const math::root_result r = math::find_root(f, 0.0, hi, 1e-15, 1e-300, 2000);
  out.tau2 = r.root;
  out.conv.iterations = static_cast<int>(r.iterations);
  if (!r.converged) out.status = fit_status::not_converged;
  return out;
}

/// Standard error of tau^2 for each estimator (rma.uni.r, the se.tau2 block), at the truncated tau^2.
double tau2_standard_error(method m, std::span<const double> y, std::span<const double> v, double tau2,
                           double sj_tau2_0) noexcept {
  const auto k = static_cast<double>(y.size());
  const double t = std::max(0.0, tau2);
  switch (m) {
    case method::HS: {
      const weighted_sums s = sums_at(y, v, 0.0);
      return std::sqrt((2.0 * (k - 1.0) + 4.0 * t * s.tr_p() + 2.0 * t * t * s.tr_pp()) / (s.s1 * s.s1));
    }
    case method::DL: {
      const weighted_sums s = sums_at(y, v, 0.0);
      const double trp = s.tr_p();
      return std::sqrt((2.0 * (k - 1.0) + 4.0 * t * trp + 2.0 * t * t * s.tr_pp()) / (trp * trp));
    }
    case method::HE: {
      const he_traces h = he_traces_of(v);
      return std::sqrt((2.0 * h.tr_pvpv + 4.0 * t * h.tr_pv + 2.0 * t * t * (k - 1.0)) / ((k - 1.0) * (k - 1.0)));
    }
    case method::SJ: {
      const pv_traces pv = pv_traces_of(v, sj_tau2_0);
      const weighted_sums s = sums_at(y, v, sj_tau2_0);
      return std::sqrt(sj_tau2_0 * sj_tau2_0 / ((k - 1.0) * (k - 1.0)) *
                       (2.0 * pv.tr_pvpv + 4.0 * t * pv.tr_pvp + 2.0 * t * t * s.tr_pp()));
    }
    case method::ML: return std::sqrt(2.0 / sums_at(y, v, t).s2);
    case method::REML: return std::sqrt(2.0 / sums_at(y, v, t).tr_pp());
    case method::EB:
    case method::PM: {
      const double s1 = sums_at(y, v, t).s1;
      return std::sqrt(2.0 * k * k / (k - 1.0) / (s1 * s1));
    }
    default: return std::numeric_limits<double>::quiet_NaN();
  }
}

}  // namespace

tau2_estimate estimate_tau2(std::span<const double> y, std::span<const double> v, const model_spec& spec) {
  tau2_estimate out;
  const method m = spec.est;
  if (!is_random_effects(m)) return out;  // EE, MH, PETO: tau^2 = 0 by definition
  if (spec.tau2_fixed) {
    out.tau2 = *spec.tau2_fixed;
    return out;
  }
  if (y.size() < 2) {
    out.status = fit_status::degenerate;
    return out;
  }
  const auto k = static_cast<double>(y.size());
  double sj_tau2_0 = 0.0;
  double raw = 0.0;  // before truncation, to report the boundary
  switch (m) {
    case method::DL: {
      const weighted_sums s = sums_at(y, v, 0.0);
      raw = (s.ypy - (k - 1.0)) / s.tr_p();
      break;
    }
    case method::HE: raw = tau2_he(y, v); break;
    case method::HS: {
      const weighted_sums s = sums_at(y, v, 0.0);
      raw = (s.ypy - k) / s.s1;
      break;
    }
    case method::SJ: {
      // Sidik & Jonkman (2005): one step from the crude estimate sum (y - ybar)^2 / k.
      sj_tau2_0 = centred_ss(y) / k;
      raw = sj_tau2_0 == 0.0 ? 0.0 : sj_tau2_0 * sums_at(y, v, sj_tau2_0).ypy / (k - 1.0);
      break;
    }
    case method::PM:
      out = paule_mandel(y, v);
      raw = out.tau2;
      break;
    case method::REML:
    case method::ML:
    case method::EB:
      out = fisher_scoring(m, y, v, spec);
      raw = out.tau2;
      break;
    default: break;
  }
  out.tau2 = std::max(0.0, raw);
  if (raw <= 0.0 && out.status == fit_status::ok) out.status = fit_status::boundary;
  if (out.ll0_reset && out.status == fit_status::ok) out.status = fit_status::boundary;
  if (std::isnan(out.se) || out.status == fit_status::fallback || out.status == fit_status::not_converged) {
    out.se = tau2_standard_error(m, y, v, out.tau2, sj_tau2_0);
  }
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
    double hi = std::max({100.0, 10.0 * lo, 10.0 * centred_ss(y) / df});
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
