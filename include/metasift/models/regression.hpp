#pragma once
// Mixed-effects meta-regression y = X beta + u + e, u ~ N(0, tau^2), e ~ N(0, v_i), as metafor's
// rma.uni with mods (3.8). Dense algebra with Eigen behind this header; the header itself stays
// free of Eigen so that writers and plots can read the result without it.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "metasift/core/status.hpp"
#include "metasift/models/result.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::models {

/// A k x p design matrix, row-major, with a name per column. has_intercept says whether a column
/// of ones is present (y is then mean-centred for the tau^2 computations, exactly as metafor;
/// without an intercept it is not, see docs/algorithms.md).
struct design {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> x;             ///< rows * cols, row-major
  std::vector<std::string> names;    ///< one per column, e.g. "intrcpt", "ablat", "allocrandom"
  bool has_intercept = true;
  [[nodiscard]] double operator()(std::size_t i, std::size_t j) const { return x[i * cols + j]; }
};

struct coefficient {
  std::string name;
  double estimate = not_available;
  double se = not_available;
  double statistic = not_available;  ///< z, or t under Hartung-Knapp
  double p = not_available;
  double ci_lower = not_available;
  double ci_upper = not_available;
};

struct regression_result {
  model_spec spec;
  int k = 0;
  int p = 0;
  std::vector<coefficient> coefficients;
  std::vector<double> vcov;      ///< p x p, row-major (scaled by s^2 under Hartung-Knapp)
  double df = not_available;     ///< t df (k - p) under Hartung-Knapp; NaN for z
  double tau2 = not_available;
  double tau2_se = not_available;
  double I2 = not_available;     ///< residual heterogeneity, percent (metafor's I^2 for models with mods)
  double H2 = not_available;
  double QM = not_available;     ///< omnibus test of all coefficients but the intercept (chi^2, or F under HK)
  double QM_df = not_available;  ///< numerator df
  double QM_df2 = not_available; ///< denominator df under HK; NaN for chi^2
  double QM_p = not_available;
  double QE = not_available;     ///< residual heterogeneity test
  double QE_df = not_available;
  double QE_p = not_available;
  double R2 = not_available;     ///< percent reduction of tau^2 against the intercept-only model (metafor), NaN for EE
  std::vector<double> fitted;    ///< X beta
  std::vector<double> hat;       ///< diagonal of X (X'WX)^-1 X'W
  convergence conv;
  fit_status status = fit_status::ok;
  warnings notes;
};

/// Fits the model. Preconditions (throw usage_error / error): v > 0 finite, X rows == y.size().
/// Expected data conditions give a status and warnings instead: k <= p, a rank-deficient X
/// (status degenerate, with the aliased columns named), non-convergence (fallback root-finder).
/// Estimators: EE, DL, REML, ML, PM, HE, SJ, HS, EB with metafor's formulas for general X.
[[nodiscard]] regression_result fit_regression(std::span<const double> y, std::span<const double> v, const design& x,
                                               const model_spec& spec);

}  // namespace metasift::models
