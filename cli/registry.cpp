#include "registry.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace metasift::cli {
namespace {

std::vector<std::pair<std::string, setup_fn>>& registry() {
  static std::vector<std::pair<std::string, setup_fn>> commands;  // function-local: safe at static init
  return commands;
}

}  // namespace

bool register_subcommand(const char* name, setup_fn setup) {
  registry().emplace_back(name, setup);
  return true;
}

void setup_all(CLI::App& app) {
  auto commands = registry();
  std::sort(commands.begin(), commands.end());
  for (const auto& [name, setup] : commands) setup(app);
}

}  // namespace metasift::cli
