#include "metasift/pipeline/study_inputs.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include "metasift/core/check.hpp"
#include "metasift/pipeline/study_data.hpp"

namespace metasift::pipeline {
namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

using effects::measure;

/// The alternative input columns of a group (suffix "1" or "2"; quartiles are q1_1, q3_1, ...).
std::vector<std::string> group_columns(const std::string& g) {
  return {"se" + g, "ci_lower" + g, "ci_upper" + g, "median" + g, "q1_" + g, "q3_" + g, "min" + g, "max" + g};
}

/// A cell that may be absent: no column, or a missing value (blank, NA, .).
struct cell {
  std::optional<double> value;
  source_position where;
  std::string column;  ///< the column's name as the file spells it ("" when there is no column)
  explicit operator bool() const { return value.has_value(); }
  double operator*() const { return *value; }
};

class row_reader {
 public:
  row_reader(const io::table& t, const std::map<std::string, std::string>& cols) : t_(t), cols_(cols) {}

  /// The column of `canonical`: its --col remap, else its own name, else metafor's escalc argument
  /// name (n1i, m1i, sd1i, n2i, m2i, sd2i; ti and pi for the test statistics), as the meta reader
  /// accepts them (study_data.cpp). An explicit remap is never second-guessed.
  [[nodiscard]] std::optional<std::size_t> index(const std::string& canonical) const {
    const auto it = cols_.find(canonical);
    if (it != cols_.end()) return t_.find(it->second);
    if (const auto idx = t_.find(canonical)) return idx;
    static const std::map<std::string, std::string> metafor{{"n1", "n1i"}, {"mean1", "m1i"}, {"sd1", "sd1i"},
                                                            {"n2", "n2i"}, {"mean2", "m2i"}, {"sd2", "sd2i"},
                                                            {"t", "ti"},   {"p", "pi"}};
    const auto alias = metafor.find(canonical);
    return alias == metafor.end() ? std::nullopt : t_.find(alias->second);
  }
  [[nodiscard]] bool has(const std::string& canonical) const { return index(canonical).has_value(); }

  [[nodiscard]] cell get(std::size_t row, const std::string& canonical) const {
    cell c;
    const auto idx = index(canonical);
    if (!idx) return c;
    c.column = t_.names[*idx];
    c.where = t_.position(row, *idx);
    c.value = t_.optional_number(row, *idx);
    return c;
  }

  /// +1 or -1 from "1", "+1", "+", "-1", "-"; nullopt when the cell is absent or missing.
  [[nodiscard]] std::optional<double> direction(std::size_t row, cell& where) const {
    const auto idx = index("direction");
    if (!idx) return std::nullopt;
    where.column = t_.names[*idx];
    where.where = t_.position(row, *idx);
    std::string s = t_.rows[row][*idx];
    s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char ch) { return std::isspace(ch) != 0; }), s.end());
    if (s.empty() || s == "NA" || s == ".") return std::nullopt;
    if (s == "1" || s == "+1" || s == "+") return 1.0;
    if (s == "-1" || s == "-") return -1.0;
    fail_input(where.where, "column '" + where.column + "'",
               "must be 1 or -1 (the sign of mean1 - mean2), got '" + s + "'");
  }

 private:
  const io::table& t_;
  const std::map<std::string, std::string>& cols_;
};

std::string quoted(const cell& c) {
  return "column '" + c.column + "'";
}

/// One group's mean and SD with where they came from.
struct group_value {
  double mean = k_nan, sd = k_nan;
  source_position mean_at, sd_at;
  std::string kind;
};

