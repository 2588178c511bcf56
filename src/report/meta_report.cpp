#include "metasift/report/meta_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

#include "json_parts.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/number_format.hpp"
#include "metasift/core/text.hpp"
#include "metasift/io/csv_writer.hpp"
#include "metasift/models/fit.hpp"

namespace metasift::report {
namespace {

using models::meta_result;

std::string fixed(double x, int decimals) {
  return format_fixed(x, decimals, number_target::text);
}

/// p-values as Stata prints them in forest-plot footers: two decimals, so tiny values read 0.00.
std::string pvalue(double p, int decimals) {
  return fixed(p, decimals);
}

std::string pad_left(std::string_view s, std::size_t width) {
  std::string out;
  if (s.size() < width) out.assign(width - s.size(), ' ');
  out.append(s);
  return out;
}

std::string pad_right(std::string_view s, std::size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

/// Display width in code points (labels may be UTF-8).
std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  return n;
}

/// Labels longer than this are cut (with "...") in the text table, so that one runaway cell (a
/// pasted abstract, a 10-million-character field) cannot blow every line of the table up to its
/// width. JSON and CSV keep the label whole.
constexpr std::size_t max_label_width = 60;

std::string clip_label(std::string_view s) {
  if (display_width(s) <= max_label_width) return std::string(s);
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80 && ++n > max_label_width - 3) break;
    out += s[i];
  }
  return out + "...";
}

std::string pad_right_u8(std::string_view s, std::size_t width) {
  std::string out(s);
  const std::size_t w = display_width(s);
  if (w < width) out.append(width - w, ' ');
  return out;
}

double shown(const meta_context& ctx, double x) {
  // The PFT inverse needs the harmonic mean n; without studies there is none to show.
  if (ctx.measure == effects::measure::PFT && !(ctx.harmonic_n > 0)) return std::numeric_limits<double>::quiet_NaN();
  return effects::back_transform(ctx.measure, x, ctx.harmonic_n);
}

/// The method as reported: "fixed" when tau^2 was given rather than estimated.
std::string method_label(const models::model_spec& s) {
  if (s.tau2_fixed && models::is_random_effects(s.est)) return "fixed";
  return std::string(models::to_string(s.est));
}

std::string model_line(const models::model_spec& s) {
  using models::method;
  if (s.tau2_fixed && models::is_random_effects(s.est)) {
    return "Random-effects model with tau2 fixed at " + format_fixed(*s.tau2_fixed, 4);
  }
  switch (s.est) {
    case method::EE: return "Common-effect inverse-variance model";
    case method::MH: return "Common-effect Mantel-Haenszel model";
    case method::PETO: return "Common-effect Peto model";
    default: return fmt::format("Random-effects {} model", models::to_string(s.est));
  }
}

nlohmann::ordered_json number(double x) {
  if (!std::isfinite(x)) return nullptr;
  return x;
}

/// rma.mh reports its tests for OR (Cochran-Mantel-Haenszel, Tarone) and IRR (Mantel-Haenszel).
bool has_mh_tests(const meta_result& r, const meta_context& ctx) {
  return models::has_mh_tests(r.spec.est, ctx.measure);
}

