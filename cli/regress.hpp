#pragma once
// `metasift regress FILE --moderator COL [...]`: mixed-effects meta-regression (metafor's rma with
// mods), with dummy-coded categorical moderators and optional permutation p-values.
#include <cstdint>
#include <string>
#include <vector>

#include "common_options.hpp"
#include "figure_options.hpp"

namespace CLI {
class App;
}

namespace metasift::cli {

struct regress_options {
  data_model_options data;
  std::vector<std::string> moderators;   ///< --moderator COL (repeatable, in model order)
  std::vector<std::string> categorical;  ///< --categorical COL: dummy-code even when numeric
  bool no_intercept = false;
  int permutations = 0;  ///< --permutations N (0: none)
  std::uint64_t seed = 1;
  figure_options bubble;         ///< --bubble FILE
  std::string bubble_moderator;  ///< --bubble-moderator COL (default: the first numeric moderator)
};

/// Registers the subcommand and its options on `app`; the subcommand calls run_regress when parsed.
void setup_regress(CLI::App& app);

/// Fits the meta-regression and writes its output. Throws the library's exceptions on bad input.
void run_regress(const regress_options& opt);

}  // namespace metasift::cli
