// Small-study / publication-bias tests, as metafor 3.8's regtest (model "lm" and "rma"), ranktest
// and fsn (types Rosenthal and Orwin). Algorithms learnt from metafor's R sources and R's
// cor.test / pkendall; the code is our own.

#include "metasift/analyses/bias.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "common.hpp"
#include "metasift/math/distributions.hpp"
#include "metasift/models/regression.hpp"

namespace metasift::analyses {
namespace {

using detail::nan;

fit_status worse(fit_status a, fit_status b) noexcept {
  auto rank = [](fit_status s) {
    switch (s) {
      case fit_status::ok: return 0;
      case fit_status::boundary: return 1;
      case fit_status::fallback: return 2;
      case fit_status::degenerate: return 3;
      case fit_status::not_converged: return 4;
    }
    return 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

/// lm(y ~ x, weights = 1/v) in closed form. The predictor is centred at its weighted mean so that
/// the normal equations do not cancel; inference is R's summary.lm (t on k - 2 df).
wls_line fit_wls_line(std::span<const double> y, std::span<const double> x, std::span<const double> v, double level,
                      std::string_view what, warnings& notes) {
  wls_line out;
  const std::size_t k = y.size();
  if (k < 3) {
    out.status = fit_status::degenerate;
    notes.add(std::string(what) +
              ": needs at least 3 studies (k - 2 residual degrees of freedom), got k = " + std::to_string(k));
    return out;
  }
  double sw = 0, swx = 0, swy = 0, swxx_raw = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const double w = 1.0 / v[i];
    sw += w;
    swx += w * x[i];
    swy += w * y[i];
    swxx_raw += w * x[i] * x[i];
  }
  const double xbar = swx / sw;
  const double ybar = swy / sw;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const double w = 1.0 / v[i];
    sxx += w * (x[i] - xbar) * (x[i] - xbar);
    sxy += w * (x[i] - xbar) * (y[i] - ybar);
  }
  // R's lm aliases a column whose QR residual norm is below 1e-7 of its norm.
  if (!(sxx > 1e-14 * swxx_raw)) {
    out.status = fit_status::degenerate;
    notes.add(std::string(what) +
              ": the predictor does not vary across studies (all variances equal); "
              "the regression is not identified");
    return out;
  }
  out.b1 = sxy / sxx;
  out.b0 = ybar - out.b1 * xbar;
  double rss = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const double r = y[i] - out.b0 - out.b1 * x[i];
    rss += r * r / v[i];
  }
  out.df = static_cast<double>(k) - 2.0;
  out.sigma2 = rss / out.df;
  out.b1_se = std::sqrt(out.sigma2 / sxx);
  out.b0_se = std::sqrt(out.sigma2 * (1.0 / sw + xbar * xbar / sxx));
  out.b1_t = out.b1 / out.b1_se;
  out.b0_t = out.b0 / out.b0_se;
  out.b1_p = math::t_two_sided_p(out.b1_t, out.df);
  out.b0_p = math::t_two_sided_p(out.b0_t, out.df);
  const double crit = math::t_critical(level, out.df);
  out.b0_ci_lower = out.b0 - crit * out.b0_se;
  out.b0_ci_upper = out.b0 + crit * out.b0_se;
  if (rss <= std::numeric_limits<double>::epsilon() * std::max(1.0, sw)) {
    notes.add(std::string(what) + ": the studies lie exactly on the regression line; the t statistics are not finite");
  }
  return out;
}

egger_mixed_test egger_mixed(std::span<const double> y, std::span<const double> v, const models::model_spec& spec,
                             warnings& notes) {
  egger_mixed_test out;
  const std::size_t k = y.size();
  if (k < 3) {
    out.status = fit_status::degenerate;
    notes.add("Egger (mixed-effects): needs at least 3 studies, got k = " + std::to_string(k));
    return out;
  }
  models::design X;
  X.rows = k;
  X.cols = 2;
  X.names = {"intrcpt", "sei"};
  X.has_intercept = true;
  X.x.resize(2 * k);
  for (std::size_t i = 0; i < k; ++i) {
    X.x[2 * i] = 1.0;
    X.x[2 * i + 1] = std::sqrt(v[i]);
  }
  models::model_spec s = spec;
  s.tau2_ci = false;
  const models::regression_result r = models::fit_regression(y, v, X, s);
  out.status = r.status;
  for (const auto& n : r.notes.items) notes.add("Egger (mixed-effects): " + n);
  if (r.coefficients.size() != 2) {
    out.status = fit_status::degenerate;
    return out;
  }
  const models::coefficient& b0 = r.coefficients[0];
  const models::coefficient& b1 = r.coefficients[1];
  out.bias = b1.estimate;
  out.bias_se = b1.se;
  out.statistic = b1.statistic;
  out.p = b1.p;
  out.df = r.df;
  out.limit_estimate = b0.estimate;
  out.limit_se = b0.se;
  out.limit_ci_lower = b0.ci_lower;
  out.limit_ci_upper = b0.ci_upper;
  out.tau2 = r.tau2;
  return out;
}

/// Kendall's tau-b and the pieces R's cor.test needs (concordant pairs, tie groups).
rank_test kendall_test(std::span<const double> a, std::span<const double> b) {
  rank_test out;
  const std::size_t n = a.size();
  long long concordant = 0, tied_a = 0, tied_b = 0;
  double num = 0, da = 0, db = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const int sa = (a[i] > a[j]) - (a[i] < a[j]);
      const int sb = (b[i] > b[j]) - (b[i] < b[j]);
      num += sa * sb;
      da += sa * sa;
      db += sb * sb;
      if (sa * sb > 0) ++concordant;
      if (sa == 0) ++tied_a;
      if (sb == 0) ++tied_b;
    }
  }
  out.ties = tied_a > 0 || tied_b > 0;
  if (!(da > 0 && db > 0)) {
    out.status = fit_status::degenerate;
    return out;
  }
  out.tau = num / std::sqrt(da * db);
  const auto nd = static_cast<double>(n);
  const long long u = static_cast<long long>(n) * (static_cast<long long>(n) - 1) / 2;
  constexpr std::size_t exact_limit = 1000;  // R overflows n! beyond 170; the DP stays exact, O(n^3)
  if (!out.ties && n <= exact_limit) {
    out.exact = true;
    const long long q = concordant;
    out.statistic = static_cast<double>(q);
    // Two-sided as R: 2 * min(P(T <= q), P(T >= q)), with P(T >= q) = P(T <= u - q) by symmetry.
    const double p =
        2 * q > u ? kendall_lower_tail(u - q, static_cast<int>(n)) : kendall_lower_tail(q, static_cast<int>(n));
    out.p = std::min(2.0 * p, 1.0);
    return out;
  }
  // Normal approximation with tie corrections (R's cor.test, continuity = FALSE).
  auto tie_groups = [](std::span<const double> x) {
    std::map<double, double> count;
    for (double xi : x) count[xi] += 1.0;
    std::vector<double> groups;
    for (const auto& [value, c] : count) {
      if (c > 1) groups.push_back(c);
    }
    return groups;
  };
  const std::vector<double> ta = tie_groups(a), tb = tie_groups(b);
  double t1 = 0, vt = 0, a1 = 0, a2 = 0;
  for (double t : ta) {
    t1 += t * (t - 1) / 2;
    vt += t * (t - 1) * (2 * t + 5);
    a1 += t * (t - 1);
    a2 += t * (t - 1) * (t - 2);
  }
  double t2 = 0, vu = 0, b1 = 0, b2 = 0;
  for (double t : tb) {
    t2 += t * (t - 1) / 2;
    vu += t * (t - 1) * (2 * t + 5);
    b1 += t * (t - 1);
    b2 += t * (t - 1) * (t - 2);
  }
  const double t0 = nd * (nd - 1) / 2;
  const double S = out.tau * std::sqrt((t0 - t1) * (t0 - t2));
  const double v0 = nd * (nd - 1) * (2 * nd + 5);
  const double var_s = (v0 - vt - vu) / 18 + a1 * b1 / (2 * nd * (nd - 1)) + a2 * b2 / (9 * nd * (nd - 1) * (nd - 2));
  out.statistic = S / std::sqrt(var_s);
  out.p = math::normal_two_sided_p(out.statistic);
  return out;
}

