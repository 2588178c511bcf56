#include "appraise.hpp"

#include <CLI/CLI.hpp>
#include <memory>

#include "metasift/core/check.hpp"
#include "metasift/diagrams/appraisal.hpp"
#include "metasift/io/file.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/report/output_format.hpp"
#include "metasift/review/appraisal.hpp"
#include "metasift/review/review_file.hpp"
#include "metasift/review/screen.hpp"
#include "metasift/run/run.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {

namespace {
[[maybe_unused]] const bool registered = register_subcommand("appraise", setup_appraise);
}  // namespace

void setup_appraise(CLI::App& app) {
  CLI::App* sub =
      app.add_subcommand("appraise", "Risk of bias and study quality: RoB 2, ROBINS-I, MMAT 2018, NOS, ...");
  sub->require_subcommand(1);
  auto opt = std::make_shared<appraise_cli_options>();
  CLI::App* check = sub->add_subcommand(
      "check", "Validate the judgement files of [appraisal], list disagreements and included studies not assessed");
  check->add_option("review", opt->review, "The review file (TOML)")->required()->check(CLI::ExistingFile);
  check->add_option("--format", opt->format, "Output: text or json")
      ->transform(CLI::IsMember({"text", "json"}, CLI::ignore_case));
  check->add_option("--traffic-light", opt->traffic_light,
                    "Write the traffic-light plot (studies x domains and the overall judgement): .svg, .pdf or .png");
  check->add_option("--summary", opt->summary,
                    "Write the summary plot (share of studies at each judgement per domain)");
  check->add_option("--summary-weighted", opt->summary_weighted,
                    "Write the summary plot weighted by the meta-analysis weights of [analysis] (robvis weighted)");
  check->add_option("--forest-rob", opt->forest_rob,
                    "Write the forest plot of [analysis] with a risk-of-bias column per domain: .svg, .pdf or .png");
  check->add_flag("--allow-outside", opt->allow_outside,
                  "With --summary-weighted/--forest-rob: accept paths in review.toml outside its folder");
  check->callback([opt]() { run_appraise_check(*opt); });
}

void run_appraise_check(const appraise_cli_options& opt) {
  const auto format = report::parse_output_format(opt.format);
  if (!format || *format == report::output_format::csv) {
    fail_usage("--format", "expected text or json, got '" + opt.format + "'");
  }
  const bool json = *format == report::output_format::json;
  io::check_paths({{"review", opt.review}}, {{"--traffic-light", opt.traffic_light},
                                             {"--summary", opt.summary},
                                             {"--summary-weighted", opt.summary_weighted},
                                             {"--forest-rob", opt.forest_rob}});
  const review::review_spec spec = review::load_review_file(opt.review);
  const auto appraisal = review::load_appraisal(spec);
  if (!appraisal) fail_input({spec.file.string(), 1, 1}, "", "the review file has no [appraisal] table");
  const review::screen_result screening = review::run_screening(spec);
  const review::included_records inc = review::included_of(screening);
  auto read = [&](const review::appraisal_spec::file_ref& f) {
    const std::string label = (spec.dir / f.label).lexically_normal().string();
    return review::parse_judgements(io::read_file(f.path), label, appraisal->tool, inc);
  };
  std::vector<std::vector<review::appraisal_row>> rows;
  for (const auto& f : appraisal->assessors) rows.push_back(read(f));
  std::optional<std::vector<review::appraisal_row>> consensus;
  if (appraisal->consensus) consensus = read(*appraisal->consensus);
  const review::appraisal_check c = review::check_appraisal(*appraisal, rows, consensus, inc);
  if (!opt.traffic_light.empty()) diagrams::write_traffic_light_plot(*appraisal, c, opt.traffic_light);
  if (!opt.summary.empty()) diagrams::write_summary_plot(*appraisal, c, opt.summary);
  if (!opt.summary_weighted.empty() || !opt.forest_rob.empty()) {
    // These need the meta-analysis weights: the whole run, in memory.
    run::run_options ro;
    ro.review = opt.review;
    ro.allow_outside = opt.allow_outside;
    const run::run_outputs out = run::compute_run(ro);
    if (!out.meta)
      fail_input({spec.file.string(), 1, 1}, "", "--summary-weighted and --forest-rob need an [analysis] table");
    if (!opt.summary_weighted.empty()) run::write_run_figure(out, "rob-summary-weighted", opt.summary_weighted);
    if (!opt.forest_rob.empty()) run::write_run_figure(out, "forest-rob", opt.forest_rob);
  }
  emit("", json ? review::format_appraisal_json(*appraisal, c) : review::format_appraisal_text(*appraisal, c));
}

}  // namespace metasift::cli
