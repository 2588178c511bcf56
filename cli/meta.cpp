#include "meta.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "common_options.hpp"
#include "metasift/analyses/subgroups.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/enum_names.hpp"
#include "metasift/core/version.hpp"
#include "metasift/effects/compute.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/convention.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/pipeline/analysis.hpp"
#include "metasift/pipeline/design.hpp"
#include "metasift/pipeline/study_data.hpp"
#include "metasift/pipeline/study_inputs.hpp"
#include "metasift/plot/forest.hpp"
#include "metasift/plot/funnel.hpp"
#include "metasift/plot/render.hpp"
#include "metasift/report/meta_report.hpp"
#include "metasift/report/regression_report.hpp"
#include "output.hpp"
#include "registry.hpp"

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

// ---- plots: --forest / --funnel and their options -------------------------------------
namespace {

struct plot_options {
  std::string forest;  ///< --forest FILE (.svg, .pdf, .png)
  std::string funnel;  ///< --funnel FILE
  double dpi = 300.0;
  std::string forest_columns;  ///< "year,country": extra columns from the table
  std::string sort;            ///< effect | weight | a column name
  std::string title;
  std::string xlabel;
  std::string xlim;  ///< "LO,HI" on the display scale
  bool prediction = false;
  bool pooled_line = false;
  bool funnel_contours = false;
};

void add_plot_options(CLI::App* sub, plot_options& p) {
  sub->add_option("--forest", p.forest, "Write a forest plot; the format follows the extension: .svg, .pdf or .png");
  sub->add_option("--funnel", p.funnel, "Write a funnel plot (.svg, .pdf or .png)");
  sub->add_option("--dpi", p.dpi, "Resolution of PNG plots")->check(CLI::Range(36.0, 2400.0))->capture_default_str();
  sub->add_option("--forest-columns", p.forest_columns,
                  "Extra table columns shown left of the forest plot: year,country");
  sub->add_option("--sort", p.sort,
                  "Order of the forest plot's studies: effect, weight (largest first) or a column name");
  sub->add_option("--title", p.title, "Title drawn above the plots");
  sub->add_option("--xlabel", p.xlabel, "Label of the plots' effect axis");
  sub->add_option("--xlim", p.xlim, "Forest plot axis limits LO,HI (display scale); CIs beyond get arrows");
  sub->add_flag("--prediction", p.prediction, "Draw the prediction interval under the pooled diamond");
  sub->add_flag("--pooled-line", p.pooled_line, "Draw a dashed vertical line at the pooled estimate");
  sub->add_flag("--funnel-contours", p.funnel_contours, "Shade the funnel plot where p < .10, .05 and .01");
}

/// Option errors first, before any data are read (and before any file is written).
void check_plot_options(const plot_options& p) {
  for (const auto& [opt, path] : {std::pair{"--forest", &p.forest}, std::pair{"--funnel", &p.funnel}}) {
    if (!path->empty() && !plot::format_from_path(*path)) {
      const std::string ext = std::filesystem::path(*path).extension().string();
      fail_usage(opt, "unknown plot format '" + (ext.empty() ? *path : ext) + "' (use .svg, .pdf or .png)");
    }
  }
  if (!p.xlim.empty()) {
    const auto parts = split_list(p.xlim);
    double lo = 0.0, hi = 0.0;
    try {
      if (parts.size() != 2) throw std::invalid_argument("two values");
      lo = std::stod(parts[0]);
      hi = std::stod(parts[1]);
    } catch (const std::exception&) {
      fail_usage("--xlim", "expected two numbers LO,HI, got '" + p.xlim + "'");
    }
    if (!(lo < hi)) fail_usage("--xlim", "LO must be less than HI");
  }
}

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

/// The cells of table column `name` for the analysed studies; an input error naming the file
/// when the table has no such column.
std::vector<std::string> table_cells(const io::table& t, const models::meta_result& fit, const std::string& name,
                                     const char* option) {
  const auto idx = t.find(trimmed(name));
  if (!idx) fail_input(source_position{t.file, 1, 0}, option, "the table has no column '" + trimmed(name) + "'");
  std::vector<std::string> cells;
  for (std::size_t row : fit.source_row) cells.push_back(trimmed(t.rows[row][*idx]));
  return cells;
}

void write_plots(const plot_options& p, const io::table& t, const effects::effect_table& /*e*/,
                 const models::meta_result& result, const report::meta_context& ctx,
                 const analyses::subgroup_result* subgroups) {
  if (p.forest.empty() && p.funnel.empty()) return;
  const plot::render_options ro{p.dpi};
  std::optional<plot::scene> forest;
  if (!p.forest.empty()) {
    // With --subgroup the studies are regrouped into blocks; cells follow them by source index.
    plot::forest_input in =
        subgroups != nullptr
            ? plot::make_subgroup_forest_input(*subgroups, result, ctx.measure, ctx.harmonic_n, ctx.decimals)
            : plot::make_forest_input(result, ctx.measure, ctx.harmonic_n, ctx.decimals);
    for (const auto& dc : ctx.data_columns) {
      if (dc.cells.size() == result.studies.size()) plot::add_column_by_source(in, {dc.group, dc.header}, dc.cells);
    }
    for (const auto& name : split_list(p.forest_columns)) {
      if (trimmed(name).empty()) continue;
      const auto cells = table_cells(t, result, name, "--forest-columns");
      // Numbers right-aligned, text (countries, designs) left-aligned, as tables set them.
      const bool numeric = std::all_of(cells.begin(), cells.end(), [](const std::string& c) {
        if (c.empty()) return true;
        char* end = nullptr;
        std::strtod(c.c_str(), &end);
        return end != nullptr && *end == '\0';
      });
      plot::add_column_by_source(
          in, {"", trimmed(name), numeric ? plot::column_align::right : plot::column_align::left}, cells);
    }
    if (!p.sort.empty()) {
      // The keywords in any case; anything else names a column, as the table spells it.
      if (iequals_ascii(p.sort, "effect")) {
        plot::sort_studies(in, plot::forest_sort::effect);
      } else if (iequals_ascii(p.sort, "weight")) {
        plot::sort_studies(in, plot::forest_sort::weight);
      } else {
        const auto keys = table_cells(t, result, p.sort, "--sort");
        for (auto& b : in.blocks) {
          for (auto& s : b.studies) s.sort_key = keys.at(s.source);
        }
        plot::sort_studies(in, plot::forest_sort::key);
      }
    }
    in.title = p.title;
    in.xlabel = p.xlabel;
    in.show_prediction = p.prediction;
    in.pooled_line = p.pooled_line;
    if (!p.xlim.empty()) {
      const auto parts = split_list(p.xlim);
      in.x_min = std::stod(parts[0]);
      in.x_max = std::stod(parts[1]);
      if (in.scale == plot::axis_scale::log && !(*in.x_min > 0.0)) {
        fail_usage("--xlim", "a ratio measure's axis is logarithmic: LO must be positive");
      }
    }
    forest = plot::build_forest(in).drawing;
  }
  std::optional<plot::scene> funnel;
  if (!p.funnel.empty()) {
    plot::funnel_input in = plot::make_funnel_input(result, ctx.measure);
    in.contours = p.funnel_contours;
    in.title = p.title;
    if (!p.xlabel.empty()) in.xlabel = p.xlabel;
    funnel = plot::build_funnel(in).drawing;
  }
  // Everything is laid out before the first file is written, so a bad option leaves no file.
  if (forest) plot::write_plot(*forest, p.forest, ro);
  if (funnel) plot::write_plot(*funnel, p.funnel, ro);
}

}  // namespace
// ---- end plots -----------------------------------------------------------------------------------

