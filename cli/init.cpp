#include "init.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "metasift/run/run.hpp"
#include "registry.hpp"

namespace metasift::cli {

namespace {
[[maybe_unused]] const bool registered = register_subcommand("init", setup_init);
}  // namespace

void setup_init(CLI::App& app) {
  auto opt = std::make_shared<init_cli_options>();
  CLI::App* sub =
      app.add_subcommand("init", "Create a new review project: a commented review.toml, folders and a data template");
  sub->add_option("dir", opt->dir, "Project folder (created if missing)")->required();
  sub->callback([opt]() { run_init(*opt); });
}

void run_init(const init_cli_options& opt) {
  const auto created = run::init_project(opt.dir);
  for (const auto& f : created) std::printf("created %s/%s\n", opt.dir.c_str(), f.c_str());
  std::printf(
      "next: put your database exports in %s/records/, edit %s/review.toml, then run\n"
      "  metasift run %s/review.toml --out %s/report\n",
      opt.dir.c_str(), opt.dir.c_str(), opt.dir.c_str(), opt.dir.c_str());
}

}  // namespace metasift::cli