/// Tries the exact sets (sd, se, ci) when `exact`, else the quantile sets; nullopt when none is complete.
std::optional<group_value> resolve_group(const row_reader& rd, std::size_t row, const std::string& g, double n,
                                         const cell& n_cell, bool exact, const input_options& opt) {
  if (exact) {
    const cell mean = rd.get(row, "mean" + g);
    const cell sd = rd.get(row, "sd" + g);
    if (mean && sd) return group_value{*mean, *sd, mean.where, sd.where, "mean_sd"};
    const cell se = rd.get(row, "se" + g);
    if (mean && se) {
      check_nonnegative(se.where, quoted(se), *se);
      return group_value{*mean, effects::sd_from_se(*se, n), mean.where, se.where, "mean_se"};
    }
    const cell lo = rd.get(row, "ci_lower" + g);
    const cell hi = rd.get(row, "ci_upper" + g);
    if (lo && hi) {
      if (*hi < *lo) {
        fail_input(hi.where, quoted(hi),
                   "must not be below " + quoted(lo) + " (" + format_value(*lo) + "), got " + format_value(*hi));
      }
      if (n < 2) {
        fail_input(n_cell.where, quoted(n_cell),
                   "must be at least 2 to turn a confidence interval into an SD, got " + format_value(n));
      }
      const effects::mean_sd m = effects::mean_sd_from_ci(*lo, *hi, n, opt.ci_level);
      return group_value{mean ? *mean : m.mean, m.sd, mean ? mean.where : lo.where, hi.where, "mean_ci"};
    }
    return std::nullopt;
  }
  const cell med = rd.get(row, "median" + g);
  if (!med) return std::nullopt;
  const cell q1 = rd.get(row, "q1_" + g), q3 = rd.get(row, "q3_" + g);
  const cell lo = rd.get(row, "min" + g), hi = rd.get(row, "max" + g);
  const bool iqr = q1 && q3, range = lo && hi;
  if (!iqr && !range) return std::nullopt;
  const effects::quantile_set set = iqr && range ? effects::quantile_set::all_five
                                    : iqr        ? effects::quantile_set::iqr
                                                 : effects::quantile_set::range;
  if (n < 3) {
    fail_input(n_cell.where, quoted(n_cell),
               "must be at least 3 to estimate a mean and SD from a median and its " +
                   std::string(effects::describe(set)) + ", got " + format_value(n));
  }
  // Order check, cell by cell, so that the error points at the value out of place.
  std::vector<const cell*> used;
  if (range) used.push_back(&lo);
  if (iqr) used.push_back(&q1);
  used.push_back(&med);
  if (iqr) used.push_back(&q3);
  if (range) used.push_back(&hi);
  for (std::size_t i = 0; i + 1 < used.size(); ++i) {
    if (**used[i] > **used[i + 1]) {
      fail_input(used[i]->where, quoted(*used[i]),
                 "must not exceed " + quoted(*used[i + 1]) + " (" + format_value(**used[i + 1]) + "), got " +
                     format_value(**used[i]));
    }
  }
  const effects::five_number q{range ? *lo : k_nan, iqr ? *q1 : k_nan, *med, iqr ? *q3 : k_nan, range ? *hi : k_nan};
  const effects::mean_sd m = effects::mean_sd_from_quantiles(set, q, n, opt.five_number);
  const char* kind = set == effects::quantile_set::all_five ? "median_five"
                     : set == effects::quantile_set::iqr    ? "median_iqr"
                                                            : "median_range";
  return group_value{m.mean, m.sd, med.where, (iqr ? q3 : hi).where, kind};
}

/// The test-statistic route of an SMD row: Cohen's d as mean1 = d, mean2 = 0, sd1 = sd2 = 1, exactly
/// as metafor's escalc("SMD", ti = ...) feeds it to its SMD formulas.
std::optional<std::pair<double, cell>> statistic_d(const row_reader& rd, std::size_t row, double n1, double n2,
                                                   std::string& kind, std::string& missing_direction) {
  const cell t = rd.get(row, "t");
  if (t) {
    kind = "t";
    return std::make_pair(effects::d_from_t(*t, n1, n2), t);
  }
  cell dir_cell;
  const std::optional<double> dir = rd.direction(row, dir_cell);
  const cell f = rd.get(row, "f");
  if (f) {
    if (*f < 0) fail_input(f.where, quoted(f), "must not be negative, got " + format_value(*f));
    if (!dir) {
      missing_direction = quoted(f);
    } else {
      kind = "F";
      return std::make_pair(effects::d_from_t(effects::t_from_f(*f, *dir), n1, n2), f);
    }
  }
  const cell p = rd.get(row, "p");
  if (p) {
    if (!(*p > 0 && *p <= 1)) fail_input(p.where, quoted(p), "must lie in (0, 1], got " + format_value(*p));
    if (!(n1 + n2 > 2)) return std::nullopt;
    if (!dir) {
      missing_direction = quoted(p);
    } else {
      kind = "p";
      return std::make_pair(effects::d_from_t(effects::t_from_p(*p, n1, n2, *dir), n1, n2), p);
    }
  }
  return std::nullopt;
}

