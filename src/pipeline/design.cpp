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

namespace {

/// One variable of a model formula: a column as it is, factor(col), I(col^k) or poly(col, d[, raw]).
enum class var_kind { plain, factor, power, poly };

struct variable {
  std::string spec;  ///< as written (trimmed), for messages
  std::string column_given;
  var_kind kind = var_kind::plain;
  int degree = 1;  ///< power of I(x^k); degree of poly
  bool raw = false;
  // Resolved against the table:
  std::size_t col = 0;
  std::string text;  ///< as R deparses it: ablat, factor(alloc), I(ablat^2), poly(year, 2)
  bool categorical = false;
  factor_levels f;
};

/// Splits s at `sep` outside parentheses.
std::vector<std::string> split_top(std::string_view s, char sep) {
  std::vector<std::string> out;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')') --depth;
    if (s[i] == sep && depth == 0) {
      out.emplace_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.emplace_back(trim(s.substr(start)));
  return out;
}

std::string without_spaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t') out += c;
  }
  return out;
}

[[noreturn]] void bad_term(const std::string& spec, const std::string& why) {
  fail_usage("--moderator", "'" + spec + "': " + why);
}

/// A positive whole number of at most two digits, or -1.
int small_count(std::string_view s) {
  if (s.empty() || s.size() > 2 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  const int v = std::stoi(std::string(s));
  return v >= 1 ? v : -1;
}

/// Parses one variable: col, factor(col), I(col^k), poly(col, d) or poly(col, d, raw = TRUE).
variable parse_variable(const std::string& whole, const std::string& text) {
  variable v;
  v.spec = text;
  const std::string compact = without_spaces(text);
  auto inner = [&](std::string_view prefix) -> std::optional<std::string> {
    if (compact.size() > prefix.size() + 1 && iequals(compact.substr(0, prefix.size()), prefix) &&
        compact.back() == ')') {
      // The argument text keeps the column's own spelling (spaces inside a column name stay).
      const auto open = text.find('(');
      const auto close = text.rfind(')');
      return std::string(trim(std::string_view(text).substr(open + 1, close - open - 1)));
    }
    return std::nullopt;
  };
  if (text.empty()) bad_term(whole, "an empty term");
  if (auto a = inner("factor(")) {
    v.kind = var_kind::factor;
    v.column_given = *a;
  } else if (auto b = inner("I(")) {
    const auto caret = b->rfind('^');
    const int k = caret == std::string::npos ? -1 : small_count(trim(std::string_view(*b).substr(caret + 1)));
    if (k < 1) bad_term(whole, "I() takes a power of a column, e.g. I(year^2)");
    v.kind = var_kind::power;
    v.degree = k;
    v.column_given = std::string(trim(std::string_view(*b).substr(0, caret)));
  } else if (auto c = inner("poly(")) {
    const std::vector<std::string> args = split_top(*c, ',');
    if (args.size() < 2 || args.size() > 3) bad_term(whole, "poly() takes a column and a degree, e.g. poly(year, 2)");
    const int d = small_count(args[1]);
    if (d < 1) bad_term(whole, "the degree of poly() must be a whole number from 1 to 99");
    if (args.size() == 3) {
      const std::string r = without_spaces(args[2]);
      if (iequals(r, "raw=TRUE") || iequals(r, "raw=T")) {
        v.raw = true;
      } else if (!iequals(r, "raw=FALSE") && !iequals(r, "raw=F")) {
        bad_term(whole, "poly()'s third argument must be raw = TRUE or raw = FALSE");
      }
    }
    v.kind = var_kind::poly;
    v.degree = d;
    v.column_given = args[0];
  } else {
    v.column_given = text;
  }
  if (v.column_given.empty()) bad_term(whole, "no column named");
  return v;
}

/// R's orthogonal polynomial basis (stats::poly): the powers 1..d of x - mean(x), each made
/// orthogonal to the lower ones (and the constant) by Gram-Schmidt and scaled to unit length, which
/// is what poly's QR (Z = Q diag(R), columns divided by their norms) gives.
std::vector<std::vector<double>> orthogonal_poly(const std::vector<double>& x, int degree) {
  const std::size_t n = x.size();
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(n);
  std::vector<std::vector<double>> basis;  // unit vectors, the constant first
  basis.emplace_back(n, 1.0 / std::sqrt(static_cast<double>(n)));
  std::vector<std::vector<double>> out;
  for (int j = 1; j <= degree; ++j) {
    std::vector<double> z(n);
    for (std::size_t i = 0; i < n; ++i) z[i] = std::pow(x[i] - mean, j);
    for (int pass = 0; pass < 2; ++pass) {  // re-orthogonalised once for stability
      for (const auto& q : basis) {
        double dot = 0;
        for (std::size_t i = 0; i < n; ++i) dot += q[i] * z[i];
        for (std::size_t i = 0; i < n; ++i) z[i] -= dot * q[i];
      }
    }
    double norm = 0;
    for (double v : z) norm += v * v;
    norm = std::sqrt(norm);
    for (double& v : z) v /= norm;
    basis.push_back(z);
    out.push_back(std::move(z));
  }
  return out;
}

}  // namespace

