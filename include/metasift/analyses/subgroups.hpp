#pragma once
// Subgroup analysis: one meta-analysis per level of a grouping column, and the test of subgroup
// differences. The result structs are plain and header-only, so the writers (report) and the
// forest plot (plot) read them without linking the analyses module.
//
//   - Each subgroup is pooled with models::fit on its studies (MH and Peto pool the subgroup's
//     2x2 counts). tau^2 is estimated separately per subgroup by default; with common_tau2 it is
//     estimated once from the meta-regression on the subgroup dummies (metafor:
//     rma(yi, vi, mods = ~ factor(g))) and every subgroup is pooled with that tau^2.
//   - Test of subgroup differences (R meta's Q.b.random / Q.b.common, Stata's meta subgroup test):
//     Q_b = sum_j w_j (theta_j - theta_bar)^2 with w_j = 1 / se_j^2 and theta_bar = sum w_j theta_j /
//     sum w_j over the subgroups' pooled estimates and standard errors (as reported: Hartung-Knapp
//     SEs under --ci-method hk), df = groups - 1, p from chi^2.

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "metasift/core/status.hpp"
#include "metasift/effects/compute.hpp"
#include "metasift/models/result.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::analyses {

struct subgroup_options {
  bool common_tau2 = false;  ///< one tau^2 for all subgroups, from the meta-regression on the subgroup dummies
};

struct subgroup {
  std::string name;  ///< the level, as the column spells it
  int k = 0;
  std::vector<std::size_t> studies;  ///< indices into the effect table
  models::meta_result fit;           ///< the subgroup's own meta-analysis (k, studies, pooled, het, status, notes)
};

struct subgroup_test {
  double Q = models::not_available;
  double df = models::not_available;
  double p = models::not_available;
};

struct subgroup_result {
  std::string column;  ///< the grouping column
  models::model_spec spec;
  subgroup_options options;
  std::vector<subgroup> groups;                ///< in level order (sorted, as R's factor)
  subgroup_test test;                          ///< differences between the subgroups' pooled estimates
  double common_tau2 = models::not_available;  ///< with options.common_tau2
  double common_tau2_se = models::not_available;
  std::vector<std::size_t> unassigned;  ///< studies with a missing group value (in no subgroup)
  std::vector<std::string> unassigned_labels;
  fit_status status = fit_status::ok;
  warnings notes;

  /// The subgroup named `name`, or nullptr.
  [[nodiscard]] const subgroup* find(const std::string& name) const {
    for (const auto& g : groups) {
      if (g.name == name) return &g;
    }
    return nullptr;
  }
};

/// Q_b over pooled estimates and their standard errors (w = 1/se^2; fewer than two finite entries
/// give NaN). Header-only so that writers can recompute nothing and tests can check it directly.
[[nodiscard]] inline subgroup_test difference_test_terms(const std::vector<double>& estimate,
                                                         const std::vector<double>& se,
                                                         double (*chisq_upper)(double, double)) {
  subgroup_test t;
  double sw = 0, swy = 0;
  std::size_t n = 0;
  for (std::size_t j = 0; j < estimate.size(); ++j) {
    if (!(se[j] > 0) || !std::isfinite(estimate[j])) continue;
    const double w = 1.0 / (se[j] * se[j]);
    sw += w;
    swy += w * estimate[j];
    ++n;
  }
  if (n < 2) return t;
  const double mean = swy / sw;
  double q = 0;
  for (std::size_t j = 0; j < estimate.size(); ++j) {
    if (!(se[j] > 0) || !std::isfinite(estimate[j])) continue;
    q += (estimate[j] - mean) * (estimate[j] - mean) / (se[j] * se[j]);
  }
  t.Q = q;
  t.df = static_cast<double>(n - 1);
  t.p = chisq_upper(q, t.df);
  return t;
}

/// Subgroup analysis of `table` with `spec`. group[i] is the level of study i of the table (an empty
/// string: missing, the study is in no subgroup and a warning names it); `levels` gives the order
/// of the subgroups (every non-empty group value must be among them; empty: sorted by bytes).
/// A subgroup with k = 1 is reported with a warning (its estimate is the study's own), never an
/// error. Throws usage_error when group.size() differs from the table's studies.
[[nodiscard]] subgroup_result fit_subgroups(const effects::effect_table& table, const std::vector<std::string>& group,
                                            const std::vector<std::string>& levels, const models::model_spec& spec,
                                            const subgroup_options& opt = {});

}  // namespace metasift::analyses
