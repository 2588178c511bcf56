#include "swim.hpp"

#include <CLI/CLI.hpp>
#include <memory>

#include "metasift/core/check.hpp"
#include "metasift/core/text.hpp"
#include "metasift/core/version.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/spec.hpp"
#include "metasift/synthesis/swim.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {
namespace {

[[maybe_unused]] const bool registered = register_subcommand("swim", setup_swim);

/// --col canonical=actual for the columns of synthesis::swim_columns.
synthesis::swim_columns column_names(const swim_options& opt) {
  synthesis::swim_columns cols;
  cols.domain = opt.by;
  for (const auto& spec : opt.columns) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      fail_usage("--col", "expected canonical=actual (e.g. direction=effect_direction), got '" + spec + "'");
    }
    const std::string key = text::ascii_lower(text::trim(std::string_view(spec).substr(0, eq)));
    const std::string value(text::trim(std::string_view(spec).substr(eq + 1)));
    if (key == "study") {
      cols.study = value;
    } else if (key == "outcome_domain" || key == "domain") {
      fail_usage("--col", "the outcome domain column is set with --by");
    } else if (key == "direction") {
      cols.direction = value;
    } else if (key == "n") {
      cols.n = value;
    } else if (key == "p") {
      cols.p = value;
    } else if (key == "effect") {
      cols.effect = value;
    } else if (key == "rob") {
      cols.rob = value;
    } else {
      fail_usage("--col", "unknown column '" + key + "' (expected study, direction, n, p, effect or rob)");
    }
  }
  return cols;
}

}  // namespace

void setup_swim(CLI::App& app) {
  auto opt = std::make_shared<swim_options>();
  CLI::App* sub = app.add_subcommand(
      "swim", "Synthesis without meta-analysis: effect direction, vote counting, effect summaries, combined p-values");
  sub->add_option("file", opt->file, "CSV/TSV with study, outcome_domain, direction and optional n, p, effect, rob")
      ->required();
  sub->add_option("--by", opt->by, "Column that names the outcome domain")->capture_default_str();
  sub->add_option("--col", opt->columns,
                  "Map a column: --col direction=effect_dir (study, direction, n, p, effect, rob; repeatable)");
  sub->add_option("--level", opt->level, "Confidence level of the vote count's CI, as 0.95 or 95")
      ->capture_default_str();
  sub->add_option("--format", opt->format, "Output format: text, json or csv")
      ->transform(CLI::IsMember({"text", "json", "csv"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--out,-o", opt->out, "Write the output to this file (atomically) instead of stdout");
  sub->add_option("--decimals", opt->decimals, "Decimals in the text report")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  sub->callback([opt]() { run_swim(*opt); });
}

void run_swim(const swim_options& opt) {
  // Options first, so that a usage error never waits on reading a file.
  const models::level_reading lr = models::read_confidence_level(opt.level);
  if (!lr.problem.empty()) fail_usage("--level", lr.problem);
  if (text::trim(opt.by).empty()) fail_usage("--by", "the outcome domain column must not be empty");
  const synthesis::swim_columns cols = column_names(opt);
  io::check_paths({{"data", opt.file}}, {{"--out", opt.out}});
  const io::table t = io::read_table(opt.file);
  const synthesis::swim_data data = synthesis::read_swim_table(t, cols);
  synthesis::swim_options so;
  so.level = lr.level;
  const synthesis::swim_result r = synthesis::synthesize(data, so);
  const std::string format = text::ascii_lower(opt.format);
  emit(opt.out, format == "json"  ? synthesis::format_json(r, version())
                : format == "csv" ? synthesis::format_csv(r)
                                  : synthesis::format_text(r, version(), opt.decimals));
}

}  // namespace metasift::cli
