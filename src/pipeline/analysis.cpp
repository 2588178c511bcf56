// Settings -> resolved options -> effect sizes -> model call: the one path every front end takes.
#include "metasift/pipeline/analysis.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metasift/core/check.hpp"
#include "metasift/core/version.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/pipeline/study_data.hpp"
#include "metasift/pipeline/subset.hpp"

namespace metasift::pipeline {

std::vector<setting_problem> check_settings(const analysis_settings& s) {
  std::vector<setting_problem> out;
  if (const models::level_reading lr = models::read_confidence_level(s.level); !lr.problem.empty()) {
    out.push_back({"level", lr.problem});
  }
  if (const models::level_reading lr = models::read_confidence_level(s.input_level); !lr.problem.empty()) {
    out.push_back({"input_level", lr.problem});
  }
  if (!(s.add >= 0.0)) out.push_back({"add", "must not be negative"});
  if (s.tau2_fixed && (!(*s.tau2_fixed >= 0.0) || !std::isfinite(*s.tau2_fixed))) {
    out.push_back({"tau2_fixed", "must be a finite number >= 0, got " + format_value(*s.tau2_fixed)});
  }
  if (!s.subset.empty()) {
    if (std::string why = subset_problem(s.subset); !why.empty()) out.push_back({"subset", std::move(why)});
  }
  return out;
}

models::resolved_options resolve_settings(const analysis_settings& s) {
  if (const auto problems = check_settings(s); !problems.empty()) {
    fail_usage(problems.front().setting, problems.front().problem);
  }
  models::model_spec spec;
  spec.est = s.method;
  spec.test = s.ci;
  spec.level = models::read_confidence_level(s.level).level;
  spec.tau2_ci = s.tau2_ci;
  spec.tau2_fixed = s.tau2_fixed;

  effects::options eopt;
  eopt.smd = s.smd;
  eopt.smd_var = s.smd_var;
  eopt.zero = s.zero;
  eopt.add = s.add;
  eopt.drop_double_zero = s.drop_double_zero;
  // The input CIs have their own level: `level` is the level of the output.
  eopt.level = models::read_confidence_level(s.input_level).level;

  models::convention_overrides ov;
  ov.md_var = s.md_var;
  ov.pi = s.pi;
  return models::resolve(s.conv, ov, eopt, spec);
}

prepared_analysis prepare_analysis(const analysis_settings& s, const io::table& table, const std::string& data_label) {
  prepared_analysis p;
  p.settings = s;
  p.resolved = resolve_settings(s);
  if (table.rows.empty()) fail_input(source_position{table.file, 1, 0}, "", "the table has a header but no study rows");
  p.measure = s.measure ? *s.measure : infer_measure(table, s.columns);
  input_options iopt;
  iopt.five_number = s.fivenum_method;
  p.inputs = read_study_inputs(table, p.measure, s.columns, iopt);
  std::optional<subset_expr> selection;
  std::vector<bool> selected;
  if (!s.subset.empty()) {
    selection = parse_subset(s.subset);
    selected = select_rows(table, *selection);
  }
  p.effects = selection ? compute_selected(p.measure, p.inputs.raw, selected, p.resolved.effect_opts)
                        : effects::compute(p.measure, p.inputs.raw, p.resolved.effect_opts);
  explain_exclusions(p.effects, p.inputs);
  if (!s.weights.empty()) p.weights = read_weights(table, s.weights, p.effects);

  report::meta_context& ctx = p.context;
  ctx.measure = p.measure;
  ctx.data_file = data_label;
  ctx.conv = s.conv;
  ctx.conventions = p.resolved.described;
  if (!p.inputs.raw.columns_read.empty()) ctx.conventions.push_back(p.inputs.raw.columns_read);
  ctx.conventions.insert(ctx.conventions.end(), p.inputs.conversions.begin(), p.inputs.conversions.end());
  if (selection) {
    ctx.subset = selection->text;
    ctx.conventions.push_back(describe_selection(*selection, selected));
  }
  if (!s.weights.empty()) {
    ctx.weights = s.weights;
    ctx.conventions.push_back("weights: user weights from column '" + s.weights +
                              "' (metafor weights=); tau^2, Q, I^2 and H^2 do not use them");
  }
  ctx.study_inputs = included_input_kinds(p.effects, p.inputs);
  ctx.excluded = p.effects.excluded;
  for (const auto& ex : p.effects.excluded) ctx.excluded_labels.push_back(p.inputs.raw.labels.at(ex.index));
  if (!p.effects.ni.empty()) ctx.harmonic_n = effects::harmonic_mean(p.effects.ni);
  ctx.decimals = s.decimals;
  ctx.version = std::string(version());
  return p;
}

models::meta_result fit_meta(prepared_analysis& p, const io::table& table) {
  models::meta_result result = [&] {
    try {
      return models::fit(p.effects, p.resolved.spec, p.weights);
    } catch (const input_error& e) {
      // The model names the study; the user also needs the file.
      if (!e.where().file.empty()) throw;
      throw input_error(source_position{p.context.data_file, 0, 0}, e.detail());
    }
  }();
  for (const auto& n : p.effects.label_notes.items) result.notes.add(n);
  p.context.data_columns =
      data_columns(table, p.effects, result.source_row, p.settings.columns, p.settings.group_names);
  set_exclusions(p.context, result, p.inputs.raw);
  return result;
}

}  // namespace metasift::pipeline
