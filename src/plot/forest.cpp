// Forest plot: input helpers (from a fit to plain input), sorting, layout and drawing.
//
// Layout, left to right: label column, data columns (grouped under wrapped spanning headers),
// the middle panel, the "estimate [lo, hi]" column and the weight column. Every width comes from
// pango measurements of the actual strings, so long labels or Chinese names widen their column
// instead of running into the panel. Top to bottom: title, headers, a rule, one row per study,
// block heading, summary, prediction interval or note, then the axis and the model note.
#include "metasift/plot/forest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "metasift/core/check.hpp"
#include "metasift/core/number_format.hpp"
#include "metasift/models/spec.hpp"
#include "metasift/plot/text.hpp"

namespace metasift::plot {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Numbers as the text report prints them: fixed decimals, "NA" when missing or not finite.
std::string fixed(double x, int decimals) {
  return format_fixed(x, decimals, number_target::text);
}

/// A value on the display scale (e.g. an odds ratio from a log odds ratio). PFT needs the harmonic
/// mean n; without it there is nothing to show.
double shown(effects::measure m, double x, double harmonic_n) {
  if (!std::isfinite(x)) return nan;
  if (m == effects::measure::PFT && !(harmonic_n > 0.0)) return nan;
  return effects::back_transform(m, x, harmonic_n);
}

enum class row_kind { heading, study, summary, prediction, note, blank };

struct row {
  row_kind kind = row_kind::blank;
  const forest_study* study = nullptr;
  const forest_summary* summary = nullptr;
  const rich_text* note = nullptr;
  const std::string* heading = nullptr;
};

/// The three numbers of an "estimate [lo, hi]" cell.
struct effect_cell {
  std::string est, lo, hi;
};

/// A run of adjacent columns sharing a non-empty spanning header.
struct column_span {
  std::size_t first = 0, last = 0;  ///< [first, last)
  std::vector<std::string> lines;   ///< the group name, wrapped
};

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : s) {
    if (c == ' ') {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  return words;
}

/// Greedy word wrap to `width` points.
std::vector<std::string> wrap(const std::string& s, double width, const font& f, const std::string& family) {
  std::vector<std::string> lines;
  std::string line;
  for (const auto& w : split_words(s)) {
    const std::string candidate = line.empty() ? w : line + " " + w;
    if (!line.empty() && measure_text(candidate, f, family).width > width) {
      lines.push_back(line);
      line = w;
    } else {
      line = candidate;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::optional<double> as_number(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return std::nullopt;
  const auto e = s.find_last_not_of(" \t");
  double v = 0.0;
  const char* first = s.data() + b;
  const char* last = s.data() + e + 1;
  if (*first == '+') ++first;
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc{} || ptr != last) return std::nullopt;
  return v;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Input helpers

measure_display display_of(effects::measure m) {
  measure_display d;
  d.effect_header = std::string(effects::display_name(m));
  switch (effects::display_scale_of(m)) {
    case effects::display_scale::exp:
      d.scale = axis_scale::log;
      d.null_value = 1.0;
      break;
    case effects::display_scale::identity:
    case effects::display_scale::tanh:
      // A raw proportion has no "no effect" value; every other identity-scale measure is a difference or r.
      if (m != effects::measure::PR) d.null_value = 0.0;
      break;
    case effects::display_scale::inv_logit:
    case effects::display_scale::inv_arcsine:
    case effects::display_scale::inv_ft: break;
  }
  return d;
}

std::vector<rich_text> heterogeneity_notes(const models::meta_result& r, int decimals) {
  const auto& h = r.het;
  const int d = decimals;
  std::vector<rich_text> out;
  if (models::is_random_effects(r.spec.est)) {
    out.push_back(plain(fmt::format("Heterogeneity: \u03C4\u00B2 = {}, I\u00B2 = {}%, H\u00B2 = {}", fixed(h.tau2, d),
                                    fixed(h.I2, d), fixed(h.H2, d))));
  } else {
    out.push_back(plain(fmt::format("Heterogeneity: I\u00B2 = {}%, H\u00B2 = {}", fixed(h.I2, d), fixed(h.H2, d))));
  }
  // Stata writes theta_i = theta_j with subscripts; runs keep them real subscripts in every format.
  out.push_back({text_run{"Test of \u03B8"}, text_run{"i", nan, baseline_shift::sub}, text_run{" = \u03B8"},
                 text_run{"j", nan, baseline_shift::sub},
                 text_run{fmt::format(": Q({}) = {}, p = {}", fixed(h.df, 0), fixed(h.Q, d), fixed(h.p, d))}});
  if (models::uses_t(r.spec.test)) {
    out.push_back(plain(fmt::format("Test of \u03B8 = 0: t({}) = {}, p = {}", fixed(r.pooled.df, 0),
                                    fixed(r.pooled.statistic, d), fixed(r.pooled.p, d))));
  } else {
    out.push_back(
        plain(fmt::format("Test of \u03B8 = 0: z = {}, p = {}", fixed(r.pooled.statistic, d), fixed(r.pooled.p, d))));
  }
  return out;
}

std::string model_note(const models::model_spec& s) {
  using models::method;
  switch (s.est) {
    case method::EE: return "Common-effect inverse-variance model";
    case method::MH: return "Common-effect Mantel-Haenszel model";
    case method::PETO: return "Common-effect Peto model";
    default: return fmt::format("Random-effects {} model", models::to_string(s.est));
  }
}

forest_summary make_summary(const models::meta_result& r, effects::measure m, double harmonic_n, std::string label) {
  forest_summary s;
  s.label = std::move(label);
  s.estimate = shown(m, r.pooled.estimate, harmonic_n);
  s.ci_lower = shown(m, r.pooled.ci_lower, harmonic_n);
  s.ci_upper = shown(m, r.pooled.ci_upper, harmonic_n);
  s.pi_lower = shown(m, r.pooled.pi_lower, harmonic_n);
  s.pi_upper = shown(m, r.pooled.pi_upper, harmonic_n);
  return s;
}

namespace {
std::vector<forest_study> studies_of(const models::meta_result& r, effects::measure m, double harmonic_n) {
  std::vector<forest_study> out;
  out.reserve(r.studies.size());
  for (std::size_t i = 0; i < r.studies.size(); ++i) {
    const auto& s = r.studies[i];
    forest_study f;
    f.source = i;
    f.label = s.label;
    f.estimate = shown(m, s.yi, harmonic_n);
    f.ci_lower = shown(m, s.ci_lower, harmonic_n);
    f.ci_upper = shown(m, s.ci_upper, harmonic_n);
    f.weight = s.weight;
    out.push_back(std::move(f));
  }
  return out;
}
}  // namespace

forest_block make_forest_block(std::string name, const models::meta_result& r, effects::measure m, double harmonic_n,
                               int decimals) {
  forest_block b;
  b.name = std::move(name);
  b.studies = studies_of(r, m, harmonic_n);
  b.summary = make_summary(r, m, harmonic_n, "Subtotal");
  b.notes = heterogeneity_notes(r, decimals);
  // A block shows its heterogeneity and its Q test, as Stata's subgroup blocks do; the test of
  // theta = 0 stays in the subgroup report, where it would not crowd the figure.
  b.notes.resize(std::min<std::size_t>(b.notes.size(), 2));
  return b;
}

rich_text group_difference_note(const analyses::subgroup_test& t, int decimals) {
  return {text_run{"Test of group differences: Q"}, text_run{"b", nan, baseline_shift::sub},
          text_run{fmt::format("({}) = {}, p = {}", fixed(t.df, 0), fixed(t.Q, decimals), fixed(t.p, decimals))}};
}

forest_input make_subgroup_forest_input(const analyses::subgroup_result& sg, const models::meta_result& overall,
                                        effects::measure m, double harmonic_n, int decimals) {
  forest_input in = make_forest_input(overall, m, harmonic_n, decimals);
  const forest_block all = std::move(in.blocks.front());  // studies in overall order, source = index
  in.blocks.clear();
  auto study_at = [&](std::size_t i) {
    if (i >= all.studies.size()) {
      throw std::invalid_argument(
          fmt::format("subgroup study index {} outside the {} studies of the overall fit", i, all.studies.size()));
    }
    return all.studies[i];
  };
  for (const auto& g : sg.groups) {
    forest_block b = make_forest_block(g.name, g.fit, m, harmonic_n, decimals);
    // The block's rows are the overall fit's studies (overall weights), in the subgroup's order.
    b.studies.clear();
    double total = 0.0;
    for (std::size_t i : g.studies) {
      b.studies.push_back(study_at(i));
      if (std::isfinite(b.studies.back().weight)) total += b.studies.back().weight;
    }
    if (b.summary && in.show_weights) b.summary->weight = total;
    in.blocks.push_back(std::move(b));
  }
  if (!sg.unassigned.empty()) {
    forest_block b;
    b.name = "No subgroup value";
    for (std::size_t i : sg.unassigned) b.studies.push_back(study_at(i));
    in.blocks.push_back(std::move(b));
  }
  if (in.overall && in.show_weights) {
    double total = 0.0;
    for (const auto& s : all.studies) {
      if (std::isfinite(s.weight)) total += s.weight;
    }
    in.overall->weight = total;
  }
  if (std::isfinite(sg.test.Q)) in.group_tests.push_back(group_difference_note(sg.test, decimals));
  return in;
}

forest_input make_forest_input(const models::meta_result& r, effects::measure m, double harmonic_n, int decimals) {
  forest_input in;
  const measure_display d = display_of(m);
  in.scale = d.scale;
  in.null_value = d.null_value;
  in.effect_header = d.effect_header;
  in.ci_header = fmt::format("with {:g}% CI", r.spec.level * 100.0);
  in.decimals = decimals;
  forest_block b;
  b.studies = studies_of(r, m, harmonic_n);
  in.blocks.push_back(std::move(b));
  in.overall = make_summary(r, m, harmonic_n, "Overall");
  in.overall_notes = heterogeneity_notes(r, decimals);
  in.model_note = model_note(r.spec);
  return in;
}

void add_column(forest_input& in, forest_column col, const std::vector<std::string>& cells) {
  std::size_t n = 0;
  for (const auto& b : in.blocks) n += b.studies.size();
  if (cells.size() != n) {
    throw std::invalid_argument(fmt::format("column '{}' has {} cells for {} studies", col.header, cells.size(), n));
  }
  std::size_t i = 0;
  for (auto& b : in.blocks) {
    for (auto& s : b.studies) s.cells.push_back(cells[i++]);
  }
  in.columns.push_back(std::move(col));
}

forest_input make_cumulative_forest_input(const analyses::cumulative_result& r, effects::measure m, double harmonic_n,
                                          int decimals) {
  forest_input in;
  const measure_display d = display_of(m);
  in.scale = d.scale;
  in.null_value = d.null_value;
  in.effect_header = d.effect_header;
  in.ci_header = fmt::format("with {:g}% CI", r.spec.level * 100.0);
  in.decimals = decimals;
  in.show_weights = false;
  in.label_header = "Study added";
  in.columns.push_back({"", "k", column_align::right});
  forest_block b;
  for (std::size_t j = 0; j < r.steps.size(); ++j) {
    const auto& st = r.steps[j];
    forest_study f;
    f.source = j;
    f.label = st.label;
    f.cells = {std::to_string(st.k)};
    f.estimate = shown(m, st.estimate, harmonic_n);
    f.ci_lower = shown(m, st.ci_lower, harmonic_n);
    f.ci_upper = shown(m, st.ci_upper, harmonic_n);
    b.studies.push_back(std::move(f));
  }
  in.blocks.push_back(std::move(b));
  in.model_note = model_note(r.spec) + ", refitted as each study is added";
  return in;
}

void add_column_by_source(forest_input& in, forest_column col, const std::vector<std::string>& cells) {
  for (const auto& b : in.blocks) {
    for (const auto& s : b.studies) {
      if (s.source >= cells.size()) {
        throw std::invalid_argument(
            fmt::format("column '{}' has {} cells; study '{}' has none", col.header, cells.size(), s.label));
      }
    }
  }
  for (auto& b : in.blocks) {
    for (auto& s : b.studies) s.cells.push_back(cells[s.source]);
  }
  in.columns.push_back(std::move(col));
}

void sort_studies(forest_input& in, forest_sort order) {
  if (order == forest_sort::none) return;
  // Missing values sort last whatever the direction, so that they never hide among real ones.
  auto last_if_nan = [](double a, double b, bool descending) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
    return descending ? a > b : a < b;
  };
  for (auto& b : in.blocks) {
    auto& s = b.studies;
    switch (order) {
      case forest_sort::effect:
        std::stable_sort(s.begin(), s.end(),
                         [&](const auto& x, const auto& y) { return last_if_nan(x.estimate, y.estimate, false); });
        break;
      case forest_sort::weight:
        std::stable_sort(s.begin(), s.end(),
                         [&](const auto& x, const auto& y) { return last_if_nan(x.weight, y.weight, true); });
        break;
      case forest_sort::key: {
        const bool numeric =
            std::all_of(s.begin(), s.end(), [](const auto& x) { return as_number(x.sort_key).has_value(); });
        if (numeric) {
          std::stable_sort(s.begin(), s.end(), [](const auto& x, const auto& y) {
            return *as_number(x.sort_key) < *as_number(y.sort_key);
          });
        } else {
          std::stable_sort(s.begin(), s.end(), [](const auto& x, const auto& y) { return x.sort_key < y.sort_key; });
        }
        break;
      }
      case forest_sort::none: break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Layout and drawing

namespace {

/// Refuses input the layout cannot draw: a study with the wrong number of cells, a log axis with a
/// non-positive limit or null value.
void check_forest_input(const forest_input& in) {
  for (const auto& b : in.blocks) {
    for (const auto& s : b.studies) {
      if (s.cells.size() != in.columns.size()) {
        throw std::invalid_argument(
            fmt::format("study '{}' has {} cells for {} columns", s.label, s.cells.size(), in.columns.size()));
      }
    }
  }
  const bool log_axis = in.scale == axis_scale::log;
  for (const auto& lim : {in.null_value, in.x_min, in.x_max}) {
    if (lim && log_axis && !(*lim > 0.0))
      throw std::invalid_argument("a log axis needs positive limits and null value");
  }
}

/// A value's position on the axis: itself, or its logarithm on a log axis (-inf for v <= 0).
struct axis_position {
  bool log_axis = false;
  double operator()(double v) const {
    if (!log_axis || std::isnan(v)) return v;
    return v > 0.0 ? std::log(v) : -std::numeric_limits<double>::infinity();
  }
};

/// The fonts and text measurement of a plot.
struct typesetting {
  std::string fam;
  double fs = 0, rh = 0;
  font body, bold, small;
  explicit typesetting(const forest_style& st)
      : fam(st.font_family),
        fs(st.font_size),
        rh(st.row_height > 0.0 ? st.row_height : 1.55 * st.font_size),
        body{st.font_size},
        bold{st.font_size, font_weight::bold},
        small{st.font_size * 0.9} {}
  [[nodiscard]] double width(std::string_view s, const font& f) const { return measure_text(s, f, fam).width; }
};

const std::string prediction_label = "Prediction interval";

/// One row per block heading, study, summary, prediction interval and note, top to bottom, with a
/// blank row between blocks.
std::vector<row> assemble_rows(const forest_input& in) {
  std::vector<row> rows;
  const bool several_blocks = in.blocks.size() > 1;
  for (std::size_t bi = 0; bi < in.blocks.size(); ++bi) {
    const auto& b = in.blocks[bi];
    if (bi > 0 && several_blocks) rows.push_back({row_kind::blank});
    if (!b.name.empty()) rows.push_back({row_kind::heading, nullptr, nullptr, nullptr, &b.name});
    for (const auto& s : b.studies) rows.push_back({row_kind::study, &s});
    if (b.summary) rows.push_back({row_kind::summary, nullptr, &*b.summary});
    for (const auto& n : b.notes) rows.push_back({row_kind::note, nullptr, nullptr, &n});
  }
  if (in.overall) {
    if (several_blocks) rows.push_back({row_kind::blank});
    rows.push_back({row_kind::summary, nullptr, &*in.overall});
    if (in.show_prediction && std::isfinite(in.overall->pi_lower) && std::isfinite(in.overall->pi_upper)) {
      rows.push_back({row_kind::prediction, nullptr, &*in.overall});
    }
  }
  for (const auto& n : in.overall_notes) rows.push_back({row_kind::note, nullptr, nullptr, &n});
  for (const auto& n : in.group_tests) rows.push_back({row_kind::note, nullptr, nullptr, &n});
  return rows;
}

/// The label column and the data columns: widths, left edges and the wrapped spanning headers.
struct left_layout {
  double label_w = 0;
  std::vector<double> col_w, col_x;
  std::vector<column_span> spans;
  double left_end = 0;  ///< right edge of the columns, or of the widest note
};

left_layout layout_left(const forest_input& in, const std::vector<row>& rows, const forest_style& st,
                        const typesetting& t) {
  left_layout l;
  const double fs = t.fs;
  const double margin = st.margin;
  auto width = [&](std::string_view s, const font& f) { return t.width(s, f); };
  l.label_w = width(in.label_header, t.bold);
  for (const auto& r : rows) {
    if (r.kind == row_kind::heading) l.label_w = std::max(l.label_w, width(*r.heading, t.bold));
    if (r.kind == row_kind::study) l.label_w = std::max(l.label_w, width(r.study->label, t.body));
    if (r.kind == row_kind::summary) l.label_w = std::max(l.label_w, width(r.summary->label, t.bold));
    if (r.kind == row_kind::prediction) l.label_w = std::max(l.label_w, width(prediction_label, t.body));
  }
  const std::size_t nc = in.columns.size();
  std::vector<double>& col_w = l.col_w;
  col_w.assign(nc, 0.0);
  for (std::size_t c = 0; c < nc; ++c) {
    col_w[c] = width(in.columns[c].header, t.bold);
    for (const auto& r : rows) {
      if (r.kind == row_kind::study) col_w[c] = std::max(col_w[c], width(r.study->cells[c], t.body));
    }
  }
  const double gap_label = 1.6 * fs;  // label column to the first data column
  const double gap_col = 1.0 * fs;    // between columns of one group
  const double gap_group = 2.0 * fs;  // between groups
  auto gap_before = [&](std::size_t c) {
    if (c == 0) return gap_label;
    const auto& a = in.columns[c - 1].group;
    const auto& b = in.columns[c].group;
    return (!a.empty() && a == b) ? gap_col : gap_group;
  };
  for (std::size_t c = 0; c < nc;) {
    std::size_t e = c + 1;
    while (e < nc && in.columns[e].group == in.columns[c].group) ++e;
    if (!in.columns[c].group.empty()) {
      double inner = 0.0;
      for (std::size_t j = c; j < e; ++j) inner += col_w[j] + (j > c ? gap_before(j) : 0.0);
      double longest_word = 0.0;
      for (const auto& w : split_words(in.columns[c].group)) longest_word = std::max(longest_word, width(w, t.body));
      double target = std::max({inner, st.min_group_width, longest_word});
      // A name that needs three or more lines may widen its span by up to 30% if that brings it
      // down to two: balanced two-line headers read better than a narrow stack.
      if (wrap(in.columns[c].group, target, t.body, t.fam).size() > 2) {
        for (double w = target; w <= 1.3 * target; w += 1.0) {
          if (wrap(in.columns[c].group, w, t.body, t.fam).size() <= 2) {
            target = w;
            break;
          }
        }
      }
      // Widen the columns evenly (they stay right-aligned) so that a long group name wraps into
      // a few lines instead of a tall stack of single words.
      const double extra = (target - inner) / static_cast<double>(e - c);
      for (std::size_t j = c; j < e; ++j) col_w[j] += extra;
      l.spans.push_back({c, e, wrap(in.columns[c].group, target, t.body, t.fam)});
    }
    c = e;
  }
  l.col_x.assign(nc, 0.0);
  double x = margin + l.label_w;
  for (std::size_t c = 0; c < nc; ++c) {
    x += gap_before(c);
    l.col_x[c] = x;
    x += col_w[c];
  }
  l.left_end = x;
  // Notes run under the label and data columns; if they are wider, the gap before the panel grows
  // rather than letting them reach into the panel.
  double notes_w = 0.0;
  for (const auto& r : rows) {
    if (r.kind == row_kind::note) notes_w = std::max(notes_w, measure_runs(*r.note, t.body, t.fam).width);
  }
  l.left_end = std::max(l.left_end, margin + notes_w);
  return l;
}

const std::string cell_open = " [ ";
const std::string cell_sep = ", ";
const std::string cell_close = "]";

/// The "estimate [lo, hi]" column and the weight column right of the panel.
struct right_layout {
  std::vector<effect_cell> cells;  ///< per row; empty for rows without numbers
  double eff_left = 0, eff_right = 0;
  double e1 = 0, e2 = 0, e3 = 0;  ///< right edges of the estimates, lower and upper limits
  double weight_right = 0;
};

right_layout layout_right(const forest_input& in, const std::vector<row>& rows, double panel_right,
                          const typesetting& t) {
  right_layout l;
  const double fs = t.fs;
  const int d = in.decimals;
  auto width = [&](std::string_view s, const font& f) { return t.width(s, f); };
  auto cell_of = [&](double e, double lo, double hi) { return effect_cell{fixed(e, d), fixed(lo, d), fixed(hi, d)}; };
  double w_est = 0.0, w_lo = 0.0, w_hi = 0.0;
  l.cells.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const row& r = rows[i];
    std::vector<effect_cell>& cells = l.cells;
    if (r.kind == row_kind::study) cells[i] = cell_of(r.study->estimate, r.study->ci_lower, r.study->ci_upper);
    if (r.kind == row_kind::summary) cells[i] = cell_of(r.summary->estimate, r.summary->ci_lower, r.summary->ci_upper);
    if (r.kind == row_kind::prediction) cells[i] = {"", fixed(r.summary->pi_lower, d), fixed(r.summary->pi_upper, d)};
    if (r.kind == row_kind::study || r.kind == row_kind::summary || r.kind == row_kind::prediction) {
      w_est = std::max(w_est, width(cells[i].est, t.body));
      w_lo = std::max(w_lo, width(cells[i].lo, t.body));
      w_hi = std::max(w_hi, width(cells[i].hi, t.body));
    }
  }
  const double w_open = width(cell_open, t.body);
  const double w_sep = width(cell_sep, t.body);
  const double w_close = width(cell_close, t.body);
  const double cells_w = w_est + w_open + w_lo + w_sep + w_hi + w_close;
  const double eff_w = std::max({cells_w, width(in.effect_header, t.bold), width(in.ci_header, t.bold)});
  l.eff_left = panel_right + 1.8 * fs;
  l.eff_right = l.eff_left + eff_w;
  l.e1 = l.eff_right - cells_w + w_est;
  l.e2 = l.e1 + w_open + w_lo;
  l.e3 = l.e2 + w_sep + w_hi;

  l.weight_right = l.eff_right;
  if (in.show_weights) {
    double ww = std::max(width(in.weight_header, t.bold), width(in.weight_unit, t.bold));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].kind == row_kind::study) ww = std::max(ww, width(fixed(rows[i].study->weight, d), t.body));
      if (rows[i].kind == row_kind::summary && std::isfinite(rows[i].summary->weight)) {
        ww = std::max(ww, width(fixed(rows[i].summary->weight, d), t.body));
      }
    }
    l.weight_right = l.eff_right + 2.0 * fs + ww;
  }
  return l;
}

/// Vertical positions: title, headers (with the spanning group names), the rule, the rows, the
/// axis, its label and the model note.
struct vertical_layout {
  double title_baseline = 0;
  double hl = 0;  ///< header line spacing
  double group_last_baseline = 0, cmid_y = 0;
  double header_baseline = 0, rule_y = 0;
  double body_top = 0, body_bottom = 0, rh = 0, fs = 0;
  double axis_y = 0, tick_len = 0, tick_baseline = 0, xlabel_baseline = 0, model_baseline = 0;
  double total_h = 0;
  [[nodiscard]] double row_centre(std::size_t i) const { return body_top + (static_cast<double>(i) + 0.5) * rh; }
  [[nodiscard]] double row_baseline(std::size_t i) const { return row_centre(i) + 0.36 * fs; }
};

vertical_layout layout_vertical(const forest_input& in, const std::vector<column_span>& spans, std::size_t n_rows,
                                const font& title_font, double margin, const typesetting& t) {
  vertical_layout v;
  const double fs = t.fs;
  v.fs = fs;
  v.rh = t.rh;
  double y = margin;
  if (!in.title.empty()) {
    v.title_baseline = y + title_font.size * 0.95;
    y = v.title_baseline + 1.0 * fs;
  }
  const double header_top = y;
  v.hl = 1.2 * fs;
  std::size_t group_lines = 0;
  for (const auto& sp : spans) group_lines = std::max(group_lines, sp.lines.size());
  v.header_baseline = header_top + 0.95 * fs;
  if (group_lines > 0) {
    v.group_last_baseline = header_top + 0.95 * fs + static_cast<double>(group_lines - 1) * v.hl;
    v.cmid_y = v.group_last_baseline + 0.5 * fs;
    v.header_baseline = v.cmid_y + 1.1 * fs;
  }
  const bool two_line_right = !in.ci_header.empty() || (in.show_weights && !in.weight_unit.empty());
  if (two_line_right) v.header_baseline = std::max(v.header_baseline, header_top + 0.95 * fs + v.hl);
  v.rule_y = v.header_baseline + 0.5 * fs;
  v.body_top = v.rule_y + 0.3 * v.rh;
  v.body_bottom = v.body_top + static_cast<double>(n_rows) * v.rh;
  v.axis_y = v.body_bottom + 0.3 * v.rh;
  v.tick_len = 0.4 * fs;
  v.tick_baseline = v.axis_y + v.tick_len + 1.05 * fs;
  double last_baseline = v.tick_baseline;
  v.xlabel_baseline = v.tick_baseline + 1.4 * fs;
  if (!in.xlabel.empty()) last_baseline = v.xlabel_baseline;
  v.model_baseline = last_baseline + 1.5 * fs;
  if (!in.model_note.empty()) last_baseline = v.model_baseline;
  v.total_h = last_baseline + 0.35 * fs + margin;
  return v;
}

/// The axis: from the study CIs and estimates, the summaries' CIs, the prediction intervals and
/// the null value (or the fixed limits), with at most one tick per 4.2 font sizes of panel.
axis_ticks choose_axis(const forest_input& in, const std::vector<row>& rows, const axis_position& pos, double panel_w,
                       double fs) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  auto include = [&](double v) {
    const double p = pos(v);
    if (std::isfinite(p)) {
      lo = std::min(lo, p);
      hi = std::max(hi, p);
    }
  };
  for (const auto& r : rows) {
    if (r.kind == row_kind::study) {
      include(r.study->ci_lower);
      include(r.study->ci_upper);
      include(r.study->estimate);
    }
    if (r.kind == row_kind::summary) {
      include(r.summary->ci_lower);
      include(r.summary->ci_upper);
    }
    if (r.kind == row_kind::prediction) {
      include(r.summary->pi_lower);
      include(r.summary->pi_upper);
    }
  }
  if (in.null_value) include(*in.null_value);
  if (!std::isfinite(lo)) {
    lo = pos(pos.log_axis ? 0.5 : -1.0);
    hi = pos(pos.log_axis ? 2.0 : 1.0);
  }
  if (in.x_min) lo = pos(*in.x_min);
  if (in.x_max) hi = pos(*in.x_max);
  const int max_ticks = std::max(3, static_cast<int>(panel_w / (4.2 * fs)));
  axis_ticks ticks = pos.log_axis ? log_ticks(std::exp(lo), std::exp(hi), max_ticks) : linear_ticks(lo, hi, max_ticks);
  if (in.x_min || in.x_max) {
    // Fixed limits: the axis ends exactly there and ticks outside them are dropped.
    if (in.x_min) ticks.lo = lo;
    if (in.x_max) ticks.hi = hi;
    axis_ticks kept{ticks.lo, ticks.hi, {}, {}};
    for (std::size_t i = 0; i < ticks.positions.size(); ++i) {
      const double eps = 1e-9 * (ticks.hi - ticks.lo);
      if (ticks.positions[i] >= ticks.lo - eps && ticks.positions[i] <= ticks.hi + eps) {
        kept.positions.push_back(ticks.positions[i]);
        kept.labels.push_back(ticks.labels[i]);
      }
    }
    ticks = std::move(kept);
  }
  return ticks;
}

/// Everything the drawing steps read.
struct forest_frame {
  const forest_input& in;
  const forest_style& st;
  const typesetting& t;
  const std::vector<row>& rows;
  const left_layout& left;
  const right_layout& right;
  const vertical_layout& v;
  const axis_position& pos;
  const axis_ticks& ticks;
  linear_map mx;
  double panel_x, panel_w, panel_right, total_w;
  rect panel_clip;
};

void draw_headers(scene& s, const forest_frame& f) {
  const forest_input& in = f.in;
  const forest_style& st = f.st;
  const vertical_layout& v = f.v;
  const double margin = st.margin;
  const stroke thin{st.rule, 0.5};
  s.begin_group("headers");
  for (const auto& sp : f.left.spans) {
    const double left = f.left.col_x[sp.first];
    const double right = f.left.col_x[sp.last - 1] + f.left.col_w[sp.last - 1];
    for (std::size_t l = 0; l < sp.lines.size(); ++l) {
      // Bottom-aligned: a name that wraps into fewer lines sits just above its rule.
      const double b = v.group_last_baseline - static_cast<double>(sp.lines.size() - 1 - l) * v.hl;
      s.text({(left + right) / 2.0, b}, sp.lines[l], f.t.body, anchor::middle, st.text);
    }
    s.line({left, v.cmid_y}, {right, v.cmid_y}, thin);
  }
  s.text({margin, v.header_baseline}, in.label_header, f.t.bold, anchor::start, st.text);
  for (std::size_t c = 0; c < in.columns.size(); ++c) {
    const bool right_aligned = in.columns[c].align == column_align::right;
    s.text({right_aligned ? f.left.col_x[c] + f.left.col_w[c] : f.left.col_x[c], v.header_baseline},
           in.columns[c].header, f.t.bold, right_aligned ? anchor::end : anchor::start, st.text);
  }
  const double eff_right = f.right.eff_right;
  if (in.ci_header.empty()) {
    s.text({eff_right, v.header_baseline}, in.effect_header, f.t.bold, anchor::end, st.text);
  } else {
    s.text({eff_right, v.header_baseline - v.hl}, in.effect_header, f.t.bold, anchor::end, st.text);
    s.text({eff_right, v.header_baseline}, in.ci_header, f.t.bold, anchor::end, st.text);
  }
  if (in.show_weights) {
    const double weight_right = f.right.weight_right;
    if (in.weight_unit.empty()) {
      s.text({weight_right, v.header_baseline}, in.weight_header, f.t.bold, anchor::end, st.text);
    } else {
      s.text({weight_right, v.header_baseline - v.hl}, in.weight_header, f.t.bold, anchor::end, st.text);
      s.text({weight_right, v.header_baseline}, in.weight_unit, f.t.bold, anchor::end, st.text);
    }
  }
  s.line({margin, v.rule_y}, {f.total_w - margin, v.rule_y}, {st.rule, 0.6});
  s.end_group();
}

/// Reference lines first, so that squares and diamonds are drawn over them.
void draw_reference_lines(scene& s, const forest_frame& f) {
  const forest_input& in = f.in;
  s.begin_group("reference-lines", f.panel_clip);
  if (in.null_value) {
    const double px = f.mx(f.pos(*in.null_value));
    if (px >= f.panel_x - 1e-9 && px <= f.panel_right + 1e-9) {
      s.line({px, f.v.body_top}, {px, f.v.axis_y}, {f.st.null_line, 0.6});
    }
  }
  if (in.pooled_line && in.overall && std::isfinite(f.pos(in.overall->estimate))) {
    const double px = f.mx(f.pos(in.overall->estimate));
    s.line({px, f.v.body_top}, {px, f.v.axis_y}, {f.st.pooled_line, 0.6, dash::dashed});
  }
  s.end_group();
}

/// Row labels, and the data columns' cells.
void draw_left_text(scene& s, const forest_frame& f) {
  const forest_style& st = f.st;
  s.begin_group("labels");
  for (std::size_t i = 0; i < f.rows.size(); ++i) {
    const row& r = f.rows[i];
    const point at{st.margin, f.v.row_baseline(i)};
    switch (r.kind) {
      case row_kind::heading: s.text(at, *r.heading, f.t.bold, anchor::start, st.text); break;
      case row_kind::study: s.text(at, r.study->label, f.t.body, anchor::start, st.text); break;
      case row_kind::summary: s.text(at, r.summary->label, f.t.bold, anchor::start, st.text); break;
      case row_kind::prediction: s.text(at, prediction_label, f.t.body, anchor::start, st.text); break;
      case row_kind::note:
      case row_kind::blank: break;
    }
  }
  s.end_group();

  const std::size_t nc = f.in.columns.size();
  if (nc > 0) {
    s.begin_group("data-columns");
    for (std::size_t i = 0; i < f.rows.size(); ++i) {
      if (f.rows[i].kind != row_kind::study) continue;
      for (std::size_t c = 0; c < nc; ++c) {
        const std::string& cell = f.rows[i].study->cells[c];
        if (cell.empty()) continue;
        const bool right_aligned = f.in.columns[c].align == column_align::right;
        s.text({right_aligned ? f.left.col_x[c] + f.left.col_w[c] : f.left.col_x[c], f.v.row_baseline(i)}, cell,
               f.t.body, right_aligned ? anchor::end : anchor::start, st.text);
      }
    }
    s.end_group();
  }
}

/// Squares, then the CI lines over them (with equal weights and narrow CIs the squares would hide
/// them).
void draw_studies(scene& s, const forest_frame& f) {
  const double rh = f.t.rh;
  // Squares: area proportional to weight, the largest filling most of a row.
  double w_max = 0.0;
  for (const auto& r : f.rows) {
    if (r.kind == row_kind::study && std::isfinite(r.study->weight)) w_max = std::max(w_max, r.study->weight);
  }
  const double side_max = 0.72 * rh;
  const double side_min = 0.18 * rh;
  s.begin_group("squares", f.panel_clip);
  for (std::size_t i = 0; i < f.rows.size(); ++i) {
    if (f.rows[i].kind != row_kind::study) continue;
    const forest_study& study = *f.rows[i].study;
    const double p = f.pos(study.estimate);
    if (!std::isfinite(p) || p < f.ticks.lo || p > f.ticks.hi) continue;
    double side = side_min;
    if (w_max > 0.0 && std::isfinite(study.weight) && study.weight > 0.0) {
      side = std::max(side_min, side_max * std::sqrt(study.weight / w_max));
    }
    s.box({f.mx(p) - side / 2.0, f.v.row_centre(i) - side / 2.0, side, side}, f.st.square);
  }
  s.end_group();

  s.begin_group("confidence-intervals");
  const stroke ci{f.st.ci_line, 0.7};
  for (std::size_t i = 0; i < f.rows.size(); ++i) {
    if (f.rows[i].kind != row_kind::study) continue;
    const forest_study& study = *f.rows[i].study;
    const double a = f.pos(study.ci_lower);
    const double b = f.pos(study.ci_upper);
    if (std::isnan(a) || std::isnan(b)) continue;
    const clipped_interval c = clip_interval(a, b, f.ticks.lo, f.ticks.hi);
    if (!c.visible) continue;
    draw_interval(s, f.mx(c.a), f.mx(c.b), f.v.row_centre(i), c.cut_low, c.cut_high, ci);
  }
  s.end_group();
}

/// Diamonds of the summaries and the prediction intervals.
void draw_summaries(scene& s, const forest_frame& f) {
  const double rh = f.t.rh;
  const axis_ticks& ticks = f.ticks;
  s.begin_group("summaries", f.panel_clip);
  const double half_h = 0.36 * rh;
  for (std::size_t i = 0; i < f.rows.size(); ++i) {
    const row& r = f.rows[i];
    if (r.kind == row_kind::summary) {
      const double e = f.pos(r.summary->estimate);
      const double a = f.pos(r.summary->ci_lower);
      const double b = f.pos(r.summary->ci_upper);
      if (!std::isfinite(e) || std::isnan(a) || std::isnan(b)) continue;
      const double yc = f.v.row_centre(i);
      const double xa = f.mx(std::max(a, ticks.lo - (ticks.hi - ticks.lo)));
      const double xb = f.mx(std::min(b, ticks.hi + (ticks.hi - ticks.lo)));
      s.polygon({{xa, yc}, {f.mx(e), yc - half_h}, {xb, yc}, {f.mx(e), yc + half_h}}, f.st.diamond);
    }
    if (r.kind == row_kind::prediction) {
      const clipped_interval c =
          clip_interval(f.pos(r.summary->pi_lower), f.pos(r.summary->pi_upper), ticks.lo, ticks.hi);
      if (!c.visible) continue;
      const double yc = f.v.row_centre(i);
      const stroke pst{f.st.prediction, 1.0};
      draw_interval(s, f.mx(c.a), f.mx(c.b), yc, c.cut_low, c.cut_high, pst);
      const double cap = 0.25 * rh;
      if (!c.cut_low) s.line({f.mx(c.a), yc - cap}, {f.mx(c.a), yc + cap}, pst);
      if (!c.cut_high) s.line({f.mx(c.b), yc - cap}, {f.mx(c.b), yc + cap}, pst);
    }
  }
  s.end_group();
}

/// "0.70 [ 0.60, 0.80]": each number right-aligned in its own sub-column, so that the brackets and
/// commas line up down the column; the text of the element is still the whole cell. Then the
/// weights.
void draw_right_text(scene& s, const forest_frame& f) {
  const right_layout& r = f.right;
  const font& body = f.t.body;
  s.begin_group("effects");
  for (std::size_t i = 0; i < f.rows.size(); ++i) {
    const row_kind k = f.rows[i].kind;
    if (k != row_kind::study && k != row_kind::summary && k != row_kind::prediction) continue;
    const effect_cell& c = r.cells[i];
    rich_text runs;
    if (k == row_kind::prediction) {
      runs.push_back({cell_open, r.e1});
    } else {
      runs.push_back({c.est, r.e1 - f.t.width(c.est, body)});
      runs.push_back({cell_open});
    }
    runs.push_back({c.lo, r.e2 - f.t.width(c.lo, body)});
    runs.push_back({cell_sep});
    runs.push_back({c.hi, r.e3 - f.t.width(c.hi, body)});
    runs.push_back({cell_close});
    s.text({r.e1, f.v.row_baseline(i)}, std::move(runs), body, anchor::start, f.st.text);
  }
  s.end_group();

  if (f.in.show_weights) {
    s.begin_group("weights");
    for (std::size_t i = 0; i < f.rows.size(); ++i) {
      double w = nan;
      if (f.rows[i].kind == row_kind::study) w = f.rows[i].study->weight;
      if (f.rows[i].kind == row_kind::summary) w = f.rows[i].summary->weight;
      if (f.rows[i].kind == row_kind::study || std::isfinite(w)) {
        s.text({r.weight_right, f.v.row_baseline(i)}, fixed(w, f.in.decimals), body, anchor::end, f.st.text);
      }
    }
    s.end_group();
  }
}

/// Notes under the columns, the axis with its ticks and label, and the model note.
void draw_footer(scene& s, const forest_frame& f) {
  const forest_style& st = f.st;
  const vertical_layout& v = f.v;
  s.begin_group("notes");
  for (std::size_t i = 0; i < f.rows.size(); ++i) {
    if (f.rows[i].kind == row_kind::note)
      s.text({st.margin, v.row_baseline(i)}, *f.rows[i].note, f.t.body, anchor::start, st.muted_text);
  }
  s.end_group();

  s.begin_group("axis");
  const stroke axis_stroke{st.text, 0.6};
  s.line({f.panel_x, v.axis_y}, {f.panel_right, v.axis_y}, axis_stroke);
  for (std::size_t t = 0; t < f.ticks.positions.size(); ++t) {
    const double px = f.mx(f.ticks.positions[t]);
    s.line({px, v.axis_y}, {px, v.axis_y + v.tick_len}, axis_stroke);
    s.text({px, v.tick_baseline}, f.ticks.labels[t], f.t.body, anchor::middle, st.text);
  }
  if (!f.in.xlabel.empty())
    s.text({(f.panel_x + f.panel_right) / 2.0, v.xlabel_baseline}, f.in.xlabel, f.t.body, anchor::middle, st.text);
  s.end_group();

  if (!f.in.model_note.empty()) {
    s.begin_group("model");
    s.text({st.margin, v.model_baseline}, f.in.model_note, f.t.small, anchor::start, st.muted_text);
    s.end_group();
  }
}

}  // namespace

forest_plot build_forest(const forest_input& in, const forest_style& st) {
  check_forest_input(in);
  const axis_position pos{in.scale == axis_scale::log};
  const typesetting t(st);
  const double fs = t.fs;
  const double margin = st.margin;

  const std::vector<row> rows = assemble_rows(in);
  const left_layout left = layout_left(in, rows, st, t);
  const double panel_x = left.left_end + 1.8 * fs;
  const double panel_w = st.panel_width;
  const double panel_right = panel_x + panel_w;
  const right_layout right = layout_right(in, rows, panel_right, t);
  const font title_font{fs * 1.25, font_weight::bold};
  double total_w = right.weight_right + margin;
  if (!in.title.empty()) total_w = std::max(total_w, t.width(in.title, title_font) + 2.0 * margin);
  const vertical_layout v = layout_vertical(in, left.spans, rows.size(), title_font, margin, t);
  const axis_ticks ticks = choose_axis(in, rows, pos, panel_w, fs);

  forest_plot out;
  scene& s = out.drawing;
  s.width = total_w;
  s.height = v.total_h;
  s.font_family = t.fam;
  s.title = in.title.empty() ? "Forest plot" : in.title;
  const forest_frame f{in,
                       st,
                       t,
                       rows,
                       left,
                       right,
                       v,
                       pos,
                       ticks,
                       linear_map{ticks.lo, ticks.hi, panel_x, panel_right},
                       panel_x,
                       panel_w,
                       panel_right,
                       total_w,
                       rect{panel_x - 0.5, v.body_top - 0.5 * t.rh, panel_w + 1.0, v.axis_y - v.body_top + 0.5 * t.rh}};

  if (!in.title.empty()) {
    s.begin_group("title");
    s.text({total_w / 2.0, v.title_baseline}, in.title, title_font, anchor::middle, st.text);
    s.end_group();
  }
  draw_headers(s, f);
  draw_reference_lines(s, f);
  draw_left_text(s, f);
  draw_studies(s, f);
  draw_summaries(s, f);
  draw_right_text(s, f);
  draw_footer(s, f);

  out.layout.left = {margin, v.rule_y, left.left_end - margin, v.axis_y - v.rule_y};
  out.layout.panel = {panel_x, v.rule_y, panel_w, v.axis_y - v.rule_y};
  out.layout.right = {right.eff_left, v.rule_y, right.weight_right - right.eff_left, v.axis_y - v.rule_y};
  out.layout.row_height = t.rh;
  out.layout.rows = rows.size();
  return out;
}

}  // namespace metasift::plot
