#pragma once
// Mixed-effects meta-regression y = X beta + u + e, u ~ N(0, tau^2), e ~ N(0, v_i), as metafor's
// rma.uni with mods (3.8). Dense algebra with Eigen behind this header; the header itself stays
// free of Eigen so that writers and plots can read the result without it.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "metasift/core/status.hpp"
#include "metasift/models/result.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::models {

/// A k x p design matrix, row-major, with a name per column. has_intercept says whether a column
/// of ones is present; fit_regression detects that column itself (|x - 1| < 1e-8, as metafor) and
/// mean-centres y for the tau^2 computations only when the constant lies in the column space of X,
/// where centring is exact (metafor centres always; see docs/algorithms.md).
struct design {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> x;           ///< rows * cols, row-major
  std::vector<std::string> names;  ///< one per column, e.g. "intrcpt", "ablat", "allocrandom"
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

/// Permutation test of the coefficients and of QM, as metafor's permutest.rma.uni: the rows of
/// (y, v) are permuted relative to X (for an intercept-only model the signs of y are flipped) and
/// the model is refitted with the same estimator; p = share of arrangements whose |z| (or QM) is at
/// least the observed one minus sqrt(machine epsilon). The observed arrangement counts as one.
struct permutation_options {
  int iterations = 1000;   ///< arrangements to evaluate, the observed one included (metafor's iter)
  std::uint64_t seed = 1;  ///< seed of the (platform-independent) random permutations
  bool exact = true;       ///< enumerate every distinct arrangement when there are no more than `iterations`
};

struct permutation_result {
  int iterations = 0;  ///< arrangements evaluated, the observed one included
  bool exact = false;  ///< every distinct arrangement was evaluated (metafor's exact test)
  std::uint64_t seed = 0;
  int failed = 0;         ///< refits that failed (Cholesky breakdown); left out of the p-values
  std::vector<double> p;  ///< one per coefficient
  double QM_p = not_available;
};

struct regression_result {
  model_spec spec;
  int k = 0;
  int p = 0;
  std::vector<coefficient> coefficients;
  std::vector<double> vcov;   ///< p x p, row-major (scaled by s^2 under Hartung-Knapp)
  double df = not_available;  ///< t df (k - p) under Hartung-Knapp; NaN for z
  double tau2 = not_available;
  double tau2_se = not_available;
  double I2 = not_available;  ///< residual heterogeneity, percent (metafor's I^2 for models with mods)
  double H2 = not_available;
  double QM = not_available;      ///< omnibus test of all coefficients but the intercept (chi^2, or F under HK)
  double QM_df = not_available;   ///< numerator df
  double QM_df2 = not_available;  ///< denominator df under HK; NaN for chi^2
  double QM_p = not_available;
  double QE = not_available;  ///< residual heterogeneity test
  double QE_df = not_available;
  double QE_p = not_available;
  double R2 = not_available;   ///< percent reduction of tau^2 against the intercept-only model (metafor), NaN for EE
  std::vector<double> fitted;  ///< X beta
  std::vector<double> hat;     ///< diagonal of X (X'WX)^-1 X'W
  double typical_v = not_available;  ///< (k - p) / tr P with W = diag(1/v), for I^2 and H^2
  std::vector<std::string> dropped;  ///< aliased design columns left out (metafor: "Redundant predictors dropped")
  bool has_intercept = false;        ///< a column of ones is in the model (QM then leaves it out)
  bool has_permutations = false;     ///< `permutation` is filled (permutation_test was run)
  permutation_result permutation;
  convergence conv;
  fit_status status = fit_status::ok;
  warnings notes;
};

/// Fits the model. Preconditions (throw usage_error / error): v > 0 finite, X rows == y.size().
/// Expected data conditions give a status and warnings instead: k <= p, a rank-deficient X
/// (status degenerate, with the aliased columns named), non-convergence (fallback root-finder).
/// Estimators: EE, DL, REML, ML, PM, HE, SJ, HS, EB with metafor's formulas for general X.
/// Aliased columns (linear combinations of earlier ones, as R's lm decides with pivoting) are dropped
/// with a warning and listed in `dropped`; y is mean-centred for the tau^2 computations only when
/// the constant lies in the column space of X (metafor centres always, which is wrong otherwise).
/// R^2 = max(0, 100 (tau2_RE - tau2) / tau2_RE), tau2_RE from the intercept-only model with the
/// same estimator, for random-effects models with an intercept and at least one moderator.
/// `weights` (optional, one per study, >= 0): user weights as metafor's rma(weights=): weighted
/// least squares for the coefficients with the sandwich covariance of rma.uni; tau^2, QE, I^2 and
/// H^2 are those of the unweighted model, as metafor.
[[nodiscard]] regression_result fit_regression(std::span<const double> y, std::span<const double> v, const design& x,
                                               const model_spec& spec, std::span<const double> weights = {});

/// A fitted value of a meta-regression at one row of moderator values, with its CI.
struct prediction {
  double estimate = not_available;
  double se = not_available;
  double ci_lower = not_available;
  double ci_upper = not_available;
};

/// metafor's predict.rma for a new row x (one value per entry of r.coefficients, i.e. the design
/// columns that were kept, intercept included): x'b, se = sqrt(x' vcov x), CI x'b -/+ crit * se
/// with the normal critical value, or t with k - p df under Hartung-Knapp (vcov is then already
/// scaled). Throws usage_error when x has the wrong length; NaN when the fit has no coefficients.
[[nodiscard]] prediction predict(const regression_result& r, std::span<const double> x);

/// Permutation p-values for every coefficient and for QM (metafor permutest.rma.uni). The design
/// is factored once and every refit reuses one workspace (no allocation per refit). Exact when
/// opt.exact and the number of distinct arrangements (k! / prod n_c! over groups of identical rows
/// of X; 2^k sign flips for an intercept-only model) is at most opt.iterations, as metafor.
/// Preconditions as fit_regression; throws usage_error when opt.iterations < 2.
[[nodiscard]] permutation_result permutation_test(std::span<const double> y, std::span<const double> v, const design& x,
                                                  const model_spec& spec, const permutation_options& opt);

}  // namespace metasift::models
