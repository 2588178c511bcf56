#pragma once
// `metasift search FILES... --query '...' [--dialect generic|pubmed|scopus|wos]`: re-apply a
// database search string offline to imported records (review/query.hpp).
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace metasift::cli {

struct search_cli_options {
  std::vector<std::string> files;
  std::string query;
  std::string dialect = "generic";
  std::string format = "json";  ///< json or csv
  std::string out;
  bool lint = false;  ///< only parse and lint the query
  bool quiet = false;
};

void setup_search(CLI::App& app);
void run_search(const search_cli_options& opt);

}  // namespace metasift::cli
