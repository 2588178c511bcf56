#include "regress.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>

#include "metasift/core/check.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/models/regression.hpp"
#include "metasift/pipeline/design.hpp"
#include "metasift/plot/funnel.hpp"
#include "metasift/report/regression_report.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {
namespace {
[[maybe_unused]] const bool registered = register_subcommand("regress", setup_regress);
}  // namespace

void setup_regress(CLI::App& app) {
  auto opt = std::make_shared<regress_options>();
  CLI::App* sub = app.add_subcommand(
      "regress",
      "Meta-regression: a mixed-effects model with moderators (metafor's rma with mods), QM and QE tests, R^2");
  add_data_model_options(sub, opt->data);
  sub->add_option("--moderator,-m", opt->moderators,
                  "Moderator column (repeatable, in model order); text columns are dummy-coded against their first "
                  "level in sorted order")
      ->required();
  sub->add_option("--categorical", opt->categorical,
                  "Dummy-code this moderator even though its values are numbers (repeatable)");
  sub->add_flag("--no-intercept", opt->no_intercept, "Fit the model without an intercept");
  sub->add_option(
         "--permutations", opt->permutations,
         "Permutation p-values from N arrangements (metafor's permutest; exact when there are no more distinct ones)")
      ->check(CLI::Range(2, 100000000));
  sub->add_option("--seed", opt->seed, "Seed of the random permutations")->capture_default_str();
  sub->add_option("--weights", opt->data.weights, "Column of user weights for the coefficients (metafor weights=)");
  add_figure_options(sub, opt->bubble, "--bubble",
                     "Write a bubble plot of the effects against a numeric moderator, with the fitted line and its CI");
  sub->add_option(
      "--bubble-moderator", opt->bubble_moderator,
      "Numeric moderator on the bubble plot's x axis (default: the first numeric one; others at their means)");
  sub->callback([opt]() { run_regress(*opt); });
}

namespace {

/// The design column the bubble plot puts on its x axis: --bubble-moderator, or the first moderator
/// that entered the model as a number. usage_error when there is none or it was dummy-coded.
std::size_t bubble_column(const regress_options& opt, const pipeline::design_matrix& dm) {
  auto is_factor = [&](const std::string& m) {
    return std::any_of(dm.factors.begin(), dm.factors.end(), [&](const auto& f) { return f.column == m; });
  };
  for (const auto& col : dm.x.names) {
    if (col.find(':') != std::string::npos || col.rfind("I(", 0) == 0 || col.rfind("poly(", 0) == 0) {
      fail_usage("--bubble",
                 "draws a straight line in one moderator; it is not available with the interaction or "
                 "polynomial term '" +
                     col + "'");
    }
  }
  std::string name = opt.bubble_moderator;
  if (name.empty()) {
    for (const auto& m : opt.moderators) {
      if (!is_factor(m)) {
        name = m;
        break;
      }
    }
    if (name.empty()) fail_usage("--bubble", "needs a numeric moderator; every moderator here is categorical");
  } else if (std::find(opt.moderators.begin(), opt.moderators.end(), name) == opt.moderators.end()) {
    fail_usage("--bubble-moderator", "'" + name + "' is not among the --moderator columns");
  } else if (is_factor(name)) {
    fail_usage("--bubble-moderator", "'" + name + "' is categorical; a bubble plot needs a numeric moderator");
  }
  const auto it = std::find(dm.x.names.begin(), dm.x.names.end(), name);
  if (it == dm.x.names.end()) fail_usage("--bubble-moderator", "'" + name + "' has no column in the design");
  return static_cast<std::size_t>(it - dm.x.names.begin());
}

}  // namespace

void run_regress(const regress_options& opt) {
  const report::output_format format = output_format(opt.data);
  check_figure_options(opt.bubble, "--bubble");
  io::check_paths({{"data", opt.data.file}}, {{"--out", opt.data.out}, {"--bubble", opt.bubble.path}});
  if (!opt.bubble_moderator.empty() && opt.bubble.path.empty()) {
    fail_usage("--bubble-moderator", "needs --bubble FILE");
  }
  if (!opt.data.weights.empty() && opt.permutations > 0) {
    fail_usage("--weights", "cannot be combined with --permutations");
  }
  const prepared_data d = prepare(opt.data);
  pipeline::design_options dopt;
  dopt.moderators = opt.moderators;
  dopt.categorical = opt.categorical;
  dopt.intercept = !opt.no_intercept;
  const pipeline::design_matrix dm = pipeline::build_design(d.table, d.effects.source_row, d.effects.labels, dopt);
  const std::size_t bubble_col = opt.bubble.path.empty() ? 0 : bubble_column(opt, dm);

  report::regression_context ctx;
  ctx.meta = d.context;
  ctx.moderators = opt.moderators;
  for (const auto& f : dm.factors) ctx.factors.push_back({f.column, f.reference, f.levels});
  std::vector<double> weights;
  for (std::size_t i : dm.kept) {
    if (!d.weights.empty()) weights.push_back(d.weights[i]);
    ctx.labels.push_back(d.effects.labels[i]);
    ctx.yi.push_back(d.effects.yi[i]);
    ctx.vi.push_back(d.effects.vi[i]);
  }
  for (std::size_t m = 0; m < dm.missing.size(); ++m) {
    const std::size_t i = dm.missing[m];
    ctx.left_out.push_back(d.effects.labels[i]);
    // Listed with the other excluded studies, naming the moderator whose value is missing.
    const std::size_t row = d.effects.source_row[i];
    const std::string column = m < dm.missing_column.size() ? dm.missing_column[m] : "";
    ctx.meta.excluded.push_back(
        {row, "missing value in moderator column '" + (column.empty() ? std::string("?") : column) + "'"});
    ctx.meta.excluded_labels.push_back(d.effects.labels[i]);
  }

  models::regression_result r = models::fit_regression(ctx.yi, ctx.vi, dm.x, d.resolved.spec, weights);
  warnings notes;  // data and design notes first, then the model's
  for (const auto& n : d.effects.notes.items) notes.add(n);
  for (const auto& n : dm.notes.items) notes.add(n);
  for (auto& n : r.notes.items) notes.add(std::move(n));
  r.notes = std::move(notes);
  if (opt.permutations > 0) {
    models::permutation_options popt;
    popt.iterations = opt.permutations;
    popt.seed = opt.seed;
    r.permutation = models::permutation_test(ctx.yi, ctx.vi, dm.x, d.resolved.spec, popt);
    r.has_permutations = true;
    if (r.permutation.failed > 0) {
      r.notes.add(std::to_string(r.permutation.failed) +
                  " permuted refits failed and are left out of the permutation p-values");
    }
  }
  if (!opt.bubble.path.empty()) {
    plot::bubble_input in = plot::make_bubble_input(r, dm.x, ctx.yi, ctx.vi, ctx.labels, bubble_col, d.measure);
    in.title = opt.bubble.title;
    write_figure(plot::build_bubble(in).drawing, opt.bubble);
  }
  emit(opt.data.out, format == report::output_format::json  ? report::format_json(r, ctx)
                     : format == report::output_format::csv ? report::format_csv(r, ctx)
                                                            : report::format_text(r, ctx));
}

}  // namespace metasift::cli