// ---- subgroups: --subgroup COL / --common-tau2 -----------------------------------------
namespace {

void add_subgroup_options(CLI::App* sub, meta_options& opt) {
  CLI::Option* group = sub->add_option("--subgroup", opt.subgroup,
                                       "Subgroup analysis by this column: a meta-analysis per level and the test of "
                                       "subgroup differences");
  sub->add_flag("--common-tau2", opt.common_tau2,
                "With --subgroup: one tau^2 for all subgroups, from the meta-regression on the subgroups")
      ->needs(group);
}

/// The subgroup analysis of --subgroup COL (and --common-tau2) over the analysed studies; computed
/// once, for the report and the forest plot.
analyses::subgroup_result run_subgroups(const meta_options& opt, const io::table& t, const effects::effect_table& table,
                                        const models::model_spec& spec) {
  const pipeline::factor_levels f = pipeline::read_factor(t, opt.subgroup, table.source_row);
  std::vector<std::string> group(table.yi.size());
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (f.index[i] >= 0) group[i] = f.levels[static_cast<std::size_t>(f.index[i])];
  }
  analyses::subgroup_options so;
  so.common_tau2 = opt.common_tau2;
  analyses::subgroup_result sr = analyses::fit_subgroups(table, group, f.levels, spec, so);
  sr.column = f.column;
  return sr;
}

