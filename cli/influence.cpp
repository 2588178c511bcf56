#include "influence.hpp"

#include <CLI/CLI.hpp>
#include <memory>

#include "metasift/analyses/influence.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/plot/funnel.hpp"
#include "metasift/report/analyses_report.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {
namespace {
[[maybe_unused]] const bool registered = register_subcommand("influence", setup_influence);
}  // namespace

void setup_influence(CLI::App& app) {
  auto opt = std::make_shared<influence_options>();
  CLI::App* sub = app.add_subcommand(
      "influence", "Leave-one-out estimates and influence diagnostics (rstudent, DFFITS, Cook's D, hat, DFBETAS)");
  add_data_model_options(sub, opt->data);
  add_figure_options(sub, opt->baujat, "--baujat",
                     "Write a Baujat plot (contribution to heterogeneity against influence on the estimate)");
  sub->callback([opt]() { run_influence(*opt); });
}

void run_influence(const influence_options& opt) {
  check_figure_options(opt.baujat, "--baujat");
  io::check_paths({{"data", opt.data.file}}, {{"--out", opt.data.out}, {"--baujat", opt.baujat.path}});
  const prepared_data d = prepare(opt.data);
  const analyses::influence_result r =
      analyses::influence(d.effects.yi, d.effects.vi, d.effects.labels, d.resolved.spec);
  const report::output_format format = output_format(opt.data);
  if (!opt.baujat.path.empty()) {
    plot::baujat_input in = plot::make_baujat_input(r);
    in.title = opt.baujat.title;
    write_figure(plot::build_baujat(in).drawing, opt.baujat);
  }
  emit(opt.data.out, format == report::output_format::json  ? report::format_json(r, d.context)
                     : format == report::output_format::csv ? report::format_csv(r, d.context)
                                                            : report::format_text(r, d.context));
}

}  // namespace metasift::cli
