#pragma once
// `metasift prisma COUNTS.json [--out FILE.svg|pdf|png]`: check hand-made PRISMA 2020 counts
// (PRISMA2020 R package keys, as `screen --prisma-json` writes them) and draw the flow diagram.
#include <string>

namespace CLI {
class App;
}

namespace metasift::cli {

struct prisma_cli_options {
  std::string counts;
  std::string out;
};

void setup_prisma(CLI::App& app);
void run_prisma(const prisma_cli_options& opt);

}  // namespace metasift::cli
