#pragma once
// Small-study effects and publication bias: Egger's regression test (classical and mixed-effects),
// the Begg-Mazumdar rank correlation, fail-safe N (Rosenthal, Orwin) and the PET / PEESE limit
// estimates, as metafor 3.8's regtest, ranktest and fsn. The result structs are plain (inline
// helpers only) so that report/ and plot/ can read them without linking the analyses module.

#include <optional>
#include <span>
#include <string_view>

#include "metasift/core/status.hpp"
#include "metasift/models/result.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::analyses {

using models::not_available;

/// Weighted least squares of y on one predictor x with weights 1/v and a dispersion estimated from
/// the residuals (R's lm(y ~ x, weights = 1/v)): intercept b0, slope b1, t tests on k - 2 df.
struct wls_line {
  double b0 = not_available, b0_se = not_available, b0_t = not_available, b0_p = not_available;
  double b0_ci_lower = not_available, b0_ci_upper = not_available;  ///< t_{k-2} interval at the model's level
  double b1 = not_available, b1_se = not_available, b1_t = not_available, b1_p = not_available;
  double df = not_available;      ///< k - 2
  double sigma2 = not_available;  ///< residual dispersion: weighted RSS / (k - 2)
  fit_status status = fit_status::ok;
};

/// Classical Egger test (Egger et al. 1997; metafor regtest(model = "lm", predictor = "sei")):
/// y_i = b0 + b1 se_i + e_i by weighted least squares with weights 1/v_i and estimated dispersion.
/// b1 is Egger's intercept (the intercept of the standardised regression y/se on 1/se: the bias
/// coefficient whose t test on k - 2 df is the test); b0 is metafor's "limit estimate" (se -> 0).
struct egger_test {
  wls_line fit;
  [[nodiscard]] double bias() const noexcept { return fit.b1; }  ///< Egger's intercept
  [[nodiscard]] double t() const noexcept { return fit.b1_t; }
  [[nodiscard]] double df() const noexcept { return fit.df; }
  [[nodiscard]] double p() const noexcept { return fit.b1_p; }
};

/// Mixed-effects Egger test (metafor regtest's default, model = "rma"): the meta-regression
/// y_i = b0 + b1 se_i + u_i + e_i with the model's tau^2 estimator and test; statistic = z (or t on
/// k - 2 df under Hartung-Knapp) of b1. b0 with its CI is the limit estimate.
struct egger_mixed_test {
  double bias = not_available, bias_se = not_available;  ///< b1, the coefficient of se
  double statistic = not_available;                      ///< z, or t under Hartung-Knapp
  double df = not_available;                             ///< k - 2 under Hartung-Knapp; NaN for z
  double p = not_available;
  double limit_estimate = not_available, limit_se = not_available;  ///< b0
  double limit_ci_lower = not_available, limit_ci_upper = not_available;
  double tau2 = not_available;  ///< residual tau^2 of the meta-regression
  fit_status status = fit_status::ok;
};

/// Begg & Mazumdar (1994) rank correlation (metafor ranktest): Kendall's tau-b between the
/// standardised deviates (y_i - theta_EE) / sqrt(v_i - 1/sum w) and v_i. The p-value is exact
/// (R's pkendall, the distribution of the number of concordant pairs) when neither variable has
/// ties, as metafor always requests it; otherwise the normal approximation with the tie-corrected
/// variance of S and no continuity correction (R's cor.test).
struct rank_test {
  double tau = not_available;
  double p = not_available;
  bool exact = false;
  bool ties = false;
  double statistic = not_available;  ///< concordant pairs T (exact) or z (normal approximation)
  fit_status status = fit_status::ok;
};

/// Fail-safe N (metafor fsn). Rosenthal (1979), Stouffer's method: the number of studies with
/// z = 0 that would raise the one-sided combined p above alpha, N = max(0, k (Z/z_{1-alpha})^2 - k)
/// with Z = |sum y_i/se_i| / sqrt(k). Orwin (1983), unweighted: N = max(0, k (ybar - target) / target),
/// target = ybar / 2 unless given (a target of the opposite sign is flipped, as metafor). Both are
/// rounded up unless within sqrt(eps) of an integer (metafor).
struct failsafe_n {
  double rosenthal = not_available;
  double rosenthal_p = not_available;  ///< observed one-sided significance of Stouffer's Z
  double alpha = 0.05;
  double orwin = not_available;       ///< infinite when the target is 0
  double orwin_mean = not_available;  ///< unweighted mean effect
  double orwin_target = not_available;
  fit_status status = fit_status::ok;
};

/// A limit estimate from a weighted regression (metafor regtest(model = "lm", predictor = ...)):
/// PET uses the standard error as predictor, PEESE the variance (Stanley & Doucouliagos 2014).
/// The estimate is the intercept b0 (the effect of a study with se = 0).
struct limit_estimate {
  std::string_view predictor;  ///< "sei" or "vi"
  wls_line fit;
  [[nodiscard]] double estimate() const noexcept { return fit.b0; }
};

struct bias_options {
  double fsn_alpha = 0.05;             ///< Rosenthal's target significance (one-sided)
  std::optional<double> orwin_target;  ///< default: half the unweighted mean effect
};

struct bias_result {
  models::model_spec spec;
  int k = 0;
  egger_test egger;
  egger_mixed_test egger_mixed;
  rank_test begg;
  failsafe_n fsn;
  limit_estimate pet{"sei", {}};
  limit_estimate peese{"vi", {}};
  fit_status status = fit_status::ok;  ///< the worst status of the parts
  warnings notes;
};

/// Runs every test on one set of studies. Preconditions (throw): y.size() == v.size(), y finite,
/// v > 0 finite, 0 < level < 1, a method that uses yi/vi (MH and PETO throw usage_error).
/// Degenerate data (k < 3 for the regressions, k < 2 for the rank test, equal variances, ...) give
/// NaN statistics with status degenerate and a warning naming the test; nothing throws.
[[nodiscard]] bias_result small_study_tests(std::span<const double> y, std::span<const double> v,
                                            const models::model_spec& spec, const bias_options& opt = {});

/// Lower-tail probability P(T <= q) of the number of concordant pairs T among n items when all
/// n! orderings are equally likely (R's pkendall, exact). Exposed for tests; O(n^3) time.
[[nodiscard]] double kendall_lower_tail(long long q, int n);

}  // namespace metasift::analyses
