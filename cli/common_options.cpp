#include "common_options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <optional>

#include "metasift/core/check.hpp"
#include "metasift/core/version.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/pipeline/study_data.hpp"
#include "metasift/pipeline/study_inputs.hpp"
#include "metasift/pipeline/subset.hpp"

namespace metasift::cli {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

void add_data_model_options(CLI::App* sub, data_model_options& opt) {
  sub->add_option("file", opt.file, "Study data: CSV or TSV with a header row")->required();
  sub->add_option("--measure", opt.measure,
                  "Effect measure: MD SMD ROM OR RR RD PETO COR ZCOR PR PLO PAS PFT IRR IRD GEN "
                  "(default GEN when the table has a yi column)");
  sub->add_option("--method", opt.method, "EE (common effect) or a tau^2 estimator: DL REML ML PM HE SJ HS EB")
      ->capture_default_str();
  sub->add_option("--ci-method,--test", opt.ci_method,
                  "Test and CI (metafor's test): z, t, knha (or hk, Hartung-Knapp) or adhoc")
      ->transform(CLI::IsMember({"z", "t", "hk", "knha", "adhoc"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--pi-method", opt.pi_method,
                  "Prediction interval distribution: z, t_k1 or t_k2 (default from the convention)")
      ->transform(CLI::IsMember({"z", "t_k1", "t_k2"}, CLI::ignore_case));
  sub->add_option("--convention", opt.convention, "Defaults on which tools differ: metafor or stata")
      ->transform(CLI::IsMember({"metafor", "stata"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--md-variance", opt.md_variance, "MD sampling variance: separate (metafor) or pooled (Stata)")
      ->transform(CLI::IsMember({"separate", "pooled"}, CLI::ignore_case));
  sub->add_option("--smd-correction", opt.smd_correction, "SMD: exact (Hedges' g), approx, or none (Cohen's d)")
      ->transform(CLI::IsMember({"exact", "approx", "none"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--smd-variance", opt.smd_variance,
                  "SMD sampling variance: ls (large-sample, metafor's default) or ub (unbiased, vtype UB)")
      ->transform(CLI::IsMember({"ls", "ub"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--zero-cell", opt.zero_cell, "Continuity correction for 2x2 data: only0, all or none")
      ->transform(CLI::IsMember({"only0", "all", "none"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--add", opt.add, "Value of the continuity correction")->capture_default_str();
  sub->add_flag("--drop-double-zero", opt.drop_double_zero,
                "Drop 2x2 studies without events (or all events) in both arms");
  sub->add_option("--level", opt.level, "Confidence level, as 0.95 or 95")->capture_default_str();
  sub->add_option("--input-level", opt.input_level,
                  "Level of the CIs given as ci_lower/ci_upper (GEN input), as 0.95 or 95")
      ->capture_default_str();
  sub->add_option("--col", opt.columns, "Map a canonical column to the file's name: --col sd1=SD_treat (repeatable)");
  sub->add_option("--format", opt.format, "Output format: text, json or csv")
      ->transform(CLI::IsMember({"text", "json", "csv"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--out,-o", opt.out, "Write the output to this file (atomically) instead of stdout");
  sub->add_option("--decimals", opt.decimals, "Decimals in the text report")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  sub->add_option("--tau2", opt.tau2, "Fix tau^2 at this value instead of estimating it")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--subset", opt.subset,
                  "Analyse only the rows where a column comparison holds: 'year>=2000', 'region==\"Asia\"'");
}

std::string output_format(const data_model_options& opt) {
  return lower(opt.format);
}

prepared_data prepare(const data_model_options& opt) {
  io::check_paths({{"data", opt.file}}, {{"--out", opt.out}});
  // Options first, so that a usage error never waits on reading a large file.
  models::model_spec spec;
  const auto m = models::parse_method(opt.method);
  if (!m) fail_usage("--method", "unknown method '" + opt.method + "'");
  spec.est = *m;
  spec.test = models::parse_ci_method(opt.ci_method).value_or(models::ci_method::z);
  const models::level_reading lr = models::read_confidence_level(opt.level);
  if (!lr.problem.empty()) fail_usage("--level", lr.problem);
  spec.level = lr.level;
  if (opt.tau2 >= 0.0) spec.tau2_fixed = opt.tau2;

  effects::options eopt;
  const std::string smd = lower(opt.smd_correction), zero = lower(opt.zero_cell);
  eopt.smd = smd == "approx" ? effects::smd_correction::hedges_approx
             : smd == "none" ? effects::smd_correction::none
                             : effects::smd_correction::hedges_exact;
  eopt.smd_var = opt.smd_variance == "ub" ? effects::smd_variance::unbiased : effects::smd_variance::large_sample;
  eopt.zero = zero == "all"    ? effects::zero_cell::all
              : zero == "none" ? effects::zero_cell::none
                               : effects::zero_cell::only_zero;
  if (!(opt.add >= 0.0)) fail_usage("--add", "must not be negative");
  eopt.add = opt.add;
  eopt.drop_double_zero = opt.drop_double_zero;
  // The input CIs have their own level: --level is the level of the output.
  eopt.level = opt.input_level > 1.0 ? opt.input_level / 100.0 : opt.input_level;

  models::convention_overrides ov;
  if (!opt.md_variance.empty()) {
    ov.md_var = lower(opt.md_variance) == "pooled" ? effects::md_variance::pooled : effects::md_variance::separate;
  }
  if (!opt.pi_method.empty()) {
    const std::string pi = lower(opt.pi_method);
    ov.pi = pi == "z" ? models::pi_method::z : pi == "t_k1" ? models::pi_method::t_k1 : models::pi_method::t_k2;
  }
  const models::convention conv = models::parse_convention(opt.convention).value_or(models::convention::metafor);

  std::optional<pipeline::subset_expr> selection;
  if (!opt.subset.empty()) selection = pipeline::parse_subset(opt.subset);

  prepared_data d;
  d.resolved = models::resolve(conv, ov, eopt, spec);
  const auto cols = pipeline::parse_column_map(opt.columns);
  d.table = io::read_table(opt.file);
  if (d.table.rows.empty()) {
    fail_input(source_position{d.table.file, 1, 0}, "", "the table has a header but no study rows");
  }
  if (opt.measure.empty()) {
    d.measure = pipeline::infer_measure(d.table, cols);
  } else {
    const auto pm = effects::parse_measure(opt.measure);
    if (!pm) fail_usage("--measure", "unknown measure '" + opt.measure + "'");
    d.measure = *pm;
  }
  const pipeline::study_inputs inputs = pipeline::read_study_inputs(d.table, d.measure, cols);
  d.raw = inputs.raw;
  std::vector<bool> selected;
  if (selection) selected = pipeline::select_rows(d.table, *selection);
  d.effects = selection ? pipeline::compute_selected(d.measure, d.raw, selected, d.resolved.effect_opts)
                        : effects::compute(d.measure, d.raw, d.resolved.effect_opts);
  pipeline::explain_exclusions(d.effects, inputs);
  if (!opt.weights.empty()) d.weights = pipeline::read_weights(d.table, opt.weights, d.effects);

  report::meta_context& ctx = d.context;
  ctx.measure = d.measure;
  ctx.data_file = opt.file;
  ctx.conv = conv;
  ctx.conventions = d.resolved.described;
  if (!d.raw.columns_read.empty()) ctx.conventions.push_back(d.raw.columns_read);
  ctx.conventions.insert(ctx.conventions.end(), inputs.conversions.begin(), inputs.conversions.end());
  if (selection) {
    ctx.subset = selection->text;
    ctx.conventions.push_back(pipeline::describe_selection(*selection, selected));
  }
  if (!opt.weights.empty()) {
    ctx.weights = opt.weights;
    ctx.conventions.push_back("weights: user weights from column '" + opt.weights +
                              "' (metafor weights=); tau^2, QE, I^2 and H^2 do not use them");
  }
  ctx.study_inputs = pipeline::included_input_kinds(d.effects, inputs);
  ctx.excluded = d.effects.excluded;
  for (const auto& ex : d.effects.excluded) ctx.excluded_labels.push_back(d.raw.labels.at(ex.index));
  if (!d.effects.ni.empty()) ctx.harmonic_n = effects::harmonic_mean(d.effects.ni);
  ctx.decimals = opt.decimals;
  ctx.version = std::string(version());
  return d;
}

}  // namespace metasift::cli
