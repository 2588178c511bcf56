#include "metasift/pipeline/study_data.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "metasift/core/check.hpp"

namespace metasift::pipeline {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string actual_name(const std::map<std::string, std::string>& cols, const std::string& canonical) {
  auto it = cols.find(canonical);
  return it == cols.end() ? canonical : it->second;
}

std::optional<std::size_t> find_column(const io::table& t, const std::map<std::string, std::string>& cols,
                                       const std::string& canonical) {
  return t.find(actual_name(cols, canonical));
}

/// metafor's argument name for a canonical column of measure family `m` (escalc's n1i, m1i, ai,
/// ri, xi, x1i, ...), read when the table has no column of the canonical name and --col does not
/// remap it. Empty when metafor's name is the canonical one (yi, vi, sei) or there is none.
std::string metafor_alias(effects::measure m, const std::string& canonical) {
  using effects::measure;
  static const std::map<std::string, std::string> continuous{{"n1", "n1i"}, {"mean1", "m1i"}, {"sd1", "sd1i"},
                                                             {"n2", "n2i"}, {"mean2", "m2i"}, {"sd2", "sd2i"}};
  static const std::map<std::string, std::string> two_by_two{
      {"events1", "ai"}, {"n1", "n1i"}, {"events2", "ci"}, {"n2", "n2i"}};
  static const std::map<std::string, std::string> correlation{{"r", "ri"}, {"n", "ni"}};
  static const std::map<std::string, std::string> proportion{{"events", "xi"}, {"n", "ni"}};
  static const std::map<std::string, std::string> incidence{
      {"events1", "x1i"}, {"time1", "t1i"}, {"events2", "x2i"}, {"time2", "t2i"}};
  static const std::map<std::string, std::string> change{{"n", "ni"},      {"mean1", "m1i"}, {"sd1", "sd1i"},
                                                         {"mean2", "m2i"}, {"sd2", "sd2i"},  {"r", "ri"}};
  static const std::map<std::string, std::string> single_mean{{"n", "ni"}, {"mean", "mi"}, {"sd", "sdi"}};
  const std::map<std::string, std::string>* aliases = nullptr;
  switch (m) {
    case measure::MD:
    case measure::SMD:
    case measure::ROM: aliases = &continuous; break;
    case measure::OR:
    case measure::RR:
    case measure::RD:
    case measure::PETO: aliases = &two_by_two; break;
    case measure::COR:
    case measure::ZCOR: aliases = &correlation; break;
    case measure::PR:
    case measure::PLO:
    case measure::PAS:
    case measure::PFT: aliases = &proportion; break;
    case measure::IRR:
    case measure::IRD: aliases = &incidence; break;
    case measure::SMCC:
    case measure::SMCR: aliases = &change; break;
    case measure::MN: aliases = &single_mean; break;
    case measure::CVR:
    case measure::VR: aliases = &continuous; break;
    case measure::GEN: break;
  }
  if (aliases == nullptr) return "";
  const auto it = aliases->find(canonical);
  return it == aliases->end() ? "" : it->second;
}

/// The column that gives `canonical`: the canonical name (or its --col remap), else metafor's name.
std::optional<std::size_t> resolve_column(const io::table& t, const std::map<std::string, std::string>& cols,
                                          effects::measure m, const std::string& canonical) {
  if (const auto idx = find_column(t, cols, canonical)) return idx;
  if (cols.count(canonical) != 0) return std::nullopt;  // an explicit remap is never second-guessed
  const std::string alias = metafor_alias(m, canonical);
  return alias.empty() ? std::nullopt : t.find(alias);
}

/// 2x2 tables given as metafor's four cells (ai bi ci di): n1 = ai + bi, n2 = ci + di.
bool is_two_by_two(effects::measure m) {
  using effects::measure;
  return m == measure::OR || m == measure::RR || m == measure::RD || m == measure::PETO;
}

[[noreturn]] void missing(const io::table& t, const std::string& name, std::string_view why) {
  std::string present;
  for (const auto& n : t.names) present += (present.empty() ? "" : ", ") + n;
  fail_input(source_position{t.file, 1, 0}, "",
             "missing column '" + name + "' " + std::string(why) + " (columns present: " + present + ")");
}

}  // namespace

std::map<std::string, std::string> parse_column_map(const std::vector<std::string>& specs) {
  std::map<std::string, std::string> out;
  for (const auto& s : specs) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) {
      fail_usage("--col", "expected canonical=actual, got '" + s + "'");
    }
    const std::string canonical = lower(s.substr(0, eq));
    const std::string actual = s.substr(eq + 1);
    const auto [it, fresh] = out.emplace(canonical, actual);
    if (!fresh && it->second != actual) {
      fail_usage("--col", "'" + canonical + "' is mapped twice, to '" + it->second + "' and to '" + actual + "'");
    }
  }
  return out;
}

effects::measure infer_measure(const io::table& t, const std::map<std::string, std::string>& cols) {
  if (find_column(t, cols, "yi")) return effects::measure::GEN;
  std::string present;
  for (const auto& name : t.names) present += (present.empty() ? "" : ", ") + name;
  fail_usage("--measure", "not given, and the data have no 'yi' column to pool as generic effects (columns present: " +
                              present + ")");
}

