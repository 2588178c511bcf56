#pragma once
// `metasift init DIR`: scaffold a review project (a commented review.toml, records/, data/,
// decisions.csv); never overwrites an existing review.toml.
#include <string>

namespace CLI {
class App;
}

namespace metasift::cli {

struct init_cli_options {
  std::string dir;
};

void setup_init(CLI::App& app);
void run_init(const init_cli_options& opt);

}  // namespace metasift::cli