/// The study table as Stata's metan prints it: label, data columns under their wrapped spanning
/// headers, "estimate [lo, hi]" and weight, then the overall row.
std::string study_table(const meta_result& r, const meta_context& ctx) {
  const int d = ctx.decimals;

  // Effect column: "0.70 [ 0.60,  0.80]" with every number right-aligned to the widest.
  std::vector<std::array<std::string, 3>> eff;
  for (const auto& s : r.studies) {
    eff.push_back({fixed(shown(ctx, s.yi), d), fixed(shown(ctx, s.ci_lower), d), fixed(shown(ctx, s.ci_upper), d)});
  }
  const std::array<std::string, 3> overall{fixed(shown(ctx, r.pooled.estimate), d),
                                           fixed(shown(ctx, r.pooled.ci_lower), d),
                                           fixed(shown(ctx, r.pooled.ci_upper), d)};
  std::size_t w = 0;
  for (const auto& e : eff) w = std::max({w, e[0].size(), e[1].size(), e[2].size()});
  w = std::max({w, overall[0].size(), overall[1].size(), overall[2].size()});
  auto effect_cell = [&](const std::array<std::string, 3>& e) {
    return pad_left(e[0], w) + " [" + pad_left(e[1], w + 1) + ", " + pad_left(e[2], w) + "]";
  };

  std::size_t label_w = std::string_view("Overall").size();
  for (const auto& s : r.studies) label_w = std::max(label_w, std::min(max_label_width, display_width(s.label)));
  label_w = std::max<std::size_t>(label_w, 5) + 2;

  // Data columns, grouped under their spanning headers. A column's width includes its left gap
  // (two spaces more at the start of a group); a group's name is word-wrapped over its span, and
  // a span narrower than min_span is widened so that long names wrap into few lines.
  constexpr std::size_t min_span = 24;
  const auto& dc = ctx.data_columns;
  std::vector<std::size_t> col_w;
  for (std::size_t c = 0; c < dc.size(); ++c) {
    std::size_t cw = display_width(dc[c].header);
    for (const auto& cell : dc[c].cells) cw = std::max(cw, display_width(cell));
    const bool group_start = c == 0 || dc[c].group != dc[c - 1].group;
    col_w.push_back(cw + (group_start ? 4 : 2));
  }
  struct group_span {
    std::size_t first, last, width;
    std::vector<std::string> lines;
  };
  std::vector<group_span> groups;
  for (std::size_t c = 0; c < dc.size();) {
    std::size_t e = c;
    std::size_t width = 0;
    while (e < dc.size() && dc[e].group == dc[c].group) width += col_w[e++];
    if (!dc[c].group.empty() && width < min_span + 2) {
      const std::size_t extra = min_span + 2 - width;
      const std::size_t n = e - c;
      for (std::size_t j = c; j < e; ++j) col_w[j] += extra / n + (j == c ? extra % n : 0);
      width = min_span + 2;
    }
    group_span g{c, e, width, {}};
    std::string line;
    std::string word;
    const std::string name = dc[c].group + ' ';
    for (char ch : name) {
      if (ch != ' ') {
        word += ch;
        continue;
      }
      if (word.empty()) continue;
      if (!line.empty() && display_width(line) + 1 + display_width(word) > width - 2) {
        g.lines.push_back(line);
        line.clear();
      }
      line += (line.empty() ? "" : " ") + word;
      word.clear();
    }
    if (!line.empty()) g.lines.push_back(line);
    groups.push_back(std::move(g));
    c = e;
  }
  std::size_t group_lines = 0;
  for (const auto& g : groups) group_lines = std::max(group_lines, g.lines.size());

  const std::string effect_header = std::string(effects::display_name(ctx.measure));
  const std::string level_text = fmt::format("with {:g}% CI", r.spec.level * 100.0);
  const std::size_t eff_w = std::max(effect_cell(overall).size(), level_text.size()) + 2;
  auto trim_end = [](std::string line) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + '\n';
  };

  std::string out;
  for (std::size_t l = 0; l < group_lines; ++l) {
    std::string line = pad_right("", label_w);
    for (const auto& g : groups) line += "  " + pad_right_u8(l < g.lines.size() ? g.lines[l] : "", g.width - 2);
    out += trim_end(line);
  }
  {
    std::string h1 = pad_right("", label_w);
    std::string h2 = pad_right("Study", label_w);
    for (std::size_t c = 0; c < dc.size(); ++c) {
      h1 += std::string(col_w[c], ' ');
      h2 += pad_left(dc[c].header, col_w[c]);
    }
    h1 += pad_left(effect_header, eff_w) + pad_left("Weight", 10);
    h2 += pad_left(level_text, eff_w) + pad_left("(%)", 10);
    out += trim_end(h1) + trim_end(h2);
  }
  for (std::size_t i = 0; i < r.studies.size(); ++i) {
    std::string line = pad_right_u8(clip_label(r.studies[i].label), label_w);
    for (std::size_t c = 0; c < dc.size(); ++c)
      line += pad_left(i < dc[c].cells.size() ? dc[c].cells[i] : "", col_w[c]);
    line += pad_left(effect_cell(eff[i]), eff_w) + pad_left(fixed(r.studies[i].weight, d), 10);
    out += trim_end(line);
  }
  {
    std::string line = pad_right("Overall", label_w);
    for (std::size_t c = 0; c < dc.size(); ++c) line += std::string(col_w[c], ' ');
    out += trim_end(line + pad_left(effect_cell(overall), eff_w));
  }
  return out;
}

