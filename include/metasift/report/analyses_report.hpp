#pragma once
// Text, JSON and CSV renderings of the bias, trim-and-fill, influence and cumulative results.
// Pure formatting over the plain result structs of include/metasift/analyses (no link to the
// analyses module is needed); output is deterministic. Every output names the measure, method,
// test and convention; effects are on the analysis scale, with back-transformed values beside them
// for ratio and transformed measures (as the meta writers). JSON keys: docs/cli.md.

#include <string>
#include <string_view>

#include "metasift/analyses/bias.hpp"
#include "metasift/analyses/cumulative.hpp"
#include "metasift/analyses/influence.hpp"
#include "metasift/analyses/trimfill.hpp"
#include "metasift/report/meta_report.hpp"

namespace metasift::report {

/// Small-study tests: Egger (classical and mixed-effects), Begg, fail-safe N, PET and PEESE.
[[nodiscard]] std::string format_text(const analyses::bias_result& r, const meta_context& ctx);
[[nodiscard]] std::string format_json(const analyses::bias_result& r, const meta_context& ctx);
/// Long format: test,stat,value plus the provenance columns.
[[nodiscard]] std::string format_csv(const analyses::bias_result& r, const meta_context& ctx);

/// Trim-and-fill: k0, side, the filled studies and the observed and adjusted models.
[[nodiscard]] std::string format_text(const analyses::trimfill_result& r, const meta_context& ctx);
[[nodiscard]] std::string format_json(const analyses::trimfill_result& r, const meta_context& ctx);
/// One row per study (observed, then filled) and the observed and adjusted pooled rows.
[[nodiscard]] std::string format_csv(const analyses::trimfill_result& r, const meta_context& ctx);

/// Leave-one-out and influence diagnostics, one row per study.
[[nodiscard]] std::string format_text(const analyses::influence_result& r, const meta_context& ctx);
[[nodiscard]] std::string format_json(const analyses::influence_result& r, const meta_context& ctx);
[[nodiscard]] std::string format_csv(const analyses::influence_result& r, const meta_context& ctx);

/// Cumulative meta-analysis, one row per step. `order_by` describes the order ("year", "data order").
[[nodiscard]] std::string format_text(const analyses::cumulative_result& r, const meta_context& ctx,
                                      std::string_view order_by = "data order");
[[nodiscard]] std::string format_json(const analyses::cumulative_result& r, const meta_context& ctx,
                                      std::string_view order_by = "data order");
[[nodiscard]] std::string format_csv(const analyses::cumulative_result& r, const meta_context& ctx,
                                     std::string_view order_by = "data order");

}  // namespace metasift::report
