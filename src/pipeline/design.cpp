#include "metasift/pipeline/design.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <string_view>

#include "metasift/core/check.hpp"
#include "metasift/core/error.hpp"
#include "metasift/core/limits.hpp"

namespace metasift::pipeline {
namespace {

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool missing_cell(std::string_view cell) {
  const std::string_view s = trim(cell);
  return s.empty() || s == "NA" || s == ".";
}

[[noreturn]] void missing_column(const io::table& t, const std::string& name, std::string_view role) {
  std::string present;
  for (const auto& n : t.names) present += (present.empty() ? "" : ", ") + n;
  fail_input(source_position{t.file, 1, 0}, "",
             "missing " + std::string(role) + " column '" + name + "' (columns present: " + present + ")");
}

std::size_t column_index(const io::table& t, const std::string& name, std::string_view role) {
  const auto idx = t.find(name);
  if (!idx) missing_column(t, name, role);
  return *idx;
}

/// The cell as a number, or nullopt when it is not one (missing cells are handled by the caller).
/// Non-throwing: a text moderator asks this of every cell, and an exception per cell made a
/// many-level factor slow.
std::optional<double> as_number(const io::table& t, std::size_t row, std::size_t col) {
  return t.try_number(row, col);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string study_name(const std::vector<std::string>& labels, std::size_t pos) {
  return pos < labels.size() ? labels[pos] : "row " + std::to_string(pos + 1);
}

std::string number_text(double x) {
  return format_value(x);
}

/// Largest moderator magnitude a fit can use: sqrt(DBL_MAX) is 1.3e154, and X'WX multiplies
/// squares by weights.
constexpr double max_moderator_magnitude = 1e150;

}  // namespace

factor_levels read_factor(const io::table& t, const std::string& name, const std::vector<std::size_t>& rows) {
  const std::size_t col = column_index(t, name, "grouping");
  factor_levels f;
  f.column = t.names[col];
  f.index.assign(rows.size(), -1);
  // Numeric when every present cell is a number: then levels sort by value (R's factor of a number).
  bool numeric = true;
  bool any = false;
  for (std::size_t r : rows) {
    if (missing_cell(t.rows.at(r).at(col))) continue;
    any = true;
    if (!as_number(t, r, col)) {
      numeric = false;
      break;
    }
  }
  f.numeric = numeric && any;
  if (f.numeric) {
    std::map<double, std::string> by_value;  // first spelling of each value
    for (std::size_t r : rows) {
      if (missing_cell(t.rows[r][col])) continue;
      const double x = *as_number(t, r, col);
      by_value.emplace(x, std::string(trim(t.rows[r][col])));
    }
    std::map<double, int> pos;
    for (const auto& [x, text] : by_value) {
      pos[x] = static_cast<int>(f.levels.size());
      f.levels.push_back(text);
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (missing_cell(t.rows[rows[i]][col])) continue;
      f.index[i] = pos.at(*as_number(t, rows[i], col));
    }
  } else {
    std::map<std::string, int> pos;
    for (std::size_t r : rows) {
      if (!missing_cell(t.rows[r][col])) pos.emplace(std::string(trim(t.rows[r][col])), 0);
    }
    for (auto& [text, index] : pos) {
      index = static_cast<int>(f.levels.size());
      f.levels.push_back(text);
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (missing_cell(t.rows[rows[i]][col])) continue;
      f.index[i] = pos.at(std::string(trim(t.rows[rows[i]][col])));
    }
  }
  return f;
}

design_matrix build_design(const io::table& t, const std::vector<std::size_t>& rows,
                           const std::vector<std::string>& labels, const design_options& opt) {
  if (opt.moderators.empty() && !opt.intercept) {
    fail_usage("--no-intercept", "needs at least one --moderator: the model would have no coefficients");
  }
  for (const auto& c : opt.categorical) {
    const bool listed =
        std::any_of(opt.moderators.begin(), opt.moderators.end(), [&](const std::string& m) { return iequals(m, c); });
    if (!listed) fail_usage("--categorical", "'" + c + "' is not one of the --moderator columns");
  }
  design_matrix out;

  // Each moderator: its column, whether it is categorical, and per row its value or level.
  struct term {
    std::size_t col;
    std::string name;
    bool categorical;
    factor_levels f;
  };
  std::vector<term> terms;
  for (const auto& m : opt.moderators) {
    term tm;
    tm.col = column_index(t, m, "moderator");
    tm.name = t.names[tm.col];
    const bool forced = std::any_of(opt.categorical.begin(), opt.categorical.end(),
                                    [&](const std::string& c) { return iequals(c, m); });
    bool numeric = true;
    std::size_t numbers = 0;
    std::optional<std::size_t> first_text;
    for (std::size_t r : rows) {
      if (missing_cell(t.rows.at(r).at(tm.col))) continue;
      if (as_number(t, r, tm.col)) {
        ++numbers;
      } else {
        numeric = false;
        if (!first_text) first_text = r;
      }
    }
    tm.categorical = forced || !numeric;
    if (!forced && !numeric && numbers > 0) {
      // R's read.csv would make such a column a factor too; say so, since it may be a typo.
      out.notes.add("moderator '" + tm.name + "' has " + std::to_string(numbers) +
                    " numeric values but also text (e.g. '" + std::string(trim(t.rows[*first_text][tm.col])) + "' at " +
                    t.position(*first_text, tm.col).to_string() + "); it is treated as categorical");
    }
    if (tm.categorical) tm.f = read_factor(t, tm.name, rows);
    for (const auto& prev : terms) {
      if (prev.col == tm.col) fail_usage("--moderator", "'" + tm.name + "' is given twice");
    }
    terms.push_back(std::move(tm));
  }

  // Rows with a missing moderator value are left out, each named (metafor omits them with a warning).
  for (std::size_t i = 0; i < rows.size(); ++i) {
    bool complete = true;
    for (const auto& tm : terms) {
      if (missing_cell(t.rows.at(rows[i]).at(tm.col))) complete = false;
    }
    (complete ? out.kept : out.missing).push_back(i);
  }
  for (std::size_t i : out.missing) {
    std::string which;
    for (const auto& tm : terms) {
      if (missing_cell(t.rows[rows[i]][tm.col])) which += (which.empty() ? "'" : ", '") + tm.name + "'";
    }
    out.notes.add("study '" + study_name(labels, i) + "' left out of the meta-regression: moderator " + which +
                  " is missing (" + t.position(rows[i], terms.front().col).to_string() + ")");
  }

  // Columns.
  models::design& x = out.x;
  x.rows = out.kept.size();
  x.has_intercept = opt.intercept;
  std::vector<std::vector<double>> cols;
  if (opt.intercept) {
    x.names.push_back("intrcpt");
    cols.emplace_back(x.rows, 1.0);
  }
  bool full_coding_used = opt.intercept;  // without an intercept, the first factor gets every level
  for (const auto& tm : terms) {
    if (!tm.categorical) {
      std::vector<double> c;
      for (std::size_t i : out.kept) {
        const double v = *as_number(t, rows[i], tm.col);
        // Products and squares of such values overflow in the fit (X'WX); refused like yi = 1e308.
        if (!(std::abs(v) <= max_moderator_magnitude)) {
          fail_input(
              t.position(rows[i], tm.col), "column '" + tm.name + "'",
              "moderator value " + number_text(v) +
                  " is beyond what double precision can fit (its square overflows); rescale it, e.g. change units");
        }
        c.push_back(v);
      }
      if (cols.size() + 1 > limits::max_design_columns) {
        fail_input(t.header_position(tm.col), "",
                   "the design would have more than " + std::to_string(limits::max_design_columns) +
                       " columns (limit max_design_columns)");
      }
      if (!c.empty() && std::all_of(c.begin(), c.end(), [&](double v) { return v == c.front(); })) {
        out.notes.add("moderator '" + tm.name + "' is constant (" + number_text(c.front()) + ")" +
                      (opt.intercept ? "; it is aliased with the intercept" : ""));
      }
      x.names.push_back(tm.name);
      cols.push_back(std::move(c));
      continue;
    }
    // The levels present in the kept rows, in sorted order.
    std::vector<bool> present(tm.f.levels.size(), false);
    for (std::size_t i : out.kept) present[static_cast<std::size_t>(tm.f.index[i])] = true;
    factor_coding fc;
    fc.column = tm.name;
    for (std::size_t l = 0; l < present.size(); ++l) {
      if (present[l]) fc.levels.push_back(tm.f.levels[l]);
    }
    const bool full = !full_coding_used;
    full_coding_used = true;
    if (fc.levels.size() == 1) {
      out.notes.add("categorical moderator '" + tm.name + "' has a single level ('" + fc.levels.front() +
                    "') among the studies used; it is aliased with the intercept");
    }
    fc.reference = full ? "" : (fc.levels.empty() ? "" : fc.levels.front());
    const std::size_t first = full ? 0 : 1;
    const std::size_t ncols = fc.levels.size() > first ? fc.levels.size() - first : 0;
    if (cols.size() + ncols > limits::max_design_columns) {
      fail_input(t.header_position(tm.col), "",
                 "moderator '" + tm.name + "' has " + std::to_string(fc.levels.size()) +
                     " levels: the design would have " + std::to_string(cols.size() + ncols) +
                     " columns (limit max_design_columns, " + std::to_string(limits::max_design_columns) +
                     "); is it an identifier rather than a moderator? Use fewer, coarser categories");
    }
    // Column of each present level, found once per row through the level index (a comparison of
    // every row with every level was quadratic).
    std::vector<std::size_t> column_of(tm.f.levels.size(), static_cast<std::size_t>(-1));
    for (std::size_t l = 0, seen = 0; l < present.size(); ++l) {
      if (!present[l]) continue;
      if (seen >= first) column_of[l] = cols.size() + (seen - first);
      ++seen;
    }
    for (std::size_t l = first; l < fc.levels.size(); ++l) {
      fc.columns.push_back(tm.name + fc.levels[l]);
      x.names.push_back(fc.columns.back());
    }
    const std::size_t base = cols.size();
    cols.resize(base + ncols, std::vector<double>(out.kept.size(), 0.0));
    for (std::size_t r = 0; r < out.kept.size(); ++r) {
      const std::size_t j = column_of[static_cast<std::size_t>(tm.f.index[out.kept[r]])];
      if (j != static_cast<std::size_t>(-1)) cols[j][r] = 1.0;
    }
    out.factors.push_back(std::move(fc));
  }
  x.cols = cols.size();
  x.x.resize(x.rows * x.cols);
  for (std::size_t i = 0; i < x.rows; ++i) {
    for (std::size_t j = 0; j < x.cols; ++j) x.x[i * x.cols + j] = cols[j][i];
  }
  return out;
}

}  // namespace metasift::pipeline
