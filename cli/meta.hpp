#pragma once
// `metasift meta FILE [options]`: pool one table of studies.
#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace metasift::cli {

struct meta_options {
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
  std::string group_names;                 ///< "A,B"
  std::string format = "text";
  std::string out;
  int decimals = 2;
  bool no_tau2_ci = false;
  double tau2 = -1.0;        ///< < 0: estimate
  std::string subgroup;      ///< --subgroup COL: subgroup analysis by this column
  bool common_tau2 = false;  ///< --common-tau2: one tau^2 for all subgroups
  std::string subset;        ///< --subset EXPR: analyse the rows where COLUMN OP VALUE holds
  std::string weights;       ///< --weights COL: user weights (metafor weights=)
};

/// Registers the subcommand and its options on `app`; the subcommand calls run_meta when parsed.
void setup_meta(CLI::App& app);

/// Runs the analysis and writes its output. Throws the library's exceptions on bad input.
void run_meta(const meta_options& opt);

}  // namespace metasift::cli