rank_test begg_test(std::span<const double> y, std::span<const double> v, warnings& notes) {
  const std::size_t k = y.size();
  if (k < 2) {
    rank_test out;
    out.status = fit_status::degenerate;
    notes.add("Begg rank correlation: needs at least 2 studies, got k = " + std::to_string(k));
    return out;
  }
  double sw = 0, swy = 0;
  for (std::size_t i = 0; i < k; ++i) {
    sw += 1.0 / v[i];
    swy += y[i] / v[i];
  }
  const double theta = swy / sw;
  const double vb = 1.0 / sw;
  std::vector<double> ystar(k);
  for (std::size_t i = 0; i < k; ++i) ystar[i] = (y[i] - theta) / std::sqrt(v[i] - vb);
  rank_test out = kendall_test(ystar, v);
  if (out.status == fit_status::degenerate) {
    notes.add(
        "Begg rank correlation: the standardised effects or the variances do not vary; Kendall's tau is undefined");
  } else if (out.ties) {
    notes.add("Begg rank correlation: tied values; p from the normal approximation (no exact p with ties, as R)");
  } else if (!out.exact) {
    notes.add("Begg rank correlation: k > 1000; p from the normal approximation");
  }
  return out;
}

/// metafor's fsn rounding: up, unless within sqrt(eps) of an integer.
double fsn_round(double n) {
  if (std::isinf(n) || std::isnan(n)) return n;
  if (std::abs(n - std::round(n)) >= std::sqrt(std::numeric_limits<double>::epsilon())) return std::ceil(n);
  return std::round(n);
}

