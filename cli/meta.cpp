#include "meta.hpp"

#include <CLI/CLI.hpp>

#include "metasift/core/check.hpp"
#include "metasift/core/version.hpp"
#include "metasift/effects/compute.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/convention.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/report/meta_report.hpp"
#include "output.hpp"
#include "registry.hpp"
#include "metasift/pipeline/study_data.hpp"

namespace metasift::cli {
namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty() || !out.empty()) out.push_back(cur);
  return out;
}

}  // namespace

namespace {
[[maybe_unused]] const bool registered = register_subcommand("meta", setup_meta);
}  // namespace

void setup_meta(CLI::App& app) {
  auto opt = std::make_shared<meta_options>();
  CLI::App* sub = app.add_subcommand("meta", "Pool the studies of one table (CSV/TSV) into a meta-analysis");
  sub->add_option("file", opt->file, "Study data: CSV or TSV with a header row")->required();
  sub->add_option("--measure", opt->measure,
                  "Effect measure: MD SMD ROM OR RR RD PETO COR ZCOR PR PLO PAS PFT IRR IRD GEN "
                  "(default GEN when the table has a yi column)");
  sub->add_option("--method", opt->method, "EE (common effect), MH, PETO, or a tau^2 estimator: DL REML ML PM HE SJ HS EB")
      ->capture_default_str();
  sub->add_option("--ci-method", opt->ci_method, "Test and CI of the pooled effect: z or hk (Hartung-Knapp)")
      ->check(CLI::IsMember({"z", "hk", "knha"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--pi-method", opt->pi_method,
                  "Prediction interval distribution: z, t_k1 or t_k2 (default from the convention)")
      ->check(CLI::IsMember({"z", "t_k1", "t_k2"}, CLI::ignore_case));
  sub->add_option("--convention", opt->convention, "Defaults on which tools differ: metafor or stata")
      ->check(CLI::IsMember({"metafor", "stata"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--md-variance", opt->md_variance, "MD sampling variance: separate (metafor) or pooled (Stata)")
      ->check(CLI::IsMember({"separate", "pooled"}, CLI::ignore_case));
  sub->add_option("--smd-correction", opt->smd_correction, "SMD: exact (Hedges' g), approx, or none (Cohen's d)")
      ->check(CLI::IsMember({"exact", "approx", "none"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--zero-cell", opt->zero_cell, "Continuity correction for 2x2 data: only0, all or none")
      ->check(CLI::IsMember({"only0", "all", "none"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--add", opt->add, "Value of the continuity correction")->capture_default_str();
  sub->add_flag("--drop-double-zero", opt->drop_double_zero, "Drop 2x2 studies without events (or all events) in both arms");
  sub->add_option("--level", opt->level, "Confidence level, as 0.95 or 95")->capture_default_str();
  sub->add_option("--col", opt->columns, "Map a canonical column to the file's name: --col sd1=SD_treat (repeatable)");
  sub->add_option("--group-names", opt->group_names, "Names of the two groups, comma-separated, for the report");
  sub->add_option("--format", opt->format, "Output format: text, json or csv")
      ->check(CLI::IsMember({"text", "json", "csv"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--out,-o", opt->out, "Write the output to this file (atomically) instead of stdout");
  sub->add_option("--decimals", opt->decimals, "Decimals in the text report")->check(CLI::Range(0, 10))->capture_default_str();
  sub->add_flag("--no-tau2-ci", opt->no_tau2_ci, "Skip the Q-profile confidence interval for tau^2");
  sub->add_option("--tau2", opt->tau2, "Fix tau^2 at this value instead of estimating it")->check(CLI::NonNegativeNumber);
  sub->callback([opt]() { run_meta(*opt); });
}

void run_meta(const meta_options& opt) {
  // Options first, so that a usage error never waits on reading a large file.
  models::model_spec spec;
  const auto m = models::parse_method(opt.method);
  if (!m) fail_usage("--method", "unknown method '" + opt.method + "'");
  spec.est = *m;
  spec.test = (opt.ci_method == "z" || opt.ci_method == "Z") ? models::ci_method::z : models::ci_method::hk;
  spec.level = opt.level > 1.0 ? opt.level / 100.0 : opt.level;
  if (!(spec.level > 0.0 && spec.level < 1.0)) fail_usage("--level", "must lie strictly between 0 and 1 (or 0 and 100)");
  spec.tau2_ci = !opt.no_tau2_ci;
  if (opt.tau2 >= 0.0) spec.tau2_fixed = opt.tau2;

  effects::options eopt;
  eopt.smd = opt.smd_correction == "approx" ? effects::smd_correction::hedges_approx
             : opt.smd_correction == "none" ? effects::smd_correction::none
                                            : effects::smd_correction::hedges_exact;
  eopt.zero = opt.zero_cell == "all" ? effects::zero_cell::all
              : opt.zero_cell == "none" ? effects::zero_cell::none
                                        : effects::zero_cell::only_zero;
  if (!(opt.add >= 0.0)) fail_usage("--add", "must not be negative");
  eopt.add = opt.add;
  eopt.drop_double_zero = opt.drop_double_zero;
  eopt.level = spec.level;

  models::convention_overrides ov;
  if (!opt.md_variance.empty()) {
    ov.md_var = opt.md_variance == "pooled" ? effects::md_variance::pooled : effects::md_variance::separate;
  }
  if (!opt.pi_method.empty()) {
    ov.pi = opt.pi_method == "z" ? models::pi_method::z
            : opt.pi_method == "t_k1" ? models::pi_method::t_k1
                                      : models::pi_method::t_k2;
  }
  const models::convention conv = models::parse_convention(opt.convention).value_or(models::convention::metafor);
  const models::resolved_options ro = models::resolve(conv, ov, eopt, spec);

  const auto cols = pipeline::parse_column_map(opt.columns);
  const io::table t = io::read_table(opt.file);
  if (t.rows.empty()) fail_input(source_position{t.file, 1, 0}, "", "the table has a header but no study rows");
  effects::measure measure;
  if (opt.measure.empty()) {
    measure = pipeline::infer_measure(t, cols);
  } else {
    const auto pm = effects::parse_measure(opt.measure);
    if (!pm) fail_usage("--measure", "unknown measure '" + opt.measure + "'");
    measure = *pm;
  }
  const effects::raw_data raw = pipeline::extract(t, measure, cols);
  const effects::effect_table table = effects::compute(measure, raw, ro.effect_opts);
  const models::meta_result result = models::fit(table, ro.spec);

  report::meta_context ctx;
  ctx.measure = measure;
  ctx.data_file = opt.file;
  ctx.conv = conv;
  ctx.conventions = ro.described;
  ctx.data_columns = pipeline::data_columns(t, table, cols, split_list(opt.group_names));
  ctx.excluded = table.excluded;
  for (const auto& ex : table.excluded) ctx.excluded_labels.push_back(raw.labels.at(ex.index));
  if (!table.ni.empty()) ctx.harmonic_n = effects::harmonic_mean(table.ni);
  ctx.decimals = opt.decimals;
  ctx.version = std::string(version());

  std::string text;
  if (opt.format == "json") {
    text = report::format_json(result, ctx);
  } else if (opt.format == "csv") {
    text = report::format_csv(result, ctx);
  } else {
    text = report::format_text(result, ctx);
  }
  emit(opt.out, text);
}

}  // namespace metasift::cli
