#include "conflicts.hpp"

#include <CLI/CLI.hpp>
#include <memory>

#include "metasift/core/check.hpp"
#include "metasift/report/output_format.hpp"
#include "metasift/review/conflicts.hpp"
#include "metasift/review/review_file.hpp"
#include "metasift/review/screen.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {

namespace {
[[maybe_unused]] const bool registered = register_subcommand("conflicts", setup_conflicts);
}  // namespace

void setup_conflicts(CLI::App& app) {
  auto opt = std::make_shared<conflicts_cli_options>();
  CLI::App* sub = app.add_subcommand(
      "conflicts", "List the open conflicts between reviewers; the CSV, filled in, is the adjudication file");
  sub->add_option("review", opt->review, "The review file (TOML)")->required()->check(CLI::ExistingFile);
  sub->add_option("--stage", opt->stage, "Only this stage")
      ->transform(CLI::IsMember({"title-abstract", "full-text"}, CLI::ignore_case));
  sub->add_option("--format", opt->format, "text, csv (an adjudication file to fill in) or json")
      ->transform(CLI::IsMember({"text", "csv", "json"}, CLI::ignore_case));
  sub->add_flag("--reasons", opt->reasons, "Also list records with the same decision and different reasons");
  sub->add_option("--threads", opt->threads, "Deduplication threads (0 = all cores)")->check(CLI::Range(0U, 256U));
  sub->callback([opt]() { run_conflicts(*opt); });
}

void run_conflicts(const conflicts_cli_options& opt) {
  const auto parsed = report::parse_output_format(opt.format);
  if (!parsed) fail_usage("--format", "expected text, csv or json, got '" + opt.format + "'");
  const report::output_format format = *parsed;
  const review::review_spec spec = review::load_review_file(opt.review);
  review::screen_options so;
  so.dedup.threads = opt.threads;
  const review::screen_result res = review::run_screening(spec, so);
  review::conflict_filter f;
  if (!opt.stage.empty()) {
    f.stage = review::parse_screening_stage(opt.stage);
    if (!f.stage) fail_usage("--stage", "expected title-abstract or full-text, got '" + opt.stage + "'");
  }
  f.reason_differences = opt.reasons;
  const auto list = review::open_conflicts(res, f);
  if (format == report::output_format::csv) {
    emit("", review::format_conflicts_csv(res, list));
  } else if (format == report::output_format::json) {
    emit("", review::format_conflicts_json(res, list));
  } else {
    emit("", review::format_conflicts_text(res, list));
  }
}

}  // namespace metasift::cli