/// The output with the subgroup analysis added: text gets a block before the version footer, JSON
/// the keys "subgroups", "subgroup_test" and "subgroup_options"; CSV is the subgroup table.
std::string with_subgroups(report::output_format format, const analyses::subgroup_result& sr,
                           const models::meta_result& overall, const report::meta_context& ctx,
                           const std::string& text) {
  if (format == report::output_format::json) return report::add_subgroups_json(text, sr, ctx);
  if (format == report::output_format::csv) return report::format_subgroups_csv(sr, overall, ctx);
  const std::string block = report::format_subgroups_text(sr, ctx);
  const std::string footer = "metasift " + ctx.version + "\n";
  if (text.size() >= footer.size() && text.compare(text.size() - footer.size(), footer.size(), footer) == 0) {
    return text.substr(0, text.size() - footer.size()) + block + footer;
  }
  return text + block;
}

}  // namespace
// ---- end subgroups -------------------------------------------------------------------------------

namespace {
void run_meta_impl(const meta_options& opt, const plot_options& plots);
}  // namespace

void setup_meta(CLI::App& app) {
  auto opt = std::make_shared<meta_options>();
  auto plots = std::make_shared<plot_options>();
  CLI::App* sub = app.add_subcommand("meta", "Pool the studies of one table (CSV/TSV) into a meta-analysis");
  sub->add_option("file", opt->file, "Study data: CSV or TSV with a header row")->required();
  sub->add_option("--measure", opt->measure,
                  "Effect measure: MD SMD ROM OR RR RD PETO COR ZCOR PR PLO PAS PFT IRR IRD SMCC SMCR MN CVR VR GEN "
                  "(default GEN when the table has a yi column)");
  sub->add_option("--method", opt->method,
                  "EE (common effect), MH, PETO, or a tau^2 estimator: DL REML ML PM HE SJ HS EB")
      ->capture_default_str();
  sub->add_option("--ci-method,--test", opt->ci_method,
                  "Test and CI of the pooled effect (metafor's test): z, t, knha (or hk, Hartung-Knapp) or adhoc")
      ->transform(CLI::IsMember({"z", "t", "hk", "knha", "adhoc"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--pi-method", opt->pi_method,
                  "Prediction interval distribution: z, t_k1 or t_k2 (default from the convention)")
      ->transform(CLI::IsMember({"z", "t_k1", "t_k2"}, CLI::ignore_case));
  sub->add_option("--convention", opt->convention, "Defaults on which tools differ: metafor or stata")
      ->transform(CLI::IsMember({"metafor", "stata"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--md-variance", opt->md_variance, "MD sampling variance: separate (metafor) or pooled (Stata)")
      ->transform(CLI::IsMember({"separate", "pooled"}, CLI::ignore_case));
  sub->add_option("--smd-correction", opt->smd_correction, "SMD: exact (Hedges' g), approx, or none (Cohen's d)")
      ->transform(CLI::IsMember({"exact", "approx", "none"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--smd-variance", opt->smd_variance,
                  "SMD sampling variance: ls (large-sample, metafor's default) or ub (unbiased, vtype UB)")
      ->transform(CLI::IsMember({"ls", "ub"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--zero-cell", opt->zero_cell, "Continuity correction for 2x2 data: only0, all or none")
      ->transform(CLI::IsMember({"only0", "all", "none"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--add", opt->add, "Value of the continuity correction")->capture_default_str();
  sub->add_flag("--drop-double-zero", opt->drop_double_zero,
                "Drop 2x2 studies without events (or all events) in both arms");
  sub->add_option("--level", opt->level, "Confidence level, as 0.95 or 95")->capture_default_str();
  sub->add_option("--input-level", opt->input_level,
                  "Level of the CIs given as ci_lower/ci_upper (GEN input), as 0.95 or 95")
      ->capture_default_str();
  sub->add_option("--fivenum-method", opt->fivenum_method,
                  "SD of a group given as min, q1, median, q3 and max: shi2020 (Shi et al. 2020) or wan2014 "
                  "(Wan et al. 2014)")
      ->transform(CLI::IsMember({"shi2020", "wan2014"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--col", opt->columns, "Map a canonical column to the file's name: --col sd1=SD_treat (repeatable)");
  sub->add_option("--group-names", opt->group_names, "Names of the two groups, comma-separated, for the report");
  sub->add_option("--format", opt->format, "Output format: text, json or csv")
      ->transform(CLI::IsMember({"text", "json", "csv"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--out,-o", opt->out, "Write the output to this file (atomically) instead of stdout");
  sub->add_option("--decimals", opt->decimals, "Decimals in the text report")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  sub->add_flag("--no-tau2-ci", opt->no_tau2_ci, "Skip the Q-profile confidence interval for tau^2");
  sub->add_option("--tau2", opt->tau2, "Fix tau^2 at this value instead of estimating it")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--subset", opt->subset,
                  "Analyse only the rows where a column comparison holds: 'year>=2000', 'region==\"Asia\"'");
  sub->add_option("--weights", opt->weights, "Column of user weights for the pooled estimate (metafor weights=)");
  add_plot_options(sub, *plots);
  add_subgroup_options(sub, *opt);
  sub->callback([opt, plots]() { run_meta_impl(*opt, *plots); });
}

void run_meta(const meta_options& opt) {
  run_meta_impl(opt, plot_options{});
}

namespace {
void run_meta_impl(const meta_options& opt, const plot_options& plots) {
  check_plot_options(plots);
  io::check_paths({{"data", opt.file}}, {{"--out", opt.out}, {"--forest", plots.forest}, {"--funnel", plots.funnel}});
  // Options first, so that a usage error never waits on reading a large file.
  pipeline::analysis_settings settings = settings_from(opt);
  settings.tau2_ci = !opt.no_tau2_ci;
  settings.group_names = split_list(opt.group_names);
  const report::output_format format = format_from(opt.format);
  if (!settings.weights.empty() && !opt.subgroup.empty()) {
    fail_usage("--weights", "cannot be combined with --subgroup (subgroup fits use inverse-variance weights)");
  }

  const io::table t = io::read_table(opt.file);
  pipeline::prepared_analysis p = pipeline::prepare_analysis(settings, t, opt.file);
  const models::meta_result result = pipeline::fit_meta(p, t);
  const report::meta_context& ctx = p.context;

  std::string text = format == report::output_format::json  ? report::format_json(result, ctx)
                     : format == report::output_format::csv ? report::format_csv(result, ctx)
                                                            : report::format_text(result, ctx);
  std::optional<analyses::subgroup_result> subgroups;
  if (!opt.subgroup.empty()) {
    subgroups = run_subgroups(opt, t, p.effects, p.resolved.spec);
    text = with_subgroups(format, *subgroups, result, ctx, text);
  }
  write_plots(plots, t, p.effects, result, ctx, subgroups ? &*subgroups : nullptr);
  emit(opt.out, text);
}
}  // namespace

}  // namespace metasift::cli
