#pragma once
// `metasift screen review.toml [--audit FILE.csv] [--prisma-json FILE.json] [--prisma FILE.svg]`:
// run a review file end to end (review/screen.hpp) to PRISMA 2020 counts, diagram and audit trail.
#include <string>

namespace CLI {
class App;
}

namespace metasift::cli {

struct screen_cli_options {
  std::string review;       ///< review.toml
  std::string audit;        ///< audit CSV
  std::string prisma_json;  ///< PRISMA counts (PRISMA2020 keys)
  std::string prisma;       ///< flow diagram: .svg, .pdf or .png
  unsigned threads = 0;
  bool quiet = false;
};

void setup_screen(CLI::App& app);
void run_screen(const screen_cli_options& opt);

}  // namespace metasift::cli
