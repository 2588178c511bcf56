#pragma once
// `metasift extract check review.toml [--format text|json]`: validates the extraction files of a
// review against its codebook ([extraction] in review.toml, review/extraction.hpp), and lists the
// discrepancies between extractors and the included records without a row.
#include <string>

namespace CLI {
class App;
}

namespace metasift::cli {

struct extract_check_options {
  std::string review;           ///< review.toml
  std::string format = "text";  ///< text | json
  std::string out;              ///< output file; empty = stdout
  unsigned threads = 0;         ///< deduplication threads of the screening run
  bool allow_outside = false;   ///< accept paths outside the review folder
};

void setup_extract(CLI::App& app);
void run_extract_check(const extract_check_options& opt);

}  // namespace metasift::cli
