#pragma once
// `metasift appraise check review.toml [--format text|json] [--traffic-light F] [--summary F]
//  [--summary-weighted F] [--forest-rob F]`: validate the
// risk-of-bias / quality judgement files named by [appraisal] (review/appraisal.hpp), list disagreements between
// assessors and the included studies not yet assessed.
#include <string>

namespace CLI {
class App;
}

namespace metasift::cli {

struct appraise_cli_options {
  std::string review;  ///< review.toml
  std::string format = "text";
  std::string traffic_light;     ///< robvis-style traffic-light plot: .svg, .pdf or .png
  std::string summary;           ///< robvis-style summary plot
  std::string summary_weighted;  ///< summary plot weighted by the [analysis] weights
  std::string forest_rob;        ///< forest plot of [analysis] with risk-of-bias columns
  bool allow_outside = false;
};

void setup_appraise(CLI::App& app);
void run_appraise_check(const appraise_cli_options& opt);

}  // namespace metasift::cli
