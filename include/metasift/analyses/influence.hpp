#pragma once
// Leave-one-out analysis and case-deletion influence diagnostics for the intercept-only model, as
// metafor 3.8's leave1out.rma.uni and influence.rma.uni (Viechtbauer & Cheung 2010). Plain result
// structs (inline helpers only) for report/ and plot/.

#include <span>
#include <string>
#include <vector>

#include "metasift/core/status.hpp"
#include "metasift/models/result.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::analyses {

/// One study: the model refitted without it (tau^2 re-estimated with the same method) and the
/// diagnostics built from that refit.
struct influence_row {
  std::string label;
  // Leave-one-out (metafor leave1out): the fit without this study.
  double estimate = models::not_available;
  double se = models::not_available;
  double statistic = models::not_available;  ///< z, or t under Hartung-Knapp
  double df = models::not_available;         ///< t df under Hartung-Knapp; NaN for z
  double p = models::not_available;
  double ci_lower = models::not_available;
  double ci_upper = models::not_available;
  double Q = models::not_available;  ///< QE without the study (metafor QE.del)
  double Q_p = models::not_available;
  double tau2 = models::not_available;  ///< tau^2 without the study (metafor tau2.del); 0 for EE
  double I2 = models::not_available;
  double H2 = models::not_available;
  // Diagnostics (metafor influence.rma.uni).
  double rstudent = models::not_available;   ///< (y_i - beta_(-i)) / sqrt(v_i s2 + Var(beta_(-i)) + tau2_(-i) s2)
  double dffits = models::not_available;     ///< (beta - beta_(-i)) / sqrt(s2 h_i (tau2_(-i) + v_i))
  double cooks_d = models::not_available;    ///< (beta - beta_(-i))^2 / Var(beta)
  double cov_ratio = models::not_available;  ///< Var(beta_(-i)) / Var(beta)
  double hat = models::not_available;        ///< w_i / sum w of the full model
  double weight = models::not_available;     ///< percent
  double dfbetas = models::not_available;    ///< (beta - beta_(-i)) / sqrt(s2 / sum_j 1/(v_j + tau2_(-i)))
  // Baujat et al. (2002) coordinates, as metafor 3.8's baujat.rma: the squared Pearson residual
  // (y_i - beta)^2 / (tau2 + v_i) of the full model (its contribution to Q when tau2 = 0) and the
  // influence (beta_(-i) - beta)^2 / Var(beta_(-i)) of deleting the study on the pooled estimate.
  double baujat_x = models::not_available;
  double baujat_y = models::not_available;
  bool influential = false;  ///< any of metafor's four criteria (see influence_result)
  bool flag_dffits = false, flag_cooks_d = false, flag_hat = false, flag_dfbetas = false;
  fit_status status = fit_status::ok;  ///< of the refit without this study
};

struct influence_result {
  models::model_spec spec;
  int k = 0;
  models::meta_result full;            ///< the model with every study
  std::vector<influence_row> studies;  ///< in input order
  /// metafor's cut-offs: |DFFITS| > 3 sqrt(p/(k-p)), pchisq(Cook's D, 1) > 0.5 (i.e. D > the chi^2_1
  /// median), hat > 3p/k, |DFBETAS| > 1, with p = 1.
  double dffits_cutoff = models::not_available;
  double cooks_d_cutoff = models::not_available;
  double hat_cutoff = models::not_available;
  double dfbetas_cutoff = 1.0;
  fit_status status = fit_status::ok;
  warnings notes;
};

/// Fits the model with every study and once without each study. The k refits reuse two buffers of
/// k - 1 studies and call the allocation-free kernel (models::re_kernel); nothing in the loop
/// allocates. Preconditions (throw): as models::fit, a method that uses yi/vi (MH/PETO: usage_error),
/// labels.size() == y.size() or empty. k = 1 gives status degenerate with no rows' diagnostics.
[[nodiscard]] influence_result influence(std::span<const double> y, std::span<const double> v,
                                         const std::vector<std::string>& labels, const models::model_spec& spec);

}  // namespace metasift::analyses