/// Heterogeneity, the tests of heterogeneity and of the pooled effect, and the model line.
std::string test_lines(const meta_result& r, int d) {
  std::string out;
  const auto& h = r.het;
  const bool random = models::is_random_effects(r.spec.est);
  if (random) {
    out +=
        fmt::format("Heterogeneity: tau2 = {}, I2 = {}%, H2 = {}\n", fixed(h.tau2, d), fixed(h.I2, d), fixed(h.H2, d));
  } else {
    out += fmt::format("Heterogeneity: I2 = {}%, H2 = {}\n", fixed(h.I2, d), fixed(h.H2, d));
  }
  out += fmt::format("Test of theta_i = theta_j: Q({}) = {}, p = {}\n", fixed(h.df, 0), fixed(h.Q, d), pvalue(h.p, d));
  if (models::uses_t(r.spec.test)) {
    out += fmt::format("Test of theta = 0: t({}) = {}, p = {}\n", fixed(r.pooled.df, 0), fixed(r.pooled.statistic, d),
                       pvalue(r.pooled.p, d));
  } else {
    out += fmt::format("Test of theta = 0: z = {}, p = {}\n", fixed(r.pooled.statistic, d), pvalue(r.pooled.p, d));
  }
  out += model_line(r.spec) + '\n';
  return out;
}

/// What Stata's figure leaves out but a reader needs: the unrounded numbers and the conventions.
std::string details(const meta_result& r, const meta_context& ctx) {
  std::string out;
  const auto& h = r.het;
  const bool random = models::is_random_effects(r.spec.est);
  const bool transformed = effects::display_scale_of(ctx.measure) != effects::display_scale::identity;
  // Unrounded numbers keep their decimals, but a magnitude beyond 1e15 is shown in scientific
  // notation rather than as hundreds of digits.
  const auto num = [](double x, int places) { return format_fixed(x, places, number_target::text); };
  const auto p4 = [](double p) { return format_general(p, 4, number_target::text); };
  if (transformed) {
    out += fmt::format("Pooled estimate on the analysis scale: {} (SE {}); shown above back-transformed\n",
                       num(r.pooled.estimate, 4), num(r.pooled.se, 4));
  }
  out += fmt::format("Pooled: estimate = {}, SE = {}, {}% CI [{}, {}], p = {}\n", num(shown(ctx, r.pooled.estimate), 4),
                     num(r.pooled.se, 4), fmt::format("{:g}", r.spec.level * 100),
                     num(shown(ctx, r.pooled.ci_lower), 4), num(shown(ctx, r.pooled.ci_upper), 4), p4(r.pooled.p));
  if (random) {
    if (!std::isnan(r.pooled.pi_lower)) {
      out += fmt::format("Prediction interval ({}): [{}, {}]\n", models::to_string(r.spec.pi),
                         num(shown(ctx, r.pooled.pi_lower), 4), num(shown(ctx, r.pooled.pi_upper), 4));
    }
    if (r.spec.tau2_fixed) {
      out += fmt::format("tau2 = {} (fixed), tau = {}, I2 = {}%, H2 = {}\n", num(h.tau2, 4), num(h.tau, 4),
                         num(h.I2, 2), num(h.H2, 2));
    } else {
      out += fmt::format("tau2 = {} (SE {}), tau = {}, I2 = {}%, H2 = {}\n", num(h.tau2, 4), num(h.tau2_se, 4),
                         num(h.tau, 4), num(h.I2, 2), num(h.H2, 2));
    }
    if (h.has_ci) {
      out += fmt::format("Q-profile {:g}% CI: tau2 [{}, {}], tau [{}, {}], I2 [{}%, {}%], H2 [{}, {}]\n",
                         r.spec.level * 100, num(h.tau2_ci.lower, 4), num(h.tau2_ci.upper, 4), num(h.tau_ci.lower, 4),
                         num(h.tau_ci.upper, 4), num(h.I2_ci.lower, 2), num(h.I2_ci.upper, 2), num(h.H2_ci.lower, 2),
                         num(h.H2_ci.upper, 2));
    }
  }
  out += fmt::format("Q = {}, df = {}, p = {}\n", num(h.Q, 4), fixed(h.df, 0), p4(h.p));
  if (has_mh_tests(r, ctx)) {
    // As rma.mh prints them: the association test, and for OR Tarone's heterogeneity test.
    const bool odds = ctx.measure == effects::measure::OR;
    const std::string not_computable = "test value not computable for these data";
    out += odds ? "Cochran-Mantel-Haenszel test: " : "Mantel-Haenszel test: ";
    out += std::isnan(r.mh.cmh)
               ? not_computable
               : fmt::format("{} = {}, df = 1, p = {}", odds ? "CMH" : "MH", num(r.mh.cmh, 4), p4(r.mh.cmh_p));
    out += '\n';
    if (odds) {
      out += "Tarone's test for heterogeneity: ";
      out += std::isnan(r.mh.tarone) ? not_computable
                                     : fmt::format("X2 = {}, df = {}, p = {}", num(r.mh.tarone, 4),
                                                   fixed(r.mh.tarone_df, 0), p4(r.mh.tarone_p));
      out += '\n';
    }
  }
  out += fmt::format("Conventions ({}):\n", models::to_string(ctx.conv));
  out += fmt::format("  measure: {} ({}); method: {}; test: {}; level: {:g}%\n", effects::to_string(ctx.measure),
                     effects::display_name(ctx.measure), method_label(r.spec), models::to_string(r.spec.test),
                     r.spec.level * 100);
  for (const auto& c : ctx.conventions) out += "  " + c + '\n';
  for (std::size_t i = 0; i < ctx.excluded.size(); ++i) {
    out += fmt::format("Excluded: {}: {}\n", i < ctx.excluded_labels.size() ? ctx.excluded_labels[i] : "?",
                       ctx.excluded[i].reason);
  }
  if (r.status != fit_status::ok) out += fmt::format("Status: {}\n", to_string(r.status));
  for (const auto& n : r.notes.items) out += "Warning: " + n + '\n';
  if (!ctx.version.empty()) out += "metasift " + ctx.version + '\n';
  return out;
}

}  // namespace

