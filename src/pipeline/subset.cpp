#include "metasift/pipeline/subset.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

#include "metasift/core/check.hpp"
#include "metasift/io/records.hpp"

namespace metasift::pipeline {
namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_missing(std::string_view s) noexcept {
  s = trim(s);
  return s.empty() || s == "NA" || s == ".";
}

/// 'text', clipped for a message (built by appending: GCC 12 warns falsely on "'" + string).
std::string in_quotes(std::string_view text) {
  std::string q(1, '\'');
  q += io::clip_for_message(text);
  q += '\'';
  return q;
}

/// The problem sentence for the message: the expression, why it is refused, and the grammar.
std::string problem(std::string_view expr, const std::string& why) {
  std::string msg = in_quotes(expr);
  msg += ": ";
  msg += why;
  msg += " (expected COLUMN OP VALUE, OP one of == != < <= > >=)";
  return msg;
}

/// Parses `expr` into `e`; the problem sentence, or empty when `e` can be used.
std::string parse_into(std::string_view expr, subset_expr& e) {
  e.text = std::string(trim(expr));
  const std::string_view s = e.text;
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      return problem(s, "control characters (line breaks) are not allowed");
    }
  }
  const std::size_t at = s.find_first_of("=!<>");
  if (at == std::string_view::npos) return problem(s, "no comparison operator");
  std::size_t len = 1;
  const char c = s[at];
  const bool eq_next = at + 1 < s.size() && s[at + 1] == '=';
  switch (c) {
    case '=':
      e.op = compare_op::eq;
      len = eq_next ? 2 : 1;
      break;
    case '!':
      if (!eq_next) return problem(s, "'!' must be followed by '='");
      e.op = compare_op::ne;
      len = 2;
      break;
    case '<':
      e.op = eq_next ? compare_op::le : compare_op::lt;
      len = eq_next ? 2 : 1;
      break;
    default:
      e.op = eq_next ? compare_op::ge : compare_op::gt;
      len = eq_next ? 2 : 1;
      break;
  }
  e.column = std::string(trim(s.substr(0, at)));
  if (e.column.empty()) return problem(s, "no column before the operator");
  std::string_view v = trim(s.substr(at + len));
  if (v.empty()) return problem(s, "no value after the operator");
  if (v.front() == '"' || v.front() == '\'') {
    const std::size_t close = v.find(v.front(), 1);
    if (close == std::string_view::npos) return problem(s, "the quote of the value is never closed");
    if (close + 1 != v.size()) return problem(s, "text after the quoted value (one comparison only)");
    e.value = std::string(v.substr(1, close - 1));
  } else {
    if (v.find_first_of("=!<>\"'") != std::string_view::npos) {
      return problem(s, "more than one comparison (one comparison only)");
    }
    e.value = std::string(v);
    double x = 0.0;
    if (io::parse_number(v, false, x) == io::number_status::ok) {
      e.numeric = true;
      e.number = x;
    }
  }
  if (!e.numeric && e.op != compare_op::eq && e.op != compare_op::ne) {
    return problem(s, "< <= > >= need a number; text compares with == or != only");
  }
  return {};
}

}  // namespace

subset_expr parse_subset(std::string_view expr) {
  subset_expr e;
  if (const std::string why = parse_into(expr, e); !why.empty()) fail_usage("subset", why);
  return e;
}

std::string subset_problem(std::string_view expr) {
  subset_expr e;
  return parse_into(expr, e);
}

std::vector<bool> select_rows(const io::table& t, const subset_expr& e) {
  const auto col = t.find(e.column);
  if (!col) {
    std::string msg = in_quotes(e.text);
    msg += ": the table has no column ";
    msg += in_quotes(e.column);
    fail_input(source_position{t.file, 1, 0}, "subset", msg);
  }
  std::vector<bool> keep(t.rows.size(), false);
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::string_view cell = trim(t.rows[r][*col]);
    if (is_missing(cell)) continue;
    if (!e.numeric) {
      const bool same = cell == e.value;
      keep[r] = e.op == compare_op::eq ? same : !same;
      continue;
    }
    const auto x = t.try_number(r, *col);
    if (!x) {
      std::string msg = in_quotes(e.text);
      msg += " compares numbers, but the cell is ";
      msg += in_quotes(cell);
      fail_input(t.position(r, *col), "subset", msg);
    }
    switch (e.op) {
      case compare_op::eq: keep[r] = *x == e.number; break;
      case compare_op::ne: keep[r] = *x != e.number; break;
      case compare_op::lt: keep[r] = *x < e.number; break;
      case compare_op::le: keep[r] = *x <= e.number; break;
      case compare_op::gt: keep[r] = *x > e.number; break;
      case compare_op::ge: keep[r] = *x >= e.number; break;
    }
  }
  return keep;
}

