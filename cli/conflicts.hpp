#pragma once
// `metasift conflicts review.toml [--stage title-abstract|full-text] [--format text|csv|json]`:
// the open conflicts of a screening team (review/conflicts.hpp); the CSV, filled in, is an
// adjudication file.
#include <string>

namespace CLI {
class App;
}

namespace metasift::cli {

struct conflicts_cli_options {
  std::string review;
  std::string stage;            ///< empty: both
  std::string format = "text";  ///< text | csv | json
  bool reasons = false;         ///< also same-decision, different-reason records
  unsigned threads = 0;
};

void setup_conflicts(CLI::App& app);
void run_conflicts(const conflicts_cli_options& opt);

}  // namespace metasift::cli