std::string format_text(const meta_result& r, const meta_context& ctx) {
  return study_table(r, ctx) + test_lines(r, ctx.decimals) + '\n' + details(r, ctx);
}

namespace detail {

nlohmann::ordered_json json_number(double x) {
  return number(x);
}

double back_transformed(const meta_context& ctx, double x) {
  return shown(ctx, x);
}

nlohmann::ordered_json pooled_json(const models::pooled_estimate& p, const models::model_spec& spec,
                                   const meta_context& ctx) {
  using json = nlohmann::ordered_json;
  const bool transformed = effects::display_scale_of(ctx.measure) != effects::display_scale::identity;
  const bool t_based = models::uses_t(spec.test);
  const auto bt = [&](double x) { return transformed ? number(shown(ctx, x)) : json(nullptr); };
  json o = json::object();
  o["estimate"] = number(p.estimate);
  o["se"] = number(p.se);
  o["ci_lower"] = number(p.ci_lower);
  o["ci_upper"] = number(p.ci_upper);
  o["z"] = t_based ? json(nullptr) : number(p.statistic);
  o["t"] = t_based ? number(p.statistic) : json(nullptr);
  o["df"] = t_based ? number(p.df) : json(nullptr);
  o["p"] = number(p.p);
  o["pi_lower"] = number(p.pi_lower);
  o["pi_upper"] = number(p.pi_upper);
  o["pi_df"] = number(p.pi_df);
  o["back_transformed"] = {{"estimate", bt(p.estimate)},
                           {"ci_lower", bt(p.ci_lower)},
                           {"ci_upper", bt(p.ci_upper)},
                           {"pi_lower", bt(p.pi_lower)},
                           {"pi_upper", bt(p.pi_upper)}};
  return o;
}

nlohmann::ordered_json heterogeneity_json(const models::heterogeneity& h) {
  using json = nlohmann::ordered_json;
  const auto ci = [&](const models::interval& i) {
    return h.has_ci ? json::array({number(i.lower), number(i.upper)}) : json(nullptr);
  };
  return {{"tau2", number(h.tau2)},
          {"tau2_se", number(h.tau2_se)},
          {"tau", number(h.tau)},
          {"I2", number(h.I2)},
          {"H2", number(h.H2)},
          {"Q", number(h.Q)},
          {"df", number(h.df)},
          {"p", number(h.p)},
          {"typical_vi", number(h.typical_v)},
          {"tau2_ci", ci(h.tau2_ci)},
          {"tau_ci", ci(h.tau_ci)},
          {"I2_ci", ci(h.I2_ci)},
          {"H2_ci", ci(h.H2_ci)}};
}

}  // namespace detail

