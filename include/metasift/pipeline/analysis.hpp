#pragma once
// One typed path from settings to a model call, shared by every front end: the CLI's `meta`,
// `regress` and the other analysis subcommands, `batch`, `metasift run`, and later a server or
// Python bindings. A front end only fills analysis_settings (from its flags, a review.toml, a
// request); the conventions, the effect-size options and the model spec are derived here, once.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metasift/effects/compute.hpp"
#include "metasift/effects/conversions.hpp"
#include "metasift/effects/measure.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/convention.hpp"
#include "metasift/models/result.hpp"
#include "metasift/models/spec.hpp"
#include "metasift/pipeline/study_inputs.hpp"
#include "metasift/report/meta_report.hpp"

namespace metasift::pipeline {

/// Everything that decides how a table of studies is analysed, as typed values. Names of the
/// settings (used in problems and messages) are the field names.
struct analysis_settings {
  std::optional<effects::measure> measure;  ///< nullopt: GEN when the table has a yi column
  models::method method = models::method::REML;
  models::ci_method ci = models::ci_method::z;
  std::optional<models::pi_method> pi;  ///< nullopt: from the convention
  models::convention conv = models::convention::metafor;
  std::optional<effects::md_variance> md_var;  ///< nullopt: from the convention
  effects::smd_correction smd = effects::smd_correction::hedges_exact;
  /// SMD sampling variance: metafor's vtype "LS" or "UB" (the latter needs smd = hedges_exact)
  effects::smd_variance smd_var = effects::smd_variance::large_sample;
  effects::zero_cell zero = effects::zero_cell::only_zero;
  double add = 0.5;  ///< continuity correction
  bool drop_double_zero = false;
  double level = 0.95;               ///< of the output; a proportion (0.95) or a percentage (95)
  double input_level = 0.95;         ///< of GEN input ci_lower/ci_upper, independent of `level`; same reading
  bool tau2_ci = true;               ///< the Q-profile CI of tau^2
  std::optional<double> tau2_fixed;  ///< use this tau^2 instead of estimating it
  /// Analyse only the rows where this comparison holds (pipeline::parse_subset grammar, as
  /// metafor's subset=); empty: every row.
  std::string subset;
  /// Column of user weights (metafor's weights=) for the pooled estimate or the coefficients;
  /// empty: inverse-variance weights.
  std::string weights;
  /// SD of a group given as a five-number summary (min, q1, median, q3, max): Shi et al. (2020) or
  /// Wan et al. (2014), as the Cochrane Handbook 6.5.2.5 describes (pipeline::read_study_inputs).
  effects::five_number_sd fivenum_method = effects::five_number_sd::shi2020;
  std::map<std::string, std::string> columns;  ///< canonical column -> the table's name (parse_column_map)
  std::vector<std::string> group_names;        ///< headers of the two groups' descriptive columns
  int decimals = 2;                            ///< of the text report
};

/// A setting with an unusable value: the setting's name and a sentence for the caller's message
/// (a front end names its own flag or key, e.g. "--level" or "review.toml:4:9: level").
struct setting_problem {
  std::string setting;
  std::string problem;
};

/// The problems of `s`, in field order; empty when it can be used. Checked: level and input_level
/// (read as models::read_confidence_level reads them), add (>= 0; effects::compute checks the
/// rest), tau2_fixed (finite, >= 0) and subset (pipeline::subset_problem). The weights column is
/// checked against the table by prepare_analysis.
[[nodiscard]] std::vector<setting_problem> check_settings(const analysis_settings& s);

/// The effect-size options and the model spec `s` stands for, after its convention
/// (models::resolve: an explicit md_var or pi wins over the convention). Reads no file.
/// Throws usage_error naming the setting for the first problem of check_settings.
[[nodiscard]] models::resolved_options resolve_settings(const analysis_settings& s);

/// A table read into effect sizes under the settings, ready for a model call.
struct prepared_analysis {
  analysis_settings settings;
  effects::measure measure = effects::measure::GEN;
  study_inputs inputs;  ///< the measure's columns (inputs.raw) and how each row was read
  effects::effect_table effects;
  models::resolved_options resolved;  ///< effect options and model spec after the convention
  std::vector<double> weights;        ///< with settings.weights: one per study of `effects`
  /// For the writers: measure, data file, convention and its settings, inputs read, decimals,
  /// version, and the studies excluded before the fit (fit_meta replaces them with the fit's).
  report::meta_context context;
};

/// Resolves the settings, picks the measure (infer_measure when unset), reads the measure's
/// inputs from `table` and computes yi/vi (pipeline::read_study_inputs, effects::compute) for the
/// rows of settings.subset (pipeline::select_rows, compute_selected), then reads settings.weights
/// (pipeline::read_weights). `data_label` names the table in the report. Throws usage_error
/// (settings), input_error (data).
[[nodiscard]] prepared_analysis prepare_analysis(const analysis_settings& s, const io::table& table,
                                                 const std::string& data_label);

/// The meta-analysis of the prepared effects under the resolved spec (models::fit, with the user
/// weights when there are any), with the
/// table's label notes; completes the context with the descriptive columns of `table` and the
/// fit's exclusions. An input_error of the model without a file is given the data file.
[[nodiscard]] models::meta_result fit_meta(prepared_analysis& p, const io::table& table);

}  // namespace metasift::pipeline