/// MD pools raw differences, so every row must be in one unit.
void check_units(const io::table& t, const row_reader& rd, std::vector<std::string>& notes) {
  const auto idx = rd.index("unit");
  if (!idx) {
    notes.push_back(
        "MD pooled without a 'unit' column: the pooled difference is in the studies' units, which the "
        "data do not name");
    return;
  }
  std::string first;
  std::size_t first_row = 0, blank = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    std::string u = t.rows[r][*idx];
    const auto b = u.find_first_not_of(" \t"), e = u.find_last_not_of(" \t");
    u = b == std::string::npos ? "" : u.substr(b, e - b + 1);
    if (u.empty() || u == "NA" || u == ".") {
      ++blank;
      continue;
    }
    if (first.empty()) {
      first = u;
      first_row = r;
    } else if (u != first) {
      fail_input(t.position(r, *idx), "column '" + t.names[*idx] + "'",
                 "unit '" + u + "' differs from '" + first + "' (line " + std::to_string(t.row_line[first_row]) +
                     "): a mean difference cannot pool different units; convert them, or use SMD or ROM");
    }
  }
  if (blank > 0) {
    notes.push_back(std::to_string(blank) + " row" + (blank == 1 ? "" : "s") + " of the MD data name no unit" +
                    (first.empty() ? "" : " (the others: '" + first + "')"));
  }
}

std::string studies(std::size_t k) {
  return k == 1 ? "1 study" : std::to_string(k) + " studies";
}

std::vector<std::string> conversion_sentences(const std::map<std::string, std::size_t>& count,
                                              const input_options& opt) {
  std::vector<std::string> out;
  auto add = [&](const char* kind, const std::string& text) {
    const auto it = count.find(kind);
    if (it != count.end() && it->second > 0)
      out.push_back(text.substr(0, text.find('#')) + studies(it->second) + text.substr(text.find('#') + 1));
  };
  const std::string level = format_value(opt.ci_level * 100.0) + "%";
  add("mean_se", "SDs of # were computed from standard errors (SD = SE sqrt(n); Cochrane Handbook 6.5.2.2)");
  add("mean_ci",
      "means and SDs of # were computed from " + level +
          " confidence intervals (SD = sqrt(n) (upper - lower)/(2 t on n - 1 df); Cochrane Handbook 6.5.2.2)");
  add("median_five",
      std::string("means of # were estimated from five-number summaries (Luo et al. 2018), SDs from them (") +
          (opt.five_number == effects::five_number_sd::shi2020 ? "Shi et al. 2020" : "Wan et al. 2014") +
          "; Cochrane Handbook 6.5.2.5)");
  add("median_iqr",
      "means of # were estimated from medians and quartiles (Luo et al. 2018), SDs from IQRs "
      "(Wan et al. 2014; Cochrane Handbook 6.5.2.5)");
  add("median_range",
      "means of # were estimated from medians and ranges (Luo et al. 2018), SDs from ranges "
      "(Wan et al. 2014; Cochrane Handbook 6.5.2.5)");
  add("t", "SMDs of # were computed from t statistics (d = t sqrt(1/n1 + 1/n2), as metafor's escalc)");
  add("F", "SMDs of # were computed from one-df F statistics (t = direction sqrt(F))");
  add("p", "SMDs of # were computed from two-sided p-values (t = direction qt(p/2, n1 + n2 - 2, upper tail))");
  return out;
}

}  // namespace