std::string format_json(const meta_result& r, const meta_context& ctx) {
  using json = nlohmann::ordered_json;
  const bool transformed = effects::display_scale_of(ctx.measure) != effects::display_scale::identity;
  const auto bt = [&](double x) { return transformed ? number(shown(ctx, x)) : json(nullptr); };
  const auto text_or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json j = json::object();
  j["software"] = {{"name", "metasift"}, {"version", ctx.version}};
  j["analysis"] = "meta-analysis";
  j["data"] = ctx.data_file;
  j["measure"] = std::string(effects::to_string(ctx.measure));
  j["method"] = method_label(r.spec);
  j["ci_method"] = std::string(models::to_string(r.spec.test));
  j["pi_method"] = std::string(models::to_string(r.spec.pi));
  j["convention"] = std::string(models::to_string(ctx.conv));
  j["conventions"] = ctx.conventions;
  j["subset"] = text_or_null(ctx.subset);
  j["weights"] = text_or_null(ctx.weights);
  j["k"] = r.k;
  j["level"] = r.spec.level;
  j["scale"] = transformed ? "transformed" : "identity";
  json studies = json::array();
  for (std::size_t si = 0; si < r.studies.size(); ++si) {
    const auto& s = r.studies[si];
    json o = {{"study", s.label},
              {"yi", number(s.yi)},
              {"vi", number(s.vi)},
              {"se", number(s.se)},
              {"ci_lower", number(s.ci_lower)},
              {"ci_upper", number(s.ci_upper)},
              {"weight", number(s.weight)}};
    o["back_transformed"] = {{"effect", bt(s.yi)}, {"ci_lower", bt(s.ci_lower)}, {"ci_upper", bt(s.ci_upper)}};
    o["input"] = si < ctx.study_inputs.size() ? json(ctx.study_inputs[si]) : json(nullptr);
    studies.push_back(std::move(o));
  }
  j["studies"] = std::move(studies);
  j["pooled"] = detail::pooled_json(r.pooled, r.spec, ctx);
  j["heterogeneity"] = detail::heterogeneity_json(r.het);
  if (has_mh_tests(r, ctx)) {
    const bool odds = ctx.measure == effects::measure::OR;
    j["mh_tests"] = {{"cmh", number(r.mh.cmh)},
                     {"cmh_df", 1},
                     {"cmh_p", number(r.mh.cmh_p)},
                     {"tarone", odds ? number(r.mh.tarone) : json(nullptr)},
                     {"tarone_df", odds ? number(r.mh.tarone_df) : json(nullptr)},
                     {"tarone_p", odds ? number(r.mh.tarone_p) : json(nullptr)}};
  } else {
    j["mh_tests"] = nullptr;
  }
  j["convergence"] = {
      {"iterations", r.conv.iterations}, {"step_halvings", r.conv.step_halvings}, {"fallback", r.conv.used_fallback}};
  json excluded = json::array();
  for (std::size_t i = 0; i < ctx.excluded.size(); ++i) {
    excluded.push_back({{"study", i < ctx.excluded_labels.size() ? ctx.excluded_labels[i] : ""},
                        {"row", ctx.excluded[i].index + 1},
                        {"reason", ctx.excluded[i].reason}});
  }
  j["excluded"] = std::move(excluded);
  // Filled by the subgroup writer under --subgroup; null otherwise, so the keys never vary.
  j["subgroups"] = nullptr;
  j["subgroup_test"] = nullptr;
  j["subgroup_options"] = nullptr;
  j["status"] = std::string(to_string(r.status));
  j["warnings"] = r.notes.items;
  return j.dump(2) + '\n';
}

std::string csv_field(std::string_view s) {
  return metasift::text::csv_quoted(s);
}

