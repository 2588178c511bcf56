#include "cumulative.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>

#include "metasift/analyses/cumulative.hpp"
#include "metasift/core/check.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/plot/forest.hpp"
#include "metasift/report/analyses_report.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {
namespace {

[[maybe_unused]] const bool registered = register_subcommand("cumulative", setup_cumulative);

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

/// Stable order of the included studies by a column: numerically when every non-missing cell is a
/// number (missing cells last, as R's order), otherwise by the text in byte order (blank cells last).
std::vector<std::size_t> order_by_column(const prepared_data& d, std::size_t col, bool decreasing, warnings& notes) {
  const auto& rows = d.effects.source_row;
  const std::size_t k = rows.size();
  std::vector<double> key(k);
  bool numeric = true;
  std::size_t missing = 0;
  for (std::size_t j = 0; j < k && numeric; ++j) {
    try {
      const auto x = d.table.optional_number(rows[j], col);
      key[j] = x ? *x : std::numeric_limits<double>::quiet_NaN();
      if (!x) ++missing;
    } catch (const input_error&) {
      numeric = false;
    }
  }
  const std::string name = d.table.names[col];
  if (numeric) {
    if (missing > 0) {
      notes.add(std::to_string(missing) + " stud" + (missing == 1 ? "y has" : "ies have") + " no value in column '" +
                name + "'; placed last in data order");
    }
    return analyses::stable_order(key, decreasing);
  }
  std::vector<std::string> text(k);
  for (std::size_t j = 0; j < k; ++j) text[j] = trim(d.table.rows[rows[j]][col]);
  std::vector<std::size_t> idx(k);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    if (text[a].empty() || text[b].empty()) return !text[a].empty() && text[b].empty();
    return decreasing ? text[a] > text[b] : text[a] < text[b];
  });
  notes.add("column '" + name + "' is not numeric; studies ordered by its text (byte order)");
  return idx;
}

}  // namespace

void setup_cumulative(CLI::App& app) {
  auto opt = std::make_shared<cumulative_options>();
  CLI::App* sub =
      app.add_subcommand("cumulative", "Cumulative meta-analysis: add the studies one at a time in a given order");
  add_data_model_options(sub, opt->data);
  sub->add_option("--order", opt->order, "Column to order the studies by (stable sort; default: data order)");
  sub->add_flag("--decreasing", opt->decreasing, "Order by the column in decreasing order");
  add_figure_options(sub, opt->forest, "--forest", "Write the cumulative forest plot (one row per step)");
  sub->callback([opt]() { run_cumulative(*opt); });
}

void run_cumulative(const cumulative_options& opt) {
  check_figure_options(opt.forest, "--forest");
  io::check_paths({{"data", opt.data.file}}, {{"--out", opt.data.out}, {"--forest", opt.forest.path}});
  const prepared_data d = prepare(opt.data);
  std::vector<std::size_t> order;
  std::string order_by = "data order";
  warnings notes;
  if (!opt.order.empty()) {
    const auto col = d.table.find(opt.order);
    if (!col) {
      std::string present;
      for (const auto& n : d.table.names) present += (present.empty() ? "" : ", ") + n;
      fail_input(source_position{d.table.file, 1, 0}, "",
                 "missing column '" + opt.order + "' given by --order (columns present: " + present + ")");
    }
    order = order_by_column(d, *col, opt.decreasing, notes);
    order_by = d.table.names[*col] + (opt.decreasing ? " (decreasing)" : "");
  } else if (opt.decreasing) {
    notes.add("--decreasing without --order has no effect");
  }
  analyses::cumulative_result r =
      analyses::cumulative(d.effects.yi, d.effects.vi, d.effects.labels, d.resolved.spec, order);
  for (auto& n : notes.items) r.notes.add(std::move(n));
  const report::output_format format = output_format(opt.data);
  if (!opt.forest.path.empty()) {
    plot::forest_input in = plot::make_cumulative_forest_input(r, d.measure, d.context.harmonic_n, d.context.decimals);
    in.title = opt.forest.title;
    if (order_by != "data order") in.label_header = "Study added (by " + order_by + ")";
    write_figure(plot::build_forest(in).drawing, opt.forest);
  }
  emit(opt.data.out, format == report::output_format::json  ? report::format_json(r, d.context, order_by)
                     : format == report::output_format::csv ? report::format_csv(r, d.context, order_by)
                                                            : report::format_text(r, d.context, order_by));
}

}  // namespace metasift::cli