failsafe_n fail_safe(std::span<const double> y, std::span<const double> v, const bias_options& opt, warnings& notes) {
  failsafe_n out;
  out.alpha = opt.fsn_alpha;
  const std::size_t k = y.size();
  if (k == 0) {
    out.status = fit_status::degenerate;
    return out;
  }
  const auto kd = static_cast<double>(k);
  double sz = 0, sy = 0;
  for (std::size_t i = 0; i < k; ++i) {
    sz += y[i] / std::sqrt(v[i]);
    sy += y[i];
  }
  const double z_avg = std::abs(sz) / std::sqrt(kd);
  out.rosenthal_p = 0.5 * math::normal_two_sided_p(z_avg);  // upper tail; z_avg >= 0
  const double crit = math::normal_quantile(1.0 - opt.fsn_alpha);
  out.rosenthal = fsn_round(std::max(0.0, kd * (z_avg / crit) * (z_avg / crit) - kd));

  out.orwin_mean = sy / kd;
  double target = opt.orwin_target.value_or(out.orwin_mean / 2.0);
  if (target == 0.0) {
    out.orwin_target = 0.0;
    out.orwin = std::numeric_limits<double>::infinity();
    notes.add("Orwin's fail-safe N: the target effect is 0, so no number of null studies reaches it (infinite)");
    return out;
  }
  if ((target > 0) != (out.orwin_mean > 0)) target = -target;
  out.orwin_target = target;
  out.orwin = fsn_round(std::max(0.0, kd * (out.orwin_mean - target) / target));
  return out;
}

}  // namespace

double kendall_lower_tail(long long q, int n) {
  if (n < 1) return nan;
  const long long u = static_cast<long long>(n) * (n - 1) / 2;
  if (q < 0) return 0.0;
  if (q >= u) return 1.0;
  // Probabilities of the Mahonian distribution (inversion counts of a random permutation), built
  // one item at a time: p_m(j) = (1/m) sum_{i=0}^{m-1} p_{m-1}(j - i), with a running window sum.
  // Only the entries up to q are needed.
  const auto top = static_cast<std::size_t>(q);
  std::vector<double> p(top + 1, 0.0), next(top + 1, 0.0);
  p[0] = 1.0;
  for (int m = 2; m <= n; ++m) {
    double window = 0;
    const auto width = static_cast<std::size_t>(m);
    for (std::size_t j = 0; j <= top; ++j) {
      window += p[j];
      if (j >= width) window -= p[j - width];
      next[j] = window / static_cast<double>(m);
    }
    std::swap(p, next);
  }
  double sum = 0;
  for (std::size_t j = 0; j <= top; ++j) sum += p[j];
  return std::min(1.0, sum);
}

bias_result small_study_tests(std::span<const double> y, std::span<const double> v, const models::model_spec& spec,
                              const bias_options& opt) {
  detail::check_inputs(y, v, spec, "bias");
  if (!(opt.fsn_alpha > 0.0 && opt.fsn_alpha < 1.0)) fail_usage("--fsn-alpha", "must lie strictly between 0 and 1");
  bias_result r;
  r.spec = spec;
  r.k = static_cast<int>(y.size());
  const std::size_t k = y.size();

  std::vector<double> sei(k);
  for (std::size_t i = 0; i < k; ++i) sei[i] = std::sqrt(v[i]);
  r.egger.fit = fit_wls_line(y, sei, v, spec.level, "Egger (classical)", r.notes);
  r.pet.fit = r.egger.fit;
  r.peese.fit = fit_wls_line(y, v, v, spec.level, "PEESE", r.notes);
  if (r.egger.fit.status == fit_status::ok) {
    r.egger_mixed = egger_mixed(y, v, spec, r.notes);
  } else {
    r.egger_mixed.status = fit_status::degenerate;
    if (k >= 3) r.notes.add("Egger (mixed-effects): not fitted, the design [1, se] is not of full rank");
  }
  r.begg = begg_test(y, v, r.notes);
  r.fsn = fail_safe(y, v, opt, r.notes);
  if (k == 0) r.notes.add("no studies");

  for (fit_status s : {r.egger.fit.status, r.egger_mixed.status, r.begg.status, r.peese.fit.status, r.fsn.status}) {
    r.status = worse(r.status, s);
  }
  return r;
}

}  // namespace metasift::analyses
