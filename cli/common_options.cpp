#include "common_options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <map>

#include "metasift/core/check.hpp"
#include "metasift/core/version.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/pipeline/study_data.hpp"
#include "metasift/pipeline/study_inputs.hpp"
#include "metasift/pipeline/subset.hpp"

namespace metasift::cli {
void add_data_model_options(CLI::App* sub, data_model_options& opt) {
  sub->add_option("file", opt.file, "Study data: CSV or TSV with a header row")->required();
  sub->add_option("--measure", opt.measure,
                  "Effect measure: MD SMD ROM OR RR RD PETO COR ZCOR PR PLO PAS PFT IRR IRD SMCC SMCR MN CVR VR GEN "
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
  sub->add_option("--fivenum-method", opt.fivenum_method,
                  "SD of a group given as min, q1, median, q3 and max: shi2020 (Shi et al. 2020) or wan2014 "
                  "(Wan et al. 2014)")
      ->transform(CLI::IsMember({"shi2020", "wan2014"}, CLI::ignore_case))
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

report::output_format output_format(const data_model_options& opt) {
  return format_from(opt.format);
}

report::output_format format_from(const std::string& format) {
  const auto f = report::parse_output_format(format);
  if (!f) fail_usage("--format", "expected text, json or csv, got '" + format + "'");
  return *f;
}

pipeline::analysis_settings settings_from(const model_option_values& v) {
  pipeline::analysis_settings s;
  if (!v.measure.empty()) {
    s.measure = effects::parse_measure(v.measure);
    if (!s.measure) fail_usage("--measure", "unknown measure '" + v.measure + "'");
  }
  const auto m = models::parse_method(v.method);
  if (!m) fail_usage("--method", "unknown method '" + v.method + "'");
  s.method = *m;
  const auto ci = models::parse_ci_method(v.ci_method);
  if (!ci) fail_usage("--ci-method", "expected z, t, knha (or hk) or adhoc, got '" + v.ci_method + "'");
  s.ci = *ci;
  if (!v.pi_method.empty()) {
    s.pi = models::parse_pi_method(v.pi_method);
    if (!s.pi) fail_usage("--pi-method", "expected z, t_k1 or t_k2, got '" + v.pi_method + "'");
  }
  const auto conv = models::parse_convention(v.convention);
  if (!conv) fail_usage("--convention", "expected metafor or stata, got '" + v.convention + "'");
  s.conv = *conv;
  if (!v.md_variance.empty()) {
    s.md_var = effects::parse_md_variance(v.md_variance);
    if (!s.md_var) fail_usage("--md-variance", "expected separate or pooled, got '" + v.md_variance + "'");
  }
  const auto smd = effects::parse_smd_correction(v.smd_correction);
  if (!smd) fail_usage("--smd-correction", "expected exact, approx or none, got '" + v.smd_correction + "'");
  s.smd = *smd;
  const auto smd_var = effects::parse_smd_variance(v.smd_variance);
  if (!smd_var) fail_usage("--smd-variance", "expected ls or ub, got '" + v.smd_variance + "'");
  s.smd_var = *smd_var;
  const auto zero = effects::parse_zero_cell(v.zero_cell);
  if (!zero) fail_usage("--zero-cell", "expected only0, all or none, got '" + v.zero_cell + "'");
  s.zero = *zero;
  s.add = v.add;
  s.drop_double_zero = v.drop_double_zero;
  s.level = v.level;
  s.input_level = v.input_level;
  if (v.tau2 >= 0.0) s.tau2_fixed = v.tau2;
  s.subset = v.subset;
  s.weights = v.weights;
  s.decimals = v.decimals;
  const auto fivenum = effects::parse_five_number_sd(v.fivenum_method);
  if (!fivenum) fail_usage("--fivenum-method", "expected shi2020 or wan2014, got '" + v.fivenum_method + "'");
  s.fivenum_method = *fivenum;
  // The library names its settings; the command line names its flags.
  static const std::map<std::string, std::string> flag_of{{"level", "--level"},
                                                          {"input_level", "--input-level"},
                                                          {"add", "--add"},
                                                          {"tau2_fixed", "--tau2"},
                                                          {"subset", "--subset"}};
  if (const auto problems = pipeline::check_settings(s); !problems.empty()) {
    const auto it = flag_of.find(problems.front().setting);
    fail_usage(it != flag_of.end() ? it->second : problems.front().setting, problems.front().problem);
  }
  s.columns = pipeline::parse_column_map(v.columns);
  return s;
}

prepared_data prepare(const data_model_options& opt) {
  io::check_paths({{"data", opt.file}}, {{"--out", opt.out}});
  // Options first, so that a usage error never waits on reading a large file.
  const pipeline::analysis_settings settings = settings_from(opt);
  prepared_data d;
  d.table = io::read_table(opt.file);
  pipeline::prepared_analysis p = pipeline::prepare_analysis(settings, d.table, opt.file);
  d.measure = p.measure;
  d.raw = std::move(p.inputs.raw);
  d.effects = std::move(p.effects);
  d.resolved = std::move(p.resolved);
  d.weights = std::move(p.weights);
  d.context = std::move(p.context);
  return d;
}

}  // namespace metasift::cli
