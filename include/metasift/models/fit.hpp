#pragma once
// Fitting intercept-only meta-analysis models. The inverse-variance models run in O(k) per
// iteration and allocate nothing in their kernels (re_kernel), so the batch engine can call them
// millions of times; fit() wraps a kernel into a full meta_result with per-study rows.

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

/// Pooled estimate and inference for given tau^2 (no per-study output, no allocation).
[[nodiscard]] pooled_estimate pool(std::span<const double> y, std::span<const double> v, double tau2,
                                   const model_spec& spec);

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
[[nodiscard]] meta_result fit(std::span<const double> y, std::span<const double> v,
                              const std::vector<std::string>& labels, const model_spec& spec);

/// Fits an effect table with spec.est: MH pools the table's raw 2x2 counts (OR, RR, RD) or events and
/// person-time (IRR, IRD) as metafor's rma.mh, and also fills result.mh with rma.mh's tests (OR:
/// Cochran-Mantel-Haenszel and Tarone; IRR: Mantel-Haenszel); PETO pools 2x2 counts as rma.peto;
/// every other method uses yi/vi. Throws usage_error when the method does not apply to the measure
/// (MH needs OR, RR, RD, IRR or IRD; PETO needs 2x2 data).
[[nodiscard]] meta_result fit(const effects::effect_table& table, const model_spec& spec);

}  // namespace metasift::models
