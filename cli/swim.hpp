#pragma once
// `metasift swim FILE [--by COL] [--format text|json|csv] [--out FILE]`: synthesis without
// meta-analysis of a table with one row per study and outcome domain (synthesis/swim.hpp):
// effect-direction counts, vote counting with the sign test, summary statistics of the effects and
// Fisher's and Stouffer's combined p-values, per outcome domain.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace metasift::cli {

struct swim_options {
  std::string file;
  std::string by = "outcome_domain";  ///< the column that names the outcome domain
  std::vector<std::string> columns;   ///< --col canonical=actual
  double level = 0.95;
  std::string format = "text";
  std::string out;
  int decimals = 2;
};

void setup_swim(CLI::App& app);
void run_swim(const swim_options& opt);

}  // namespace metasift::cli