std::string describe_selection(const subset_expr& e, const std::vector<bool>& keep) {
  const auto n = static_cast<std::size_t>(std::count(keep.begin(), keep.end(), true));
  return "subset: " + e.text + " (" + std::to_string(n) + " of " + std::to_string(keep.size()) +
         " rows; the others are not analysed)";
}

effects::effect_table compute_selected(effects::measure m, const effects::raw_data& data, const std::vector<bool>& keep,
                                       const effects::options& opt) {
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < keep.size() && r < data.labels.size(); ++r) {
    if (keep[r]) rows.push_back(r);
  }
  effects::raw_data part;
  part.columns_read = data.columns_read;
  for (std::size_t r : rows) part.labels.push_back(data.labels[r]);
  for (const auto& [name, c] : data.columns) {
    effects::column pc;
    pc.name = c.name;
    for (std::size_t r : rows) {
      pc.values.push_back(c.values.at(r));
      if (r < c.where.size()) pc.where.push_back(c.where[r]);
    }
    part.columns.emplace(name, std::move(pc));
  }
  effects::effect_table t = effects::compute(m, part, opt);
  for (auto& i : t.source_row) i = rows.at(i);
  for (auto& i : t.pooled_source_row) i = rows.at(i);
  for (auto& ex : t.excluded) ex.index = rows.at(ex.index);
  return t;
}

std::vector<double> read_weights(const io::table& t, const std::string& column, effects::effect_table& e) {
  const auto col = t.find(trim(column));
  if (!col)
    fail_input(source_position{t.file, 1, 0}, "weights", "the table has no column '" + std::string(trim(column)) + "'");
  std::vector<double> w;
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < e.yi.size(); ++i) {
    const std::size_t row = e.source_row.at(i);
    const std::optional<double> x = t.optional_number(row, *col);
    if (!x) {
      const std::string reason = "missing value in column '" + t.names[*col] + "'";
      e.notes.add("study '" + e.labels[i] + "' excluded: " + reason);
      const auto at = std::find_if(e.excluded.begin(), e.excluded.end(),
                                   [&](const effects::exclusion& ex) { return ex.index > row; });
      e.excluded.insert(at, effects::exclusion{row, reason});
      continue;
    }
    if (*x < 0.0)
      fail_input(t.position(row, *col), "weights", "a weight must not be negative, got " + format_value(*x));
    w.push_back(*x);
    keep.push_back(i);
  }
  if (keep.size() != e.yi.size()) {
    effects::effect_table s = e;
    s.labels.clear();
    s.yi.clear();
    s.vi.clear();
    s.source_row.clear();
    s.corrected.clear();
    s.ni.clear();
    if (s.counts) s.counts = effects::two_by_two{};
    for (std::size_t i : keep) {
      s.labels.push_back(e.labels[i]);
      s.yi.push_back(e.yi[i]);
      s.vi.push_back(e.vi[i]);
      s.source_row.push_back(e.source_row[i]);
      if (i < e.corrected.size()) s.corrected.push_back(e.corrected[i]);
      if (i < e.ni.size()) s.ni.push_back(e.ni[i]);
      if (e.counts) {
        s.counts->a.push_back(e.counts->a[i]);
        s.counts->b.push_back(e.counts->b[i]);
        s.counts->c.push_back(e.counts->c[i]);
        s.counts->d.push_back(e.counts->d[i]);
      }
    }
    e = std::move(s);
  }
  return w;
}

}  // namespace metasift::pipeline
