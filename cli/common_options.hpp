#pragma once
// The data and model options every analysis subcommand shares with `meta` (input file, measure,
// method, test, conventions, effect-size variants, output), and the one path from those options to
// an effect table: resolve the conventions, read the table, extract the measure's columns, compute
// yi/vi. `meta` keeps its own copy for now; it can move onto this helper without changing behaviour.
#include <string>
#include <vector>

#include "metasift/effects/compute.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/convention.hpp"
#include "metasift/report/meta_report.hpp"

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
  double input_level = 0.95;         ///< level of GEN input ci_lower/ci_upper, independent of --level
  std::vector<std::string> columns;  ///< --col canonical=actual
  std::string format = "text";
  std::string out;
  int decimals = 2;
  double tau2 = -1.0;   ///< < 0: estimate
  std::string subset;   ///< --subset EXPR: analyse the rows where COLUMN OP VALUE holds
  std::string weights;  ///< --weights COL (regress only): user weights, read by prepare()
};

/// Registers the shared options (same names, checks and defaults as `meta`) on a subcommand.
void add_data_model_options(CLI::App* sub, data_model_options& opt);

/// Everything a subcommand needs after reading its input.
struct prepared_data {
  io::table table;
  effects::measure measure = effects::measure::GEN;
  effects::raw_data raw;
  effects::effect_table effects;
  models::resolved_options resolved;  ///< effect options and model spec after the convention
  report::meta_context context;       ///< for the writers: measure, file, conventions, exclusions, version
  std::vector<double> weights;        ///< with opt.weights: one per study of `effects`
};

/// Validates the options (usage_error first, before any file is read), then reads and computes.
/// Throws usage_error / input_error / io_error like `meta`.
[[nodiscard]] prepared_data prepare(const data_model_options& opt);

/// The --format value, lower-cased: "text", "json" or "csv".
[[nodiscard]] std::string output_format(const data_model_options& opt);

}  // namespace metasift::cli
