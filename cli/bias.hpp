#pragma once
// `metasift bias FILE [options]`: small-study effects and publication bias (Egger classical and
// mixed-effects, Begg-Mazumdar, fail-safe N, PET and PEESE).
#include <optional>

#include "common_options.hpp"

namespace CLI {
class App;
}

namespace metasift::cli {

struct bias_options {
  data_model_options data;
  double fsn_alpha = 0.05;
  std::optional<double> orwin_target;  ///< default: half the mean effect
};

/// Registers the subcommand and its options on `app`; the subcommand calls run_bias when parsed.
void setup_bias(CLI::App& app);

/// Runs the tests and writes their output. Throws the library's exceptions on bad input.
void run_bias(const bias_options& opt);

}  // namespace metasift::cli