effects::raw_data extract(const io::table& t, effects::measure m, const std::map<std::string, std::string>& cols) {
  effects::raw_data out;
  std::vector<std::string> wanted = effects::required_columns(m);
  const std::string why = "required by measure " + std::string(effects::to_string(m));
  if (m == effects::measure::GEN) {
    // yi with exactly one way to give its precision.
    if (find_column(t, cols, "vi")) {
      wanted.push_back("vi");
    } else if (find_column(t, cols, "sei")) {
      wanted.push_back("sei");
    } else if (find_column(t, cols, "ci_lower") || find_column(t, cols, "ci_upper")) {
      wanted.push_back("ci_lower");
      wanted.push_back("ci_upper");
    } else {
      missing(t, actual_name(cols, "vi"), "(or 'sei', or 'ci_lower' and 'ci_upper') required by measure GEN");
    }
  }
  auto cell = [&](std::size_t r, std::size_t col) {
    // A blank, NA or . is a missing value: the effects module excludes the study with a warning
    // naming the study and this column (as metafor's NA); anything else must be a number.
    const std::optional<double> x = t.optional_number(r, col);
    return x ? *x : std::numeric_limits<double>::quiet_NaN();
  };
  // Each column the measure reads must come from its own column of the file: a mapping such as
  // yi=vi would otherwise read the variances as the effects, silently.
  std::map<std::size_t, std::string> read_from;
  std::string read;
  for (const auto& canonical : wanted) {
    auto idx = resolve_column(t, cols, m, canonical);
    if (idx) {
      if (const auto [it, fresh] = read_from.emplace(*idx, canonical); !fresh) {
        fail_usage("--col", "'" + it->second + "' and '" + canonical + "' would both be read from column '" +
                                t.names[*idx] + "'; map each to a column of its own");
      }
    }
    effects::column c;
    if (!idx && is_two_by_two(m) && (canonical == "n1" || canonical == "n2") && cols.count(canonical) == 0) {
      // metafor's four-cell table: the group total is events + non-events (ai + bi, ci + di).
      const std::string events = canonical == "n1" ? "ai" : "ci", rest = canonical == "n1" ? "bi" : "di";
      const auto e = t.find(events), n = t.find(rest);
      if (e && n) {
        c.name = t.names[*e] + " + " + t.names[*n];
        for (std::size_t r = 0; r < t.rows.size(); ++r) {
          c.values.push_back(cell(r, *e) + cell(r, *n));
          c.where.push_back(t.position(r, *n));
        }
        read += (read.empty() ? "" : ", ") + canonical + " = " + c.name;
        out.columns.emplace(canonical, std::move(c));
        continue;
      }
    }
    if (!idx) {
      missing(t, actual_name(cols, canonical), why);
    }
    c.name = t.names[*idx];
    read += (read.empty() ? "" : ", ") + canonical + (lower(c.name) == canonical ? std::string() : " = " + c.name);
    c.values.reserve(t.rows.size());
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      c.values.push_back(cell(r, *idx));
      c.where.push_back(t.position(r, *idx));
    }
    out.columns.emplace(canonical, std::move(c));
  }
  out.columns_read = "columns read: " + read;
  if (const auto idx = find_column(t, cols, "study")) {
    for (std::size_t r = 0; r < t.rows.size(); ++r) out.labels.push_back(t.rows[r][*idx]);
  } else {
    for (std::size_t r = 0; r < t.rows.size(); ++r) out.labels.push_back("Study " + std::to_string(r + 1));
  }
  return out;
}

void set_exclusions(report::meta_context& ctx, const models::meta_result& r, const effects::raw_data& raw) {
  ctx.excluded.clear();
  ctx.excluded_labels.clear();
  for (const auto& ex : r.excluded) {
    ctx.excluded.push_back({ex.index, ex.reason});
    ctx.excluded_labels.push_back(ex.index < raw.labels.size() ? raw.labels[ex.index]
                                                               : "Study " + std::to_string(ex.index + 1));
  }
}

std::vector<report::data_column> data_columns(const io::table& t, const effects::effect_table& e,
                                              const std::vector<std::size_t>& rows,
                                              const std::map<std::string, std::string>& cols,
                                              const std::vector<std::string>& group_names) {
  using effects::measure;
  struct spec {
    int group;
    const char* canonical;
    const char* header;
  };
  std::vector<spec> specs;
  switch (e.m) {
    case measure::MD:
    case measure::SMD:
    case measure::ROM:
      specs = {{0, "n1", "N"}, {0, "mean1", "Mean"}, {0, "sd1", "SD"},
               {1, "n2", "N"}, {1, "mean2", "Mean"}, {1, "sd2", "SD"}};
      break;
    case measure::OR:
    case measure::RR:
    case measure::RD:
    case measure::PETO:
      specs = {{0, "events1", "Events"}, {0, "n1", "Total"}, {1, "events2", "Events"}, {1, "n2", "Total"}};
      break;
    case measure::IRR:
    case measure::IRD:
      specs = {{0, "events1", "Events"}, {0, "time1", "Time"}, {1, "events2", "Events"}, {1, "time2", "Time"}};
      break;
    default: return {};
  }
  const std::string g1 = group_names.size() > 0 ? group_names[0] : "Group 1";
  const std::string g2 = group_names.size() > 1 ? group_names[1] : "Group 2";
  std::vector<report::data_column> out;
  for (const auto& s : specs) {
    const auto idx = resolve_column(t, cols, e.m, s.canonical);
    if (!idx) return {};
    report::data_column c{s.group == 0 ? g1 : g2, s.header, {}};
    for (std::size_t row : rows) {
      std::string cell = t.rows[row][*idx];
      const auto b = cell.find_first_not_of(" \t");
      const auto en = cell.find_last_not_of(" \t");
      c.cells.push_back(b == std::string::npos ? "" : cell.substr(b, en - b + 1));
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace metasift::pipeline
