#pragma once
// The data and model options every analysis subcommand shares with `meta` (input file, measure,
// method, test, conventions, effect-size variants, output). The CLI only turns them into the
// library's typed pipeline::analysis_settings (settings_from); the library's prepare_analysis
// does the rest, for `meta`, `regress`, the other analysis subcommands, `batch` and `run` alike.
#include <string>
#include <vector>

#include "metasift/effects/compute.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/convention.hpp"
#include "metasift/pipeline/analysis.hpp"
#include "metasift/report/meta_report.hpp"
#include "metasift/report/output_format.hpp"

namespace CLI {
class App;
}

namespace metasift::cli {

struct data_model_options {
  std::string file;
  std::string measure;  ///< empty: GEN when the table has yi
  std::string method = "REML";
  std::string ci_method = "z";
  std::string pi_method;  ///< empty: from the convention
  std::string convention = "metafor";
  std::string md_variance;  ///< empty: from the convention
  std::string smd_correction = "exact";
  std::string smd_variance = "ls";  ///< ls or ub (metafor vtype)
  std::string zero_cell = "only0";
  double add = 0.5;
  bool drop_double_zero = false;
  double level = 0.95;
  double input_level = 0.95;               ///< level of GEN input ci_lower/ci_upper, independent of --level
  std::string fivenum_method = "shi2020";  ///< SD of a five-number summary: shi2020 or wan2014
  std::vector<std::string> columns;        ///< --col canonical=actual
  std::string format = "text";
  std::string out;
  int decimals = 2;
  double tau2 = -1.0;   ///< < 0: estimate
  std::string subset;   ///< --subset EXPR: analyse the rows where COLUMN OP VALUE holds
  std::string weights;  ///< --weights COL (regress only): user weights, read by prepare()
};

/// Registers the shared options (same names, checks and defaults as `meta`) on a subcommand.
void add_data_model_options(CLI::App* sub, data_model_options& opt);

/// The option values as the command line gives them (strings), named by their flags.
struct model_option_values {
  const std::string& measure;
  const std::string& method;
  const std::string& ci_method;
  const std::string& pi_method;
  const std::string& convention;
  const std::string& md_variance;
  const std::string& smd_correction;
  const std::string& smd_variance;
  const std::string& zero_cell;
  double add;
  bool drop_double_zero;
  double level;
  double input_level;
  const std::vector<std::string>& columns;
  double tau2;
  const std::string& subset;   ///< empty: every row
  const std::string& weights;  ///< empty: inverse-variance weights
  int decimals;
  const std::string& fivenum_method;  ///< shi2020 or wan2014
};

/// The typed settings the option values stand for, through the library's case-insensitive
/// parse_* functions. Throws usage_error naming the flag for an unknown name or a value the
/// library's check_settings refuses; reads no file.
[[nodiscard]] pipeline::analysis_settings settings_from(const model_option_values& v);

/// settings_from for any options struct with the shared fields (data_model_options, meta_options,
/// batch_cli_options). Without an --input-level option, input CIs are read at --level; without
/// --subset or --weights options (batch), every row with inverse-variance weights; without
/// --fivenum-method, Shi et al.'s (2020) five-number SD.
template <class Options>
[[nodiscard]] pipeline::analysis_settings settings_from(const Options& o) {
  double input_level = o.level;
  if constexpr (requires { o.input_level; }) input_level = o.input_level;
  int decimals = 2;
  if constexpr (requires { o.decimals; }) decimals = o.decimals;
  static const std::string none;
  const std::string* subset = &none;
  const std::string* weights = &none;
  if constexpr (requires { o.subset; }) subset = &o.subset;
  if constexpr (requires { o.weights; }) weights = &o.weights;
  static const std::string shi2020 = "shi2020";
  const std::string* fivenum = &shi2020;
  if constexpr (requires { o.fivenum_method; }) fivenum = &o.fivenum_method;
  return settings_from(model_option_values{o.measure, o.method, o.ci_method, o.pi_method, o.convention, o.md_variance,
                                           o.smd_correction, o.smd_variance, o.zero_cell, o.add, o.drop_double_zero,
                                           o.level, input_level, o.columns, o.tau2, *subset, *weights, decimals,
                                           *fivenum});
}

/// The --format value: text, json or csv (any case). usage_error for another.
[[nodiscard]] report::output_format format_from(const std::string& format);

/// Everything a subcommand needs after reading its input.
struct prepared_data {
  io::table table;
  effects::measure measure = effects::measure::GEN;
  effects::raw_data raw;
  effects::effect_table effects;
  models::resolved_options resolved;  ///< effect options and model spec after the convention
  report::meta_context context;       ///< for the writers: measure, file, conventions, exclusions, version
  std::vector<double> weights;        ///< with opt.weights: one per study of `effects` (pipeline::prepare_analysis)
};

/// Validates the options (usage_error first, before any file is read), then reads the table and
/// prepares it (pipeline::prepare_analysis). Throws usage_error / input_error / io_error like `meta`.
[[nodiscard]] prepared_data prepare(const data_model_options& opt);

/// The --format value: text, json or csv.
[[nodiscard]] report::output_format output_format(const data_model_options& opt);

}  // namespace metasift::cli
