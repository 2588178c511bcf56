#pragma once
// Plain result structs of a univariate meta-analysis. Writers (text, JSON, CSV) and plots read
// these; they never recompute statistics. All effects are on the analysis scale (log for ratios).

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "metasift/core/status.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::models {

inline constexpr double not_available = std::numeric_limits<double>::quiet_NaN();

struct study_row {
  std::string label;
  double yi = not_available;
  double vi = not_available;
  double se = not_available;
  double ci_lower = not_available;  ///< yi +- z * se, at the model's level (always z, as metafor's forest)
  double ci_upper = not_available;
  double weight = not_available;  ///< percent of the total weight
};

struct pooled_estimate {
  double estimate = not_available;
  double se = not_available;
  double ci_lower = not_available;
  double ci_upper = not_available;
  double statistic = not_available;  ///< z, or t under Hartung-Knapp
  double df = not_available;         ///< t degrees of freedom; NaN for z
  double p = not_available;
  double pi_lower = not_available;  ///< prediction interval (NaN where undefined)
  double pi_upper = not_available;
  double pi_df = not_available;  ///< df of the PI's t distribution; NaN for z
};

struct interval {
  double lower = not_available;
  double upper = not_available;
};

struct heterogeneity {
  double tau2 = not_available;
  double tau2_se = not_available;
  double tau = not_available;
  double I2 = not_available;  ///< percent
  double H2 = not_available;
  double Q = not_available;
  double df = not_available;
  double p = not_available;          ///< upper chi^2 tail of Q
  double typical_v = not_available;  ///< Higgins-Thompson typical within-study variance
  bool has_ci = false;               ///< the Q-profile CIs below are filled
  interval tau2_ci, tau_ci, I2_ci, H2_ci;
};

/// The tests metafor's rma.mh reports next to a Mantel-Haenszel estimate (NaN where not computed).
struct mh_tests {
  /// OR: the Cochran-Mantel-Haenszel chi^2 (continuity-corrected, df 1; rma.mh's CMH); IRR: the
  /// Mantel-Haenszel test for person-time data (df 1; rma.mh's MH).
  double cmh = not_available;
  double cmh_p = not_available;
  /// OR only: Tarone's (1985) heterogeneity test, df = tables with a positive expected count - 1.
  double tarone = not_available;
  double tarone_df = not_available;
  double tarone_p = not_available;
};

struct convergence {
  int iterations = 0;  ///< Fisher-scoring or root-finder iterations for tau^2
  int step_halvings = 0;
  bool used_fallback = false;  ///< scoring failed; a bracketing root-finder gave tau^2
};

/// A study of the input that has no study estimate in a fit, and why (row index in the raw data).
struct excluded_study {
  std::size_t index = 0;
  std::string reason;
};

struct meta_result {
  model_spec spec;
  int k = 0;
  std::vector<study_row> studies;
  /// Fits of an effect table only: each studies[] row's index in the raw data, and the studies of
  /// the raw data without a study estimate (missing values, undefined yi/vi; under Mantel-Haenszel
  /// and Peto also double-zero tables, whose counts may still enter the pooled estimate).
  std::vector<std::size_t> source_row;
  std::vector<excluded_study> excluded;
  pooled_estimate pooled;
  heterogeneity het;
  mh_tests mh;  ///< Mantel-Haenszel fits of OR and IRR only
  convergence conv;
  fit_status status = fit_status::ok;
  warnings notes;
};

}  // namespace metasift::models
