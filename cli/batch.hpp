#pragma once
// `metasift batch FILE|- --group COL ...`: one meta-analysis per group, as a stdin -> stdout filter.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace metasift::cli {

struct batch_cli_options {
  std::string file = "-";
  std::string group;
  std::string measure;
  std::string method = "REML";
  std::string ci_method = "z";
  std::string pi_method;
  std::string convention = "metafor";
  std::string md_variance;
  std::string smd_correction = "exact";
  std::string smd_variance = "ls";  ///< ls or ub (metafor vtype)
  std::string zero_cell = "only0";
  double add = 0.5;
  bool drop_double_zero = false;
  double level = 0.95;
  double input_level = 0.95;  ///< level of GEN input ci_lower/ci_upper, independent of --level
  std::vector<std::string> columns;
  double tau2 = -1.0;
  std::string format = "csv";
  bool no_header = false;
  std::string input_columns;
  std::string out = "-";
  int threads = 1;
  bool sync = false;
  bool quiet = false;
  bool timing = false;
};

void setup_batch(CLI::App& app);
void run_batch(const batch_cli_options& opt);

}  // namespace metasift::cli
