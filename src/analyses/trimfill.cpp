// Trim-and-fill as metafor 3.8's trimfill.rma.uni (Duval & Tweedie 2000a, b), learnt from its R
// source; the code is our own. The iteration fits the model on the k - k0 smallest (after flipping
// for side "right") effects, ranks |y - beta| over all k studies (ties: first come first), and
// re-estimates k0 until it repeats.

#include "metasift/analyses/trimfill.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "common.hpp"
#include "metasift/models/regression.hpp"

namespace metasift::analyses {
namespace {

using detail::nan;

/// Slope of y on sqrt(v) in the mixed-effects meta-regression metafor uses to pick the side
/// (rma.uni(yi, vi, mods = sqrt(vi), method = x$method)); NaN when it cannot be fitted.
double side_slope(std::span<const double> y, std::span<const double> v, const models::model_spec& spec,
                  warnings& notes) {
  const std::size_t k = y.size();
  models::design X;
  X.rows = k;
  X.cols = 2;
  X.names = {"intrcpt", "sqrt_vi"};
  X.has_intercept = true;
  X.x.resize(2 * k);
  for (std::size_t i = 0; i < k; ++i) {
    X.x[2 * i] = 1.0;
    X.x[2 * i + 1] = std::sqrt(v[i]);
  }
  models::model_spec s = spec;
  s.test = models::ci_method::z;
  s.tau2_ci = false;
  const models::regression_result r = models::fit_regression(y, v, X, s);
  if (r.coefficients.size() != 2 || r.status == fit_status::degenerate) {
    for (const auto& n : r.notes.items) notes.add("side estimation: " + n);
    return nan;
  }
  return r.coefficients[1].estimate;
}

}  // namespace

trimfill_result trim_and_fill(std::span<const double> y, std::span<const double> v,
                              const std::vector<std::string>& labels, const models::model_spec& spec,
                              const trimfill_options& opt) {
  detail::check_inputs(y, v, spec, "trimfill");
  if (!labels.empty() && labels.size() != y.size()) throw error("trimfill: labels and y differ in length");
  if (opt.max_iterations < 1) fail_usage("--max-iterations", "must be at least 1");
  trimfill_result r;
  r.spec = spec;
  r.options = opt;
  const std::size_t k = y.size();
  r.k = static_cast<int>(k);
  r.observed = models::fit(y, v, labels, spec);
  for (const auto& n : r.observed.notes.items) r.notes.add("observed model: " + n);
  auto label_of = [&](std::size_t i) { return i < labels.size() ? labels[i] : "Study " + std::to_string(i + 1); };

  const bool need_side = opt.side == trimfill_side::automatic;
  if (k < 2 || (need_side && k < 3)) {
    r.status = fit_status::degenerate;
    r.adjusted = r.observed;
    r.side = opt.side == trimfill_side::right ? trimfill_side::right : trimfill_side::left;
    r.notes.add(k < 2 ? "trim-and-fill needs at least 2 studies; nothing filled"
                      : "the side cannot be estimated from 2 studies (a regression on sqrt(v) with 2 parameters); "
                        "give the side; nothing filled");
    return r;
  }

  // 1. Side: metafor fills on the right when the slope of y on sqrt(v) is negative.
  if (need_side) {
    r.side_estimated = true;
    r.side_slope = side_slope(y, v, spec, r.notes);
    if (std::isnan(r.side_slope)) {
      r.side = trimfill_side::left;
      r.notes.add("the side could not be estimated (the regression on sqrt(v) is not identified); assumed left");
    } else {
      r.side = r.side_slope < 0 ? trimfill_side::right : trimfill_side::left;
    }
  } else {
    r.side = opt.side;
  }
  const double flip = r.side == trimfill_side::right ? -1.0 : 1.0;

  // 2. Sort the (flipped) effects ascending; stable, as R's radix sort.
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return flip * y[a] < flip * y[b]; });
  std::vector<double> ys(k), vs(k), centred(k);
  std::vector<std::size_t> by_abs(k);
  for (std::size_t j = 0; j < k; ++j) {
    ys[j] = flip * y[order[j]];
    vs[j] = v[order[j]];
  }

  // 3. Iterate: trim, estimate, rank, re-estimate k0 until it repeats.
  const auto kd = static_cast<double>(k);
  long long k0 = 0, k0_previous = -1;
  double beta = nan;
  int iter = 0;
  bool converged = true;
  while (k0 != k0_previous) {
    k0_previous = k0;
    if (++iter > opt.max_iterations) {
      converged = false;
      --iter;
      break;
    }
    const std::size_t kept = k - static_cast<std::size_t>(k0);
    const detail::subset_fit f =
        detail::fit_subset(std::span<const double>(ys).first(kept), std::span<const double>(vs).first(kept), spec);
    beta = f.estimate;
    for (std::size_t j = 0; j < k; ++j) centred[j] = ys[j] - beta;
    // rank(abs(centred), ties.method = "first"): ranks 1..k by |c|, ties in input order.
    std::iota(by_abs.begin(), by_abs.end(), std::size_t{0});
    std::stable_sort(by_abs.begin(), by_abs.end(),
                     [&](std::size_t a, std::size_t b) { return std::abs(centred[a]) < std::abs(centred[b]); });
    double k0_raw = 0;
    if (opt.estimator == trimfill_estimator::L0) {
      double sr = 0;
      for (std::size_t rank = 1; rank <= k; ++rank) {
        if (centred[by_abs[rank - 1]] > 0) sr += static_cast<double>(rank);
      }
      k0_raw = (4.0 * sr - kd * (kd + 1.0)) / (2.0 * kd - 1.0);
      const double var_sr =
          (kd * (kd + 1.0) * (2.0 * kd + 1.0) + 10.0 * k0_raw * k0_raw * k0_raw + 27.0 * k0_raw * k0_raw +
           17.0 * k0_raw - 18.0 * kd * k0_raw * k0_raw - 18.0 * kd * k0_raw + 6.0 * kd * kd * k0_raw) /
          24.0;
      r.k0_se = 4.0 * std::sqrt(var_sr) / (2.0 * kd - 1.0);  // NaN when var_sr < 0, as metafor
    } else {
      double max_negative = 0;  // metafor takes max() of an empty set here and fails; 0 is the run-length limit
      for (std::size_t rank = 1; rank <= k; ++rank) {
        if (centred[by_abs[rank - 1]] < 0) max_negative = static_cast<double>(rank);
      }
      k0_raw = kd - max_negative - 1.0;
      r.k0_se = std::sqrt(2.0 * std::max(0.0, k0_raw) + 2.0);
    }
    if (!std::isnan(r.k0_se)) r.k0_se = std::max(0.0, r.k0_se);
    k0 = std::max(0LL, static_cast<long long>(std::nearbyint(k0_raw)));  // R's round: half to even
    k0 = std::min(k0, static_cast<long long>(k) - 1);
  }
  r.iterations = iter;
  r.k0 = static_cast<int>(k0);
  r.trimmed_estimate = flip * beta;
  if (!converged) {
    r.status = fit_status::not_converged;
    r.notes.add("trim-and-fill did not converge in " + std::to_string(opt.max_iterations) +
                " iterations; the last k0 is reported");
  }
  if (opt.estimator == trimfill_estimator::R0) r.k0_p = std::ldexp(1.0, -(r.k0 + 1));

  // 4. Fill the k0 most extreme studies' mirror images 2 beta - y and refit.
  if (k0 == 0) {
    r.adjusted = r.observed;
    return r;
  }
  std::vector<double> y_all(y.begin(), y.end()), v_all(v.begin(), v.end());
  std::vector<std::string> labels_all;
  labels_all.reserve(k + static_cast<std::size_t>(k0));
  for (std::size_t i = 0; i < k; ++i) labels_all.push_back(label_of(i));
  for (std::size_t j = k - static_cast<std::size_t>(k0), n = 1; j < k; ++j, ++n) {
    filled_study f;
    f.mirror_of = order[j];
    f.mirror_label = label_of(order[j]);
    f.yi = 2.0 * r.trimmed_estimate - y[order[j]];
    f.vi = v[order[j]];
    f.label = "Filled " + std::to_string(n);
    y_all.push_back(f.yi);
    v_all.push_back(f.vi);
    labels_all.push_back(f.label);
    r.filled.push_back(std::move(f));
  }
  r.adjusted = models::fit(y_all, v_all, labels_all, spec);
  for (const auto& n : r.adjusted.notes.items) r.notes.add("adjusted model: " + n);
  if (r.status == fit_status::ok && r.adjusted.status == fit_status::not_converged)
    r.status = fit_status::not_converged;
  return r;
}

}  // namespace metasift::analyses