std::string add_excluded_csv(const std::string& csv, const meta_context& ctx, bool long_format, std::size_t na_fields,
                             const std::string& provenance) {
  std::string out;
  out.reserve(csv.size() + 64 * (ctx.excluded.size() + 1));
  bool header = true;
  std::size_t start = 0;
  while (start < csv.size()) {
    std::size_t end = csv.find('\n', start);
    if (end == std::string::npos) end = csv.size();
    out.append(csv, start, end - start);
    out += header ? ",excluded\n" : ",\n";
    header = false;
    start = end + 1;
  }
  for (std::size_t i = 0; i < ctx.excluded.size(); ++i) {
    const std::string label = i < ctx.excluded_labels.size() ? ctx.excluded_labels[i] : "";
    out += long_format ? "excluded," + csv_field(label) : csv_field(label);
    for (std::size_t f = 0; f < na_fields; ++f) out += ',' + std::string(missing_text(number_target::csv));
    out += provenance + ',' + csv_field(ctx.excluded[i].reason) + '\n';
  }
  return out;
}

std::string format_csv(const meta_result& r, const meta_context& ctx) {
  auto quote = [](std::string_view s) { return io::csv_text(s); };
  auto num = [](double x) { return format_shortest(x, number_target::csv); };
  const bool transformed = effects::display_scale_of(ctx.measure) != effects::display_scale::identity;
  // Every row names what produced it, so a CSV cut out of its context still says so.
  const std::string provenance =
      fmt::format(",{},{},{},{}", effects::to_string(ctx.measure), models::to_string(r.spec.est),
                  models::to_string(r.spec.test), models::to_string(ctx.conv));
  std::string out = "study,yi,vi,se,ci_lower,ci_upper,weight";
  if (transformed) out += ",effect_bt,ci_lower_bt,ci_upper_bt";
  // Mantel-Haenszel fits of OR and IRR: rma.mh's tests, on the Overall row (as effect_bt, these
  // columns exist only where they apply).
  const bool mh_cols = has_mh_tests(r, ctx);
  const bool tarone_cols = mh_cols && ctx.measure == effects::measure::OR;
  if (mh_cols) out += ",cmh,cmh_p";
  if (tarone_cols) out += ",tarone,tarone_df,tarone_p";
  std::string mh_na;
  for (int f = 0; f < (mh_cols ? 2 : 0) + (tarone_cols ? 3 : 0); ++f) {
    mh_na += ',' + std::string(missing_text(number_target::csv));
  }
  out += ",measure,method,ci_method,convention,excluded\n";
  // The reason a study has no study estimate; studies without a row of their own (a missing value)
  // follow the study rows, with every number missing.
  auto reason_of = [&](std::size_t row) -> std::string {
    for (const auto& ex : ctx.excluded) {
      if (ex.index == row) return quote(ex.reason);
    }
    return "";
  };
  for (std::size_t i = 0; i < r.studies.size(); ++i) {
    const auto& s = r.studies[i];
    out += fmt::format("{},{},{},{},{},{},{}", quote(s.label), num(s.yi), num(s.vi), num(s.se), num(s.ci_lower),
                       num(s.ci_upper), num(s.weight));
    if (transformed) {
      out += fmt::format(",{},{},{}", num(shown(ctx, s.yi)), num(shown(ctx, s.ci_lower)), num(shown(ctx, s.ci_upper)));
    }
    out += mh_na + provenance + ',' + (i < r.source_row.size() ? reason_of(r.source_row[i]) : std::string()) + '\n';
  }
  for (std::size_t e = 0; e < ctx.excluded.size(); ++e) {
    if (std::find(r.source_row.begin(), r.source_row.end(), ctx.excluded[e].index) != r.source_row.end()) continue;
    out += quote(e < ctx.excluded_labels.size() ? ctx.excluded_labels[e] : "");
    for (int f = 0; f < (transformed ? 9 : 6); ++f) out += ',' + std::string(missing_text(number_target::csv));
    out += mh_na + provenance + ',' + quote(ctx.excluded[e].reason) + '\n';
  }
  const auto& p = r.pooled;
  out += fmt::format("Overall,{},{},{},{},{},100", num(p.estimate), num(p.se * p.se), num(p.se), num(p.ci_lower),
                     num(p.ci_upper));
  if (transformed) {
    out +=
        fmt::format(",{},{},{}", num(shown(ctx, p.estimate)), num(shown(ctx, p.ci_lower)), num(shown(ctx, p.ci_upper)));
  }
  if (mh_cols) out += fmt::format(",{},{}", num(r.mh.cmh), num(r.mh.cmh_p));
  if (tarone_cols) out += fmt::format(",{},{},{}", num(r.mh.tarone), num(r.mh.tarone_df), num(r.mh.tarone_p));
  out += provenance + ",\n";
  return out;
}

}  // namespace metasift::report
