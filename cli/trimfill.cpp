#include "trimfill.hpp"

#include <CLI/CLI.hpp>
#include <memory>

#include "metasift/analyses/trimfill.hpp"
#include "metasift/core/check.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/plot/funnel.hpp"
#include "metasift/report/analyses_report.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {
namespace {
[[maybe_unused]] const bool registered = register_subcommand("trimfill", setup_trimfill);
}  // namespace

void setup_trimfill(CLI::App& app) {
  auto opt = std::make_shared<trimfill_cli_options>();
  CLI::App* sub = app.add_subcommand(
      "trimfill", "Trim-and-fill: estimate and fill the studies missing from one side of the funnel");
  add_data_model_options(sub, opt->data);
  sub->add_option("--estimator", opt->estimator, "Estimator of the number of missing studies: L0 or R0")
      ->transform(CLI::IsMember({"L0", "R0"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--side", opt->side,
                  "Side of the missing studies: auto (from the sign of Egger's slope), left or right")
      ->transform(CLI::IsMember({"auto", "left", "right"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--max-iterations", opt->max_iterations,
                  "Iterations of the trim-and-fill algorithm (metafor maxiter)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_figure_options(sub, opt->funnel, "--funnel",
                     "Write a funnel plot with the filled studies as hollow points and the adjusted estimate");
  sub->add_flag("--funnel-contours", opt->funnel_contours, "Shade the funnel plot where p < .10, .05 and .01");
  sub->callback([opt]() { run_trimfill(*opt); });
}

void run_trimfill(const trimfill_cli_options& opt) {
  analyses::trimfill_options to;
  const auto est = analyses::parse_trimfill_estimator(opt.estimator);
  if (!est) fail_usage("--estimator", "expected L0 or R0, got '" + opt.estimator + "'");
  const auto side = analyses::parse_trimfill_side(opt.side);
  if (!side) fail_usage("--side", "expected auto, left or right, got '" + opt.side + "'");
  to.estimator = *est;
  to.side = *side;
  to.max_iterations = opt.max_iterations;
  check_figure_options(opt.funnel, "--funnel");
  io::check_paths({{"data", opt.data.file}}, {{"--out", opt.data.out}, {"--funnel", opt.funnel.path}});
  const prepared_data d = prepare(opt.data);
  const analyses::trimfill_result r =
      analyses::trim_and_fill(d.effects.yi, d.effects.vi, d.effects.labels, d.resolved.spec, to);
  const report::output_format format = output_format(opt.data);
  if (!opt.funnel.path.empty()) {
    plot::funnel_input in = plot::make_funnel_input(r, d.measure);
    in.contours = opt.funnel_contours;
    in.title = opt.funnel.title;
    write_figure(plot::build_funnel(in).drawing, opt.funnel);
  }
  emit(opt.data.out, format == report::output_format::json  ? report::format_json(r, d.context)
                     : format == report::output_format::csv ? report::format_csv(r, d.context)
                                                            : report::format_text(r, d.context));
}

}  // namespace metasift::cli
