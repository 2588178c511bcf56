#include "prisma.hpp"

#include <CLI/CLI.hpp>
#include <memory>

#include "metasift/core/check.hpp"
#include "metasift/diagrams/prisma.hpp"
#include "metasift/io/file.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/review/prisma.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {

namespace {
[[maybe_unused]] const bool registered = register_subcommand("prisma", setup_prisma);
}  // namespace

void setup_prisma(CLI::App& app) {
  auto opt = std::make_shared<prisma_cli_options>();
  CLI::App* sub = app.add_subcommand(
      "prisma", "Check PRISMA 2020 counts (JSON with PRISMA2020 keys) add up, and draw the flow diagram");
  sub->add_option("counts", opt->counts, "PRISMA counts as JSON (e.g. from metasift screen --prisma-json)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--out,-o", opt->out, "Write the flow diagram (.svg, .pdf or .png)");
  sub->callback([opt]() { run_prisma(*opt); });
}

void run_prisma(const prisma_cli_options& opt) {
  io::check_paths({{"counts", opt.counts}}, {{"--out", opt.out}});
  const review::prisma_counts c = review::parse_prisma_json(io::read_file(opt.counts), opt.counts);
  const auto violations = review::prisma_violations(c);
  if (!violations.empty()) {
    std::string m;
    for (const auto& v : violations) m += (m.empty() ? "" : "; ") + v;
    fail_input(source_position{opt.counts, 0, 0}, "PRISMA counts do not add up", m);
  }
  if (!opt.out.empty()) diagrams::write_prisma_diagram(c, opt.out);
  emit("", review::format_prisma_text(c));
}

}  // namespace metasift::cli
