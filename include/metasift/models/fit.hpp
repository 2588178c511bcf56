#pragma once
// Fitting intercept-only meta-analysis models. The inverse-variance models run in O(k) per
// iteration and allocate nothing in their kernels (re_kernel), so the batch engine can call them
// millions of times; fit() wraps a kernel into a full meta_result with per-study rows.

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "metasift/effects/compute.hpp"
#include "metasift/models/result.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::models {

/// tau^2 and its standard error as estimated by spec.est, without the pooled estimate.
struct tau2_estimate {
  double tau2 = 0.0;
  double se = not_available;
  convergence conv;
  fit_status status = fit_status::ok;
  bool ll0_reset = false;  ///< REML/ML optimum was below the likelihood at tau^2 = 0; reset to 0
};

/// Estimates tau^2 for an intercept-only model (metafor rma.uni, methods DL, REML, ML, PM, HE, SJ,
/// HS, EB; EE gives 0). Preconditions: y.size() == v.size() >= 2, v > 0 finite.
/// REML/ML/EB: Fisher scoring from max(0, HE) with step halving at the boundary and truncation at 0
/// (Viechtbauer 2005; rma.uni.r), ll0 check for REML/ML, and a TOMS 748 root of the score equation
/// when scoring does not converge. PM: root of Q(tau^2) = k - 1 (Paule & Mandel 1982).
[[nodiscard]] tau2_estimate estimate_tau2(std::span<const double> y, std::span<const double> v, const model_spec& spec);

/// Q-profile confidence interval for tau^2 (Viechtbauer 2007; metafor confint.rma.uni): the tau^2
/// values where the generalised Q statistic equals the chi^2_{k-1} quantiles 1 - a/2 and a/2.
/// Bounds below 0 are set to 0; `null_set` is set when Q(0) is below the lower quantile.
struct qprofile_ci {
  interval tau2;
  bool null_set = false;
};
[[nodiscard]] qprofile_ci qprofile_tau2_ci(std::span<const double> y, std::span<const double> v, double level);

/// Inverse-variance pooling with weights w_i = 1 / (v_i + tau2): the weighted mean, its standard
/// error sqrt(1 / sum w) and, when wanted, the weighted residual sum of squares
/// Q = sum (y_i - mean)^2 / (v_i + tau2), Cochran's Q at tau2 = 0 (Hedges & Olkin 1985, ch. 6;
/// metafor rma.uni, model fitting and the QE block). The kernel of every inverse-variance pool in
/// the library, inline and allocation-free for the batch engines.
struct iv_pooled {
  double estimate = not_available;
  double se = not_available;
  double sum_w = 0.0;
  double q = not_available;  ///< only with want_q
};
[[nodiscard]] inline iv_pooled pool_iv(std::span<const double> y, std::span<const double> v, double tau2,
                                       bool want_q = false) noexcept {
  iv_pooled out;
  double swy = 0;
  const std::size_t k = y.size();
  for (std::size_t i = 0; i < k; ++i) {
    const double w = 1.0 / (v[i] + tau2);
    out.sum_w += w;
    swy += w * y[i];
  }
  out.estimate = swy / out.sum_w;
  out.se = std::sqrt(1.0 / out.sum_w);
  if (want_q) {
    double q = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double r = y[i] - out.estimate;
      q += r * r / (v[i] + tau2);
    }
    out.q = q;
  }
  return out;
}

/// Pooled estimate and inference for given tau^2 (no per-study output, no allocation).
[[nodiscard]] pooled_estimate pool(std::span<const double> y, std::span<const double> v, double tau2,
                                   const model_spec& spec);

/// Pooled estimate with user weights a_i (metafor rma.uni weights=): mu = sum a y / sum a with
/// Var(mu) = sum a^2 (v + tau2) / (sum a)^2, the sandwich form of rma.uni for an intercept-only
/// model. tau^2 is estimated as without weights, and the Hartung-Knapp factor uses the
/// inverse-variance residuals (rma.uni's RSS.knha). Empty weights: pool() above.
[[nodiscard]] pooled_estimate pool(std::span<const double> y, std::span<const double> v, double tau2,
                                   const model_spec& spec, std::span<const double> weights);

/// The allocation-free summary the batch engine needs: tau^2, pooled estimate and Q.
struct kernel_result {
  tau2_estimate tau2;
  pooled_estimate pooled;
  double Q = not_available;
};
[[nodiscard]] kernel_result re_kernel(std::span<const double> y, std::span<const double> v, const model_spec& spec);

/// Throws input_error naming the study (labels[i], or its 1-based number) when an effect or
/// variance is beyond what the estimators' sums of w, w^2, w*y^2 and y^2 (w = 1/v) can hold in
/// double precision (yi = 1e308, vi = 1e-300). fit() runs this check; the batch engine's fast
/// path runs it too, so both refuse the same data.
void check_representable(std::span<const double> y, std::span<const double> v, const std::vector<std::string>& labels);

/// Full inverse-variance fit (EE or random effects) with per-study rows, heterogeneity statistics
/// (Q, I^2 and H^2 as metafor: tau^2-based for RE models, Q-based for EE) and the Q-profile CIs.
/// k = 1 and other degenerate data give a result with status and warnings, never an exception.
/// `weights` (optional, one per study, >= 0, not all 0): user weights as metafor's weights=; the
/// studies' weight column then shows them in percent. Q, I^2, H^2 and tau^2 do not use them.
[[nodiscard]] meta_result fit(std::span<const double> y, std::span<const double> v,
                              const std::vector<std::string>& labels, const model_spec& spec,
                              std::span<const double> weights = {});

/// Fits an effect table with spec.est: MH pools the table's raw 2x2 counts (OR, RR, RD) or events and
/// person-time (IRR, IRD) as metafor's rma.mh, and also fills result.mh with rma.mh's tests (OR:
/// Cochran-Mantel-Haenszel and Tarone; IRR: Mantel-Haenszel); PETO pools 2x2 counts as rma.peto;
/// every other method uses yi/vi. Throws usage_error when the method does not apply to the measure
/// (MH needs OR, RR, RD, IRR or IRD; PETO needs 2x2 data).
/// `weights` as above, aligned with table.yi; not allowed with MH and PETO (usage_error).
[[nodiscard]] meta_result fit(const effects::effect_table& table, const model_spec& spec,
                              std::span<const double> weights = {});

/// Whether a fit with `est` on `m` has rma.mh's tests in result.mh: metafor's rma.mh computes the
/// Cochran-Mantel-Haenszel and Tarone tests for OR and the Mantel-Haenszel test for IRR only.
[[nodiscard]] constexpr bool has_mh_tests(method est, effects::measure m) noexcept {
  return est == method::MH && (m == effects::measure::OR || m == effects::measure::IRR);
}

}  // namespace metasift::models
