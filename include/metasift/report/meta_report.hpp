#pragma once
// Text, JSON and CSV renderings of a meta-analysis result. Pure formatting: every number comes
// from the result structs; nothing is recomputed here. Output is deterministic.

#include <string>
#include <vector>

#include "metasift/effects/compute.hpp"
#include "metasift/models/convention.hpp"
#include "metasift/models/result.hpp"

namespace metasift::report {

/// A descriptive column shown left of the effects in the text table (e.g. N / Mean / SD per group).
struct data_column {
  std::string group;               ///< spanning header ("Sustainable management practices"); empty for none
  std::string header;              ///< "N", "Mean", "SD", "Events", "Total", ...
  std::vector<std::string> cells;  ///< one per study, already formatted
};

/// What the writers need besides the result: how the data were read and which conventions applied.
struct meta_context {
  effects::measure measure = effects::measure::GEN;
  std::string data_file;
  models::convention conv = models::convention::metafor;
  std::vector<std::string> conventions;  ///< models::resolved_options::described
  std::vector<data_column> data_columns;
  std::vector<effects::exclusion> excluded;
  std::vector<std::string> excluded_labels;  ///< aligned with excluded
  double harmonic_n = 0.0;                   ///< for the PFT back-transform
  /// Per included study (aligned with the result's studies): which input gave its effect
  /// ("mean_sd", "median_iqr", "t", ...; see pipeline/study_inputs.hpp). Empty: not shown.
  std::vector<std::string> study_inputs;
  std::string subset;   ///< the subset expression that selected the studies; empty: all rows
  std::string weights;  ///< the column of user weights; empty: inverse-variance weights
  int decimals = 2;
  std::string version;  ///< software version printed in every output
};

/// Stata-style report: per-study rows (effect [CI], weight %), the pooled row, heterogeneity and
/// test lines, the model line, then the extra statistics metafor prints (tau^2 CI, PI, conventions).
[[nodiscard]] std::string format_text(const models::meta_result& r, const meta_context& ctx);

/// JSON document with the public keys of docs/output.md (effects on the analysis scale, I^2 in
/// percent, back-transformed values beside them for ratio and transformed measures).
[[nodiscard]] std::string format_json(const models::meta_result& r, const meta_context& ctx);

/// Adds the excluded studies to a CSV report: the header and every row get a last field `excluded`
/// (the reason; empty on analysed rows), and each excluded study becomes a row of `lead` fields (its
/// label; in long formats "excluded" then the label), `na_fields` NA fields and `provenance`
/// (",measure,method,..." as the other rows end).
[[nodiscard]] std::string add_excluded_csv(const std::string& csv, const meta_context& ctx, bool long_format,
                                           std::size_t na_fields, const std::string& provenance);

/// CSV quoting of one field (RFC 4180, only when needed).
[[nodiscard]] std::string csv_field(std::string_view s);

/// CSV: one row per study plus a final "Overall" row; columns study,yi,vi,se,ci_lower,ci_upper,weight.
[[nodiscard]] std::string format_csv(const models::meta_result& r, const meta_context& ctx);

}  // namespace metasift::report
