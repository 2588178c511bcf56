#pragma once
// `metasift trimfill FILE [options]`: Duval and Tweedie's trim-and-fill (estimators L0 and R0).
#include <string>

#include "common_options.hpp"
#include "figure_options.hpp"

namespace CLI {
class App;
}

namespace metasift::cli {

struct trimfill_cli_options {
  data_model_options data;
  std::string estimator = "L0";
  std::string side = "auto";
  int max_iterations = 100;
  figure_options funnel;  ///< --funnel FILE: observed studies filled, imputed ones hollow
  bool funnel_contours = false;
};

/// Registers the subcommand and its options on `app`; the subcommand calls run_trimfill when parsed.
void setup_trimfill(CLI::App& app);

/// Runs trim-and-fill and writes its output. Throws the library's exceptions on bad input.
void run_trimfill(const trimfill_cli_options& opt);

}  // namespace metasift::cli
