#pragma once
// Pieces of a meta_result shared by the inverse-variance and the 2x2 (MH / Peto) fits.

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "metasift/math/distributions.hpp"
#include "metasift/models/result.hpp"

namespace metasift::models::detail {

/// Per-study rows: CI from the normal quantile (as metafor's forest and Stata's meta) and the
/// weight as a percentage of raw_weight's total.
inline void fill_study_rows(meta_result& r, const std::vector<std::string>& labels, std::span<const double> y,
                            std::span<const double> v, std::span<const double> raw_weight, double level) {
  const double zc = math::normal_critical(level);
  double total = 0;
  for (double w : raw_weight) total += w;
  r.studies.resize(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    study_row& s = r.studies[i];
    s.label = i < labels.size() ? labels[i] : "Study " + std::to_string(i + 1);
    s.yi = y[i];
    s.vi = v[i];
    s.se = std::sqrt(v[i]);
    s.ci_lower = y[i] - zc * s.se;
    s.ci_upper = y[i] + zc * s.se;
    s.weight = total > 0 ? 100.0 * raw_weight[i] / total : not_available;
  }
}

/// Q, its df and p; with q_based, I^2 = max(0, (Q - df)/Q) and H^2 = Q/df (common-effect models).
inline void set_q(heterogeneity& h, double q, double df, bool q_based) {
  h.Q = std::max(0.0, q);
  h.df = df;
  h.p = math::chisq_upper(h.Q, h.df);
  if (q_based) {
    h.I2 = h.Q > 0 ? std::max(0.0, 100.0 * (h.Q - h.df) / h.Q) : 0.0;
    h.H2 = h.Q / h.df;
  }
}

/// Fewer than two studies: no heterogeneity to measure (metafor's values for k = 1).
inline void set_no_heterogeneity(heterogeneity& h) {
  h.Q = 0.0;
  h.df = 0.0;
  h.p = 1.0;
  h.I2 = 0.0;
  h.H2 = 1.0;
}

}  // namespace metasift::models::detail
