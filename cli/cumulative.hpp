#pragma once
// `metasift cumulative FILE [options]`: cumulative meta-analysis in the order of a column.
#include <string>

#include "common_options.hpp"
#include "figure_options.hpp"

namespace CLI {
class App;
}

namespace metasift::cli {

struct cumulative_options {
  data_model_options data;
  std::string order;  ///< column to sort by (stable); empty: data order
  bool decreasing = false;
  figure_options forest;  ///< --forest FILE: the cumulative forest plot
};

/// Registers the subcommand and its options on `app`; the subcommand calls run_cumulative when parsed.
void setup_cumulative(CLI::App& app);

/// Runs the cumulative analysis and writes its output. Throws the library's exceptions on bad input.
void run_cumulative(const cumulative_options& opt);

}  // namespace metasift::cli
