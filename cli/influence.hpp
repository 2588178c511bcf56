#pragma once
// `metasift influence FILE [options]`: leave-one-out estimates and case-deletion diagnostics.
#include "common_options.hpp"
#include "figure_options.hpp"

namespace CLI {
class App;
}

namespace metasift::cli {

struct influence_options {
  data_model_options data;
  figure_options baujat;  ///< --baujat FILE
};

/// Registers the subcommand and its options on `app`; the subcommand calls run_influence when parsed.
void setup_influence(CLI::App& app);

/// Runs the leave-one-out analysis and writes its output. Throws the library's exceptions on bad input.
void run_influence(const influence_options& opt);

}  // namespace metasift::cli
