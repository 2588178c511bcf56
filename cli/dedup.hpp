#pragma once
// `metasift dedup FILES... --decisions FILE.csv [--out FILE]`: find duplicate records across
// database exports (review/dedup.hpp) and write one decision per input record.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace metasift::cli {

struct dedup_cli_options {
  std::vector<std::string> files;
  std::string decisions;        ///< decisions CSV (required)
  std::string out;              ///< the kept records; empty = not written
  std::string format = "json";  ///< of --out: json, csv or ris
  std::string database;         ///< database name for records whose export does not say
  unsigned threads = 0;         ///< 0 = all cores
  bool quiet = false;
};

void setup_dedup(CLI::App& app);
void run_dedup(const dedup_cli_options& opt);

}  // namespace metasift::cli
