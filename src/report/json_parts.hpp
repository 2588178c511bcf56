#pragma once
// JSON pieces shared by the meta, subgroup and regression writers, so that every "pooled" and
// "heterogeneity" object has the same keys wherever it appears (docs/output.md lists them): a
// statistic that does not apply is null, never missing.

#include <nlohmann/json.hpp>

#include "metasift/models/result.hpp"
#include "metasift/report/meta_report.hpp"

namespace metasift::report::detail {

/// A finite number, or null.
[[nodiscard]] nlohmann::ordered_json json_number(double x);

/// x on the display scale of ctx's measure (exp, tanh, inverse logit, ...); NaN for PFT without
/// a harmonic mean n.
[[nodiscard]] double back_transformed(const meta_context& ctx, double x);

/// `estimate, se, ci_lower, ci_upper, z, t, df, p, pi_lower, pi_upper, pi_df, back_transformed`:
/// z under the Wald test, t and df under a t-based test, the other null.
[[nodiscard]] nlohmann::ordered_json pooled_json(const models::pooled_estimate& p, const models::model_spec& spec,
                                                 const meta_context& ctx);

/// `tau2, tau2_se, tau, I2, H2, Q, df, p, typical_vi, tau2_ci, tau_ci, I2_ci, H2_ci`; the CIs are
/// [lower, upper] when computed, null otherwise.
[[nodiscard]] nlohmann::ordered_json heterogeneity_json(const models::heterogeneity& h);

}  // namespace metasift::report::detail