design_matrix build_design(const io::table& t, const std::vector<std::size_t>& rows,
                           const std::vector<std::string>& labels, const design_options& opt) {
  if (opt.moderators.empty() && !opt.intercept) {
    fail_usage("--no-intercept", "needs at least one --moderator: the model would have no coefficients");
  }
  for (std::size_t i = 0; i < opt.moderators.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (iequals(trim(opt.moderators[i]), trim(opt.moderators[j])))
        fail_usage("--moderator", "'" + opt.moderators[i] + "' is given twice");
    }
  }
  design_matrix out;

  // Parse: every -m argument is a column (which may itself contain ':' or '*'), or terms joined
  // by ':' (interaction) and '*' (crossing: a*b = a + b + a:b), as R's formula syntax.
  std::vector<variable> vars;
  std::vector<std::vector<std::size_t>> terms;  // variables of each term, in order of appearance
  auto variable_index = [&](const std::string& whole, const std::string& text) {
    variable v = parse_variable(whole, text);
    v.col = column_index(t, v.column_given, "moderator");
    const std::string& name = t.names[v.col];
    switch (v.kind) {
      case var_kind::plain: v.text = name; break;
      case var_kind::factor: v.text = "factor(" + name + ")"; break;
      case var_kind::power: v.text = "I(" + name + "^" + std::to_string(v.degree) + ")"; break;
      case var_kind::poly:
        v.text = "poly(" + name + ", " + std::to_string(v.degree) + (v.raw ? ", raw = TRUE)" : ")");
        break;
    }
    for (std::size_t i = 0; i < vars.size(); ++i) {
      if (vars[i].text == v.text) return i;
    }
    vars.push_back(std::move(v));
    return vars.size() - 1;
  };
  auto add_term = [&](std::vector<std::size_t> term) {
    std::sort(term.begin(), term.end());  // R orders a term's variables by first appearance
    term.erase(std::unique(term.begin(), term.end()), term.end());
    if (std::find(terms.begin(), terms.end(), term) == terms.end()) terms.push_back(std::move(term));
  };
  for (const auto& m : opt.moderators) {
    if (t.find(std::string(trim(m)))) {
      add_term({variable_index(m, std::string(trim(m)))});
      continue;
    }
    std::vector<std::vector<std::size_t>> pieces;
    for (const auto& piece : split_top(m, '*')) {
      std::vector<std::size_t> p;
      for (const auto& v : split_top(piece, ':')) p.push_back(variable_index(m, v));
      pieces.push_back(std::move(p));
    }
    if (pieces.size() > 8) bad_term(m, "more than 8 factors crossed with '*'");
    for (unsigned mask = 1; mask < (1u << pieces.size()); ++mask) {
      std::vector<std::size_t> term;
      for (std::size_t b = 0; b < pieces.size(); ++b) {
        if (mask & (1u << b)) term.insert(term.end(), pieces[b].begin(), pieces[b].end());
      }
      add_term(std::move(term));
    }
  }
  // R's model.matrix puts main effects first, then two-way interactions, and so on.
  std::stable_sort(terms.begin(), terms.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });

  for (const auto& c : opt.categorical) {
    const bool listed = std::any_of(vars.begin(), vars.end(), [&](const variable& v) {
      return v.kind == var_kind::plain && (iequals(v.column_given, c) || iequals(t.names[v.col], c));
    });
    if (!listed) fail_usage("--categorical", "'" + c + "' is not one of the --moderator columns");
  }

  // Each variable: numeric or categorical, and per row its value or level.
  for (auto& v : vars) {
    const bool forced = v.kind == var_kind::factor ||
                        (v.kind == var_kind::plain &&
                         std::any_of(opt.categorical.begin(), opt.categorical.end(), [&](const std::string& c) {
                           return iequals(c, v.column_given) || iequals(c, t.names[v.col]);
                         }));
    bool numeric = true;
    std::size_t numbers = 0;
    std::optional<std::size_t> first_text;
    for (std::size_t r : rows) {
      if (missing_cell(t.rows.at(r).at(v.col))) continue;
      if (as_number(t, r, v.col)) {
        ++numbers;
      } else {
        numeric = false;
        if (!first_text) first_text = r;
      }
    }
    if (!numeric && (v.kind == var_kind::power || v.kind == var_kind::poly)) {
      fail_input(t.position(*first_text, v.col), "column '" + t.names[v.col] + "'",
                 "'" + std::string(trim(t.rows[*first_text][v.col])) + "' is not a number, but " + v.text +
                     " needs a numeric moderator");
    }
    v.categorical = forced || !numeric;
    if (!forced && !numeric && numbers > 0) {
      // R's read.csv would make such a column a factor too; say so, since it may be a typo.
      out.notes.add("moderator '" + t.names[v.col] + "' has " + std::to_string(numbers) +
                    " numeric values but also text (e.g. '" + std::string(trim(t.rows[*first_text][v.col])) + "' at " +
                    t.position(*first_text, v.col).to_string() + "); it is treated as categorical");
    }
    if (v.categorical) v.f = read_factor(t, t.names[v.col], rows);
  }

  // Rows with a missing moderator value are left out, each named (metafor omits them with a warning).
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string which;
    for (const auto& v : vars) {
      if (missing_cell(t.rows.at(rows[i]).at(v.col)) && which.find("'" + t.names[v.col] + "'") == std::string::npos) {
        which += (which.empty() ? "'" : ", '") + t.names[v.col] + "'";
        if (out.missing_column.size() == out.missing.size()) out.missing_column.push_back(t.names[v.col]);
      }
    }
    (which.empty() ? out.kept : out.missing).push_back(i);
    if (which.empty()) continue;
    out.notes.add("study '" + study_name(labels, i) + "' left out of the meta-regression: moderator " + which +
                  " is missing (" + t.position(rows[i], vars.front().col).to_string() + ")");
  }

  // The columns of each variable over the kept rows. A categorical variable's coding (all levels
  // or all but the first) depends on the term; its per-level indicator columns are made here.
  struct var_columns {
    std::vector<std::vector<double>> cols;
    std::vector<std::string> names;
    std::vector<std::string> levels;  ///< categorical: the levels present, sorted
  };
  std::vector<var_columns> vc(vars.size());
  for (std::size_t vi = 0; vi < vars.size(); ++vi) {
    const variable& v = vars[vi];
    var_columns& c = vc[vi];
    if (v.categorical) {
      std::vector<bool> present(v.f.levels.size(), false);
      for (std::size_t i : out.kept) present[static_cast<std::size_t>(v.f.index[i])] = true;
      std::vector<std::size_t> column_of(v.f.levels.size(), static_cast<std::size_t>(-1));
      for (std::size_t l = 0; l < present.size(); ++l) {
        if (!present[l]) continue;
        column_of[l] = c.levels.size();
        c.levels.push_back(v.f.levels[l]);
        c.names.push_back(v.text + v.f.levels[l]);
      }
      // Checked before the indicator columns are made: whatever the coding, the design has at least
      // as many columns as the variable has levels (exactly that many when it is the only term).
      if (c.levels.size() > limits::max_design_columns) {
        fail_input(t.header_position(v.col), "",
                   "moderator '" + t.names[v.col] + "' has " + std::to_string(c.levels.size()) +
                       " levels: the design would have " + (terms.size() == 1 ? "" : "at least ") +
                       std::to_string(c.levels.size()) + " columns (limit max_design_columns, " +
                       std::to_string(limits::max_design_columns) +
                       "); is it an identifier rather than a moderator? Use fewer, coarser categories");
      }
      c.cols.assign(c.levels.size(), std::vector<double>(out.kept.size(), 0.0));
      for (std::size_t r = 0; r < out.kept.size(); ++r) {
        c.cols[column_of[static_cast<std::size_t>(v.f.index[out.kept[r]])]][r] = 1.0;
      }
      continue;
    }
    std::vector<double> x;
    for (std::size_t i : out.kept) {
      const double value = *as_number(t, rows[i], v.col);
      // Products and squares of such values overflow in the fit (X'WX); refused like yi = 1e308.
      if (!(std::abs(value) <= max_moderator_magnitude)) {
        fail_input(t.position(rows[i], v.col), "column '" + t.names[v.col] + "'",
                   "moderator value " + number_text(value) +
                       " is beyond what double precision can fit (its square overflows); rescale it, e.g. change "
                       "units");
      }
      x.push_back(value);
    }
    switch (v.kind) {
      case var_kind::plain:
        c.cols.push_back(x);
        c.names.push_back(v.text);
        break;
      case var_kind::power: {
        for (double& value : x) value = std::pow(value, v.degree);
        c.cols.push_back(x);
        c.names.push_back(v.text);
        break;
      }
      case var_kind::poly: {
        std::vector<double> distinct = x;
        std::sort(distinct.begin(), distinct.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        if (static_cast<std::size_t>(v.degree) >= distinct.size()) {
          fail_usage("--moderator",
                     "'" + v.spec + "': the degree must be less than the number of distinct values of '" +
                         t.names[v.col] + "' among the studies used (" + std::to_string(distinct.size()) + ")");
        }
        if (v.raw) {
          for (int j = 1; j <= v.degree; ++j) {
            std::vector<double> p(x.size());
            for (std::size_t i = 0; i < x.size(); ++i) p[i] = std::pow(x[i], j);
            c.cols.push_back(std::move(p));
          }
        } else {
          c.cols = orthogonal_poly(x, v.degree);
        }
        for (int j = 1; j <= v.degree; ++j) c.names.push_back(v.text + std::to_string(j));
        break;
      }
      case var_kind::factor: break;  // categorical above
    }
  }

  // Columns, term by term. A categorical variable gets treatment contrasts (its first level has no
  // column) when the term without it is in the model, else a column for every level: R's rule
  // for model.matrix (for a main effect the term without it is the intercept; without an
  // intercept only the first categorical main effect gets every level).
  models::design& x = out.x;
  x.rows = out.kept.size();
  x.has_intercept = opt.intercept;
  std::vector<std::vector<double>> cols;
  if (opt.intercept) {
    x.names.push_back("intrcpt");
    cols.emplace_back(x.rows, 1.0);
  }
  bool full_coding_used = opt.intercept;
  std::vector<bool> coding_recorded(vars.size(), false);
  for (const auto& term : terms) {
    std::vector<std::vector<const std::vector<double>*>> parts;
    std::vector<std::vector<std::string>> part_names;
    for (std::size_t vi : term) {
      const variable& v = vars[vi];
      const var_columns& c = vc[vi];
      std::vector<const std::vector<double>*> p;
      std::vector<std::string> n;
      std::size_t first = 0;
      if (v.categorical) {
        bool contrasts = false;
        if (term.size() == 1) {
          contrasts = full_coding_used;
          full_coding_used = true;
        } else {
          std::vector<std::size_t> margin;
          for (std::size_t other : term) {
            if (other != vi) margin.push_back(other);
          }
          contrasts = std::find(terms.begin(), terms.end(), margin) != terms.end();
        }
        first = contrasts ? 1 : 0;
        if (!coding_recorded[vi]) {
          coding_recorded[vi] = true;
          factor_coding fc;
          fc.column = t.names[v.col];
          fc.levels = c.levels;
          fc.reference = contrasts && !c.levels.empty() ? c.levels.front() : "";
          for (std::size_t l = first; l < c.names.size(); ++l) fc.columns.push_back(c.names[l]);
          out.factors.push_back(std::move(fc));
        }
        if (term.size() == 1 && c.levels.size() == 1) {
          out.notes.add("categorical moderator '" + t.names[v.col] + "' has a single level ('" + c.levels.front() +
                        "') among the studies used; it is aliased with the intercept");
        }
      }
      for (std::size_t l = first; l < c.cols.size(); ++l) {
        p.push_back(&c.cols[l]);
        n.push_back(c.names[l]);
      }
      parts.push_back(std::move(p));
      part_names.push_back(std::move(n));
    }
    // Every combination, the first variable's columns varying fastest (R's column order).
    std::size_t combos = 1;
    for (const auto& p : parts) combos *= p.size();
    if (cols.size() + combos > limits::max_design_columns) {
      fail_input(t.header_position(vars[term.front()].col), "",
                 "the design would have more than " + std::to_string(limits::max_design_columns) +
                     " columns (limit max_design_columns)");
    }
    for (std::size_t combo = 0; combo < combos; ++combo) {
      std::vector<double> col(x.rows, 1.0);
      std::string name;
      std::size_t rest = combo;
      for (std::size_t pi = 0; pi < parts.size(); ++pi) {
        const std::size_t l = rest % parts[pi].size();
        rest /= parts[pi].size();
        for (std::size_t r = 0; r < x.rows; ++r) col[r] *= (*parts[pi][l])[r];
        name += (pi == 0 ? "" : ":") + part_names[pi][l];
      }
      for (double value : col) {
        if (!(std::abs(value) <= max_moderator_magnitude)) {
          fail_usage("--moderator", "column '" + name + "' has a value beyond what double precision can fit (" +
                                        number_text(value) + "); rescale the moderators, e.g. change units");
        }
      }
      if (term.size() == 1 && !vars[term.front()].categorical && !col.empty() &&
          std::all_of(col.begin(), col.end(), [&](double value) { return value == col.front(); })) {
        out.notes.add("moderator '" + name + "' is constant (" + number_text(col.front()) + ")" +
                      (opt.intercept ? "; it is aliased with the intercept" : ""));
      }
      x.names.push_back(name);
      cols.push_back(std::move(col));
    }
  }
  x.cols = cols.size();
  x.x.resize(x.rows * x.cols);
  for (std::size_t i = 0; i < x.rows; ++i) {
    for (std::size_t j = 0; j < x.cols; ++j) x.x[i * x.cols + j] = cols[j][i];
  }
  return out;
}

}  // namespace metasift::pipeline
