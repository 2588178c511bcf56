#pragma once
// `metasift gwas FILES... --out FILE`: per-variant meta-analysis of GWAS summary statistics.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace metasift::cli {

struct gwas_cli_options {
  std::vector<std::string> files;
  std::string out;
  std::vector<std::string> columns;  ///< --col SNP=MarkerName
  std::string random;                ///< "", DL or REML
  std::string scheme = "stderr";
  std::string merge = "auto";
  std::string region;
  int threads = 1;
  bool sync = false;
  bool quiet = false;
};

void setup_gwas(CLI::App& app);
void run_gwas(const gwas_cli_options& opt);

}  // namespace metasift::cli
