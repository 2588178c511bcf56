#pragma once
// Text, JSON and CSV renderings of a meta-regression (models::regression_result) and of a subgroup
// analysis (analyses::subgroup_result, read through its header only). Pure formatting: every number
// comes from the result structs. Output is deterministic. Keys: docs/output.md.

#include <string>
#include <vector>

#include "metasift/analyses/subgroups.hpp"
#include "metasift/models/regression.hpp"
#include "metasift/report/meta_report.hpp"

namespace metasift::report {

/// What the regression writers need besides the result.
struct regression_context {
  meta_context meta;                    ///< measure, data file, conventions, excluded studies, decimals, version
  std::vector<std::string> moderators;  ///< as given on the command line, in model order
  struct factor {
    std::string column;
    std::string reference;  ///< the level without a column ("" with full dummy coding)
    std::vector<std::string> levels;
  };
  std::vector<factor> factors;        ///< categorical moderators and how they were coded
  std::vector<std::string> labels;    ///< the studies in the model, aligned with the result's rows
  std::vector<double> yi, vi;         ///< their effects (analysis scale) and variances
  std::vector<std::string> left_out;  ///< studies left out for a missing moderator value
};

/// metafor-style report: model line, residual heterogeneity, R^2, QE and QM tests, the coefficient
/// table (with permutation p-values when run), reference levels, conventions, status and warnings.
[[nodiscard]] std::string format_text(const models::regression_result& r, const regression_context& ctx);

/// JSON: coefficients[] {name, estimate, se, z | t, p, ci_lower, ci_upper[, p_perm]}, tau2, tau2_se,
/// tau, I2, H2, R2, QM, QM_df[, QM_df2], QM_p, QE, QE_df, QE_p, studies[] {study, yi, vi, fitted, hat},
/// permutation, factors, dropped, status, warnings, ...
[[nodiscard]] std::string format_json(const models::regression_result& r, const regression_context& ctx);

/// CSV, one row per coefficient and then one per model statistic (tau2, I2, H2, R2, QM, QE):
/// term,estimate,se,statistic,df,p,ci_lower,ci_upper,p_perm,measure,method,ci_method,convention.
[[nodiscard]] std::string format_csv(const models::regression_result& r, const regression_context& ctx);

/// The subgroup block of `meta --subgroup` for the text report: one line per subgroup (pooled
/// estimate with CI and test, tau^2, I^2, H^2, Q) and the test of subgroup differences.
[[nodiscard]] std::string format_subgroups_text(const analyses::subgroup_result& r, const meta_context& ctx);

/// Adds "subgroups" [{name, k, pooled {...}, heterogeneity {...}, status, warnings}], "subgroup_test"
/// {Q, df, p} and "subgroup_options" {column, common_tau2, tau2, tau2_se, unassigned} to the JSON
/// document `meta_json` written by format_json(meta_result, ...), and returns the new document.
[[nodiscard]] std::string add_subgroups_json(const std::string& meta_json, const analyses::subgroup_result& r,
                                             const meta_context& ctx);

/// CSV of a subgroup analysis: one row per subgroup, then "Overall" (the analysis of all studies,
/// `overall`) and "Test of subgroup differences" (Q in the Q column):
/// subgroup,k,estimate,se,statistic,df,p,ci_lower,ci_upper,tau2,tau2_se,I2,H2,Q,Q_df,Q_p,
/// measure,method,ci_method,convention.
[[nodiscard]] std::string format_subgroups_csv(const analyses::subgroup_result& r, const models::meta_result& overall,
                                               const meta_context& ctx);

}  // namespace metasift::report