study_inputs read_study_inputs(const io::table& t, measure m, const std::map<std::string, std::string>& cols,
                               const input_options& opt) {
  study_inputs out;
  const bool continuous = m == measure::MD || m == measure::SMD || m == measure::ROM;
  const row_reader rd(t, cols);
  if (m == measure::MD) check_units(t, rd, out.notes);
  bool alternatives = false;
  if (continuous) {
    for (const char* g : {"1", "2"}) {
      for (const auto& c : group_columns(g)) alternatives = alternatives || rd.has(c);
    }
    if (m == measure::SMD) alternatives = alternatives || rd.has("t") || rd.has("f") || rd.has("p");
  }
  if (!alternatives) {
    out.raw = extract(t, m, cols);
    out.kind.assign(t.rows.size(), continuous ? "mean_sd" : "");
    out.not_estimable.assign(t.rows.size(), "");
    return out;
  }

  out.derived = true;
  const std::array<const char*, 6> names{"n1", "mean1", "sd1", "n2", "mean2", "sd2"};
  std::array<effects::column, 6> columns;
  for (std::size_t j = 0; j < names.size(); ++j) {
    const auto idx = rd.index(names[j]);
    columns[j].name = idx ? t.names[*idx] : names[j];
  }
  for (const char* n : {"n1", "n2"}) {
    if (!rd.has(n)) {
      std::string present;
      for (const auto& name : t.names) present += (present.empty() ? "" : ", ") + name;
      fail_input(source_position{t.file, 1, 0}, "",
                 "missing column '" + std::string(n) + "' required by measure " + std::string(effects::to_string(m)) +
                     " (columns present: " + present + ")");
    }
  }
  std::map<std::string, std::size_t> count;
  for (std::size_t row = 0; row < t.rows.size(); ++row) {
    const cell n1 = rd.get(row, "n1"), n2 = rd.get(row, "n2");
    std::array<double, 6> v{k_nan, k_nan, k_nan, k_nan, k_nan, k_nan};
    std::array<source_position, 6> at{n1.where, {}, {}, n2.where, {}, {}};
    std::string kind, reason;
    if (!n1 || !n2) {
      reason = "missing value in " + quoted(!n1 ? n1 : n2);
    } else {
      v[0] = *n1;
      v[3] = *n2;
      // Group sizes are checked by effects::compute; the conversions need them positive first.
      check_positive(n1.where, quoted(n1), *n1);
      check_positive(n2.where, quoted(n2), *n2);
      auto g1 = resolve_group(rd, row, "1", *n1, n1, true, opt);
      auto g2 = resolve_group(rd, row, "2", *n2, n2, true, opt);
      std::string missing_direction;
      if (!(g1 && g2) && m == measure::SMD) {
        std::string stat_kind;
        if (const auto d = statistic_d(rd, row, *n1, *n2, stat_kind, missing_direction)) {
          v[1] = d->first;
          v[2] = 1.0;
          v[4] = 0.0;
          v[5] = 1.0;
          at[1] = at[2] = at[4] = at[5] = d->second.where;
          kind = stat_kind;
          ++count[kind];
        }
      }
      if (kind.empty()) {
        if (!g1) g1 = resolve_group(rd, row, "1", *n1, n1, false, opt);
        if (!g2) g2 = resolve_group(rd, row, "2", *n2, n2, false, opt);
        if (g1 && g2) {
          v[1] = g1->mean;
          v[2] = g1->sd;
          v[4] = g2->mean;
          v[5] = g2->sd;
          at[1] = g1->mean_at;
          at[2] = g1->sd_at;
          at[4] = g2->mean_at;
          at[5] = g2->sd_at;
          kind = g1->kind == g2->kind ? g1->kind : g1->kind + "/" + g2->kind;
          for (const auto* g : {&*g1, &*g2}) {
            if (m == measure::ROM && !(g->mean > 0) && g->kind != "mean_sd") {
              fail_input(g->mean_at, "",
                         "measure ROM needs positive means, but the mean estimated from this row's " + g->kind +
                             " input is " + format_value(g->mean));
            }
          }
          // Count a study once per conversion, whichever group needed it.
          if (g1->kind != "mean_sd") ++count[g1->kind];
          if (g2->kind != "mean_sd" && g2->kind != g1->kind) ++count[g2->kind];
        } else {
          const std::string g = !g1 ? "1" : "2";
          reason = "no complete input set for group " + g + " (mean" + g + " with sd" + g + ", se" + g +
                   " or ci_lower" + g + " and ci_upper" + g + "; or median" + g + " with q1_" + g + " and q3_" + g +
                   " and/or min" + g + " and max" + g + ")";
          if (m == measure::SMD) {
            reason += missing_direction.empty() ? ", and no t, F or p"
                                                : ", and " + missing_direction + " has no 'direction' (+1 or -1)";
          }
        }
      }
    }
    for (std::size_t j = 0; j < names.size(); ++j) {
      columns[j].values.push_back(v[j]);
      columns[j].where.push_back(at[j]);
    }
    out.kind.push_back(kind);
    out.not_estimable.push_back(reason);
  }
  for (std::size_t j = 0; j < names.size(); ++j) out.raw.columns.emplace(names[j], std::move(columns[j]));
  if (const auto idx = rd.index("study")) {
    for (std::size_t r = 0; r < t.rows.size(); ++r) out.raw.labels.push_back(t.rows[r][*idx]);
  } else {
    for (std::size_t r = 0; r < t.rows.size(); ++r) out.raw.labels.push_back("Study " + std::to_string(r + 1));
  }
  out.conversions = conversion_sentences(count, opt);
  return out;
}

void explain_exclusions(effects::effect_table& e, const study_inputs& in) {
  for (auto& ex : e.excluded) {
    if (ex.index >= in.not_estimable.size() || in.not_estimable[ex.index].empty()) continue;
    const std::string label = ex.index < in.raw.labels.size() ? in.raw.labels[ex.index] : "";
    const std::string old_note = "study '" + label + "' excluded: " + ex.reason;
    ex.reason = "not estimable: " + in.not_estimable[ex.index];
    for (auto& note : e.notes.items) {
      if (note == old_note) note = "study '" + label + "' excluded: " + ex.reason;
    }
  }
}

std::vector<std::string> included_input_kinds(const effects::effect_table& e, const study_inputs& in) {
  std::vector<std::string> out;
  if (!in.derived) return out;
  for (const std::size_t row : e.source_row) out.push_back(row < in.kind.size() ? in.kind[row] : "");
  return out;
}

}  // namespace metasift::pipeline
