#pragma once
// `metasift run review.toml --out DIR [--allow-outside] [--dpi N] [--date TEXT] [--previous DIR] [--quiet]`: the
// whole review from one file (run/run.hpp): screening, analyses, figures, results.json,
// screening.csv, prisma.json and a self-contained report.html, written atomically as a folder.
#include <string>

namespace CLI {
class App;
}

namespace metasift::cli {

struct run_cli_options {
  std::string review;
  std::string out;
  bool allow_outside = false;
  double dpi = 300.0;
  std::string date;      ///< shown under the report title; none by default, so reruns give the same bytes
  std::string previous;  ///< results folder of an earlier run (an update of the review)
  unsigned threads = 0;
  bool quiet = false;
};

void setup_run(CLI::App& app);
void run_run(const run_cli_options& opt);

}  // namespace metasift::cli
