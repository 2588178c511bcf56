// robvis-style traffic-light and summary plots of an appraisal, as plot scenes (SVG/PDF/PNG).
#include "metasift/diagrams/appraisal.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "metasift/core/check.hpp"
#include "metasift/plot/render.hpp"

namespace metasift::diagrams {

using review::appraisal_check;
using review::appraisal_domain;
using review::appraisal_spec;
using review::appraisal_tool;
using review::appraisal_unit;
using review::overall_rule;

judgement_style style_of(const std::vector<std::string>& judgements, const std::string& j) {
  // Colours and symbols of robvis (McGuinness & Higgins 2021), by meaning where the id says it.
  constexpr std::uint32_t green = 0x02C100, yellow = 0xE2DF07, red = 0xBF0000, dark = 0x820000, blue = 0x4EA1F7;
  if (j == "low" || j == "yes" || j == "good" || j == "include") return {green, "+"};
  if (j == "not-applicable") return {0xBBBBBB, "NA"};
  if (j == "seek-further-info") return {yellow, "?"};
  if (j == "exclude") return {red, "\u00D7"};
  if (j == "some-concerns" || j == "moderate" || j == "unclear" || j == "fair" || j == "cant-tell")
    return {yellow, "-"};
  if (j == "high" || j == "serious" || j == "no" || j == "poor" || j == "at-risk") return {red, "\u00D7"};
  if (j == "critical" || j == "very-high") return {dark, "!"};
  if (j == "no-information") return {blue, "?"};
  // Other judgements (NOS stars, custom tools) by their rank, least severe first.
  const auto it = std::find(judgements.begin(), judgements.end(), j);
  const std::size_t n = judgements.size(), i = static_cast<std::size_t>(it - judgements.begin());
  if (i >= n) return {0x999999, "?"};
  if (i == 0) return {green, "+"};
  if (i + 1 == n) return {red, "\u00D7"};
  return {yellow, "-"};
}

namespace {

void check_ext(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (ext != ".svg" && ext != ".pdf" && ext != ".png") {
    fail_usage("figure", "the figure file must end in .svg, .pdf or .png, got '" + path.string() + "'");
  }
}

std::string label_of(const std::string& j) {
  static const std::vector<std::pair<std::string, std::string>> names{{"some-concerns", "Some concerns"},
                                                                      {"no-information", "No information"},
                                                                      {"cant-tell", "Can't tell"},
                                                                      {"very-high", "Very high"},
                                                                      {"at-risk", "At risk"}};
  for (const auto& [id, name] : names) {
    if (id == j) return name;
  }
  std::string s = j;
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

/// The judgements a domain (or the overall column) allows, for the legend and the summary order.
std::vector<std::string> overall_scale(const appraisal_tool& t) {
  return t.overall_judgements;
}

/// The tool as drawn: MMAT's criteria of the categories nobody used are left out (a study is
/// appraised with one category's five criteria, so the other twenty would be empty columns); an
/// unanswered criterion of a category in use stays, as an empty cell.
appraisal_tool drawn_tool(const appraisal_spec& spec, const appraisal_check& c) {
  appraisal_tool t = spec.tool;
  if (t.id != "mmat2018") return t;
  std::set<std::string> groups{"S"};
  for (const auto& d : t.domains) {
    if (std::any_of(c.units.begin(), c.units.end(),
                    [&](const appraisal_unit& u) { return u.domains.count(d.id) != 0; })) {
      groups.insert(d.group);
    }
  }
  std::vector<appraisal_domain> used;
  for (const auto& d : t.domains) {
    if (groups.count(d.group) != 0) used.push_back(d);
  }
  if (!used.empty()) t.domains = std::move(used);
  return t;
}

}  // namespace

plot::scene traffic_light_scene(const appraisal_spec& spec, const appraisal_check& c) {
  const appraisal_tool t = drawn_tool(spec, c);
  const bool has_overall =
      t.rule != overall_rule::none ||
      std::any_of(c.units.begin(), c.units.end(), [](const auto& u) { return u.overall.has_value(); });
  plot::scene s;
  s.title = "Traffic-light plot: " + t.name;
  const plot::font f{9.0}, small{7.5}, bold{9.0, plot::font_weight::bold};
  std::vector<std::string> rows;
  for (const auto& u : c.units) rows.push_back(u.record + (u.outcome.empty() ? "" : " [" + u.outcome + "]"));
  double label_w = plot::scene{}.text({0, 0}, "Study", bold);
  for (const auto& r : rows) label_w = std::max(label_w, plot::scene{}.text({0, 0}, r, f));
  const double cell = 26.0, left = 12.0 + label_w + 10.0, top = 46.0;
  const std::size_t ncol = t.domains.size() + (has_overall ? 1U : 0U);
  // The overall column is wider (its header) and set apart from the domains, as in robvis.
  const double overall_w = std::max(cell, plot::scene{}.text({0, 0}, "Overall", bold) + 8.0), overall_gap = 8.0;
  const double domains_w = cell * static_cast<double>(t.domains.size());
  const double grid_w = domains_w + (has_overall ? overall_gap + overall_w : 0.0);
  const auto col_x = [&](std::size_t k) {  // centre of column k
    return k < t.domains.size() ? left + cell * (static_cast<double>(k) + 0.5)
                                : left + domains_w + overall_gap + overall_w / 2;
  };
  // Legend: the domains, then the judgements.
  std::vector<std::string> legend;
  for (const auto& d : t.domains) legend.push_back(d.id + ": " + d.name);
  std::vector<std::string> scale = overall_scale(t);
  for (const auto& d : t.domains) {
    for (const auto& j : d.judgements) {
      if (std::find(scale.begin(), scale.end(), j) == scale.end()) scale.push_back(j);
    }
  }
  const double grid_h = cell * static_cast<double>(rows.size());
  const double legend_top = top + grid_h + 24.0;
  double legend_w = 0;
  for (const auto& l : legend) legend_w = std::max(legend_w, plot::scene{}.text({0, 0}, l, small));
  s.width = std::max(left + grid_w + 12.0, 12.0 + legend_w + 12.0);
  s.width = std::max(s.width, 12.0 + 110.0 * static_cast<double>(std::min<std::size_t>(scale.size(), 5)) + 12.0);
  s.height = legend_top + 11.0 * static_cast<double>(legend.size()) + 40.0;

  s.begin_group("header");
  s.text({left + domains_w / 2.0, 16.0}, t.rule == overall_rule::none ? "Criteria" : "Risk-of-bias domains", bold,
         plot::anchor::middle);
  s.text({12.0, top - 10.0}, "Study", bold);
  for (std::size_t k = 0; k < ncol; ++k) {
    const std::string h = k < t.domains.size() ? t.domains[k].id : "Overall";
    s.text({col_x(k), top - 10.0}, h, bold, plot::anchor::middle);
  }
  s.end_group();
  s.begin_group("grid");
  const plot::stroke grid{plot::rgb(0xBBBBBB), 0.5};
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = top + cell * static_cast<double>(r);
    const std::optional<plot::color> band = r % 2 == 0 ? std::optional<plot::color>(plot::rgb(0xF2F2F2)) : std::nullopt;
    s.box({left, y, domains_w, cell}, band, grid);
    if (has_overall) s.box({left + domains_w + overall_gap, y, overall_w, cell}, band, grid);
    s.text({12.0, y + cell / 2 + 3.2}, rows[r], f);
  }
  s.end_group();
  s.begin_group("judgements");
  const plot::font sym{10.0, plot::font_weight::bold};
  for (std::size_t r = 0; r < c.units.size(); ++r) {
    const appraisal_unit& u = c.units[r];
    const double cy = top + cell * (static_cast<double>(r) + 0.5);
    for (std::size_t k = 0; k < ncol; ++k) {
      std::optional<std::string> j;
      std::vector<std::string> scale_k;
      if (k < t.domains.size()) {
        if (const auto it = u.domains.find(t.domains[k].id); it != u.domains.end()) j = it->second;
        scale_k = t.domains[k].judgements;
      } else {
        j = u.overall;
        scale_k = t.overall_judgements;
      }
      if (!j) continue;  // not judged: an empty cell
      const judgement_style st = style_of(scale_k, *j);
      const double cx = col_x(k);
      s.circle({cx, cy}, 9.0, plot::rgb(st.colour), plot::stroke{plot::rgb(0x333333), 0.5});
      s.text({cx, cy + 3.6}, st.symbol, sym, plot::anchor::middle,
             plot::rgb(st.colour == 0xE2DF07 ? 0x000000 : 0xFFFFFF));
    }
  }
  s.end_group();
  s.begin_group("legend");
  double y = legend_top;
  s.text({12.0, y}, t.rule == overall_rule::none ? "Criteria:" : "Domains:", plot::font{7.5, plot::font_weight::bold});
  for (const auto& l : legend) {
    y += 11.0;
    s.text({12.0, y}, l, small);
  }
  y += 20.0;
  double x = 12.0 + s.text({12.0, y}, "Judgement:", plot::font{7.5, plot::font_weight::bold}) + 12.0;
  for (const auto& j : scale) {
    const judgement_style st = style_of(scale, j);
    s.circle({x, y - 2.8}, 5.0, plot::rgb(st.colour), plot::stroke{plot::rgb(0x333333), 0.5});
    x += 9.0;
    x += s.text({x, y}, label_of(j), small) + 14.0;
  }
  s.width = std::max(s.width, x + 12.0);
  s.end_group();
  return s;
}

plot::scene summary_scene(const appraisal_spec& spec, const appraisal_check& c) {
  const appraisal_tool t = drawn_tool(spec, c);
  plot::scene s;
  s.title = "Risk-of-bias summary: " + t.name;
  const plot::font f{9.0}, small{7.5}, bold{9.0, plot::font_weight::bold};
  struct bar {
    std::string label;
    std::vector<std::string> scale;
    std::map<std::string, std::size_t> n;
    std::size_t total = 0;
  };
  std::vector<bar> bars;
  for (const auto& d : t.domains) {
    bar b{d.id + ": " + d.name, d.judgements, {}, 0};
    for (const auto& u : c.units) {
      if (const auto it = u.domains.find(d.id); it != u.domains.end()) {
        ++b.n[it->second];
        ++b.total;
      }
    }
    bars.push_back(std::move(b));
  }
  if (!t.overall_judgements.empty()) {
    bar b{"Overall", t.overall_judgements, {}, 0};
    for (const auto& u : c.units) {
      if (u.overall) {
        ++b.n[*u.overall];
        ++b.total;
      }
    }
    bars.push_back(std::move(b));
  }
  // A bar whose domain not every assessment judged (MMAT categories, incomplete files) says its n.
  for (auto& b : bars) {
    if (b.total != c.units.size()) b.label += " (n = " + std::to_string(b.total) + ")";
  }
  double label_w = 0;
  for (const auto& b : bars) label_w = std::max(label_w, plot::scene{}.text({0, 0}, b.label, f));
  const double left = 12.0 + label_w + 10.0, bar_w = 300.0, bar_h = 16.0, gap = 6.0, top = 34.0;
  s.width = left + bar_w + 20.0;
  s.text({left + bar_w / 2, 18.0}, "Share of assessments (n = " + std::to_string(c.units.size()) + ")", bold,
         plot::anchor::middle);
  s.begin_group("bars");
  double y = top;
  for (const auto& b : bars) {
    s.text({left - 8.0, y + bar_h / 2 + 3.2}, b.label, b.label.rfind("Overall", 0) == 0 ? bold : f, plot::anchor::end);
    double x = left;
    for (const auto& j : b.scale) {
      const auto it = b.n.find(j);
      if (it == b.n.end() || b.total == 0) continue;
      const double w = bar_w * static_cast<double>(it->second) / static_cast<double>(b.total);
      s.box({x, y, w, bar_h}, plot::rgb(style_of(b.scale, j).colour), plot::stroke{plot::rgb(0x333333), 0.5});
      x += w;
    }
    if (b.total == 0)
      s.box({left, y, bar_w, bar_h}, std::nullopt, plot::stroke{plot::rgb(0x999999), 0.5, plot::dash::dashed});
    y += bar_h + gap;
  }
  s.end_group();
  s.begin_group("axis");
  const plot::stroke ax{plot::rgb(0x000000), 0.5};
  s.line({left, y}, {left + bar_w, y}, ax);
  for (int p = 0; p <= 100; p += 25) {
    const double x = left + bar_w * p / 100.0;
    s.line({x, y}, {x, y + 3.0}, ax);
    s.text({x, y + 12.0}, std::to_string(p) + "%", small, plot::anchor::middle);
  }
  s.end_group();
  y += 30.0;
  std::vector<std::string> scale = t.overall_judgements;
  for (const auto& d : t.domains) {
    for (const auto& j : d.judgements) {
      if (std::find(scale.begin(), scale.end(), j) == scale.end()) scale.push_back(j);
    }
  }
  s.begin_group("legend");
  double x = 12.0;
  for (const auto& j : scale) {
    s.box({x, y - 7.5, 9.0, 9.0}, plot::rgb(style_of(scale, j).colour), plot::stroke{plot::rgb(0x333333), 0.5});
    x += 12.0;
    x += s.text({x, y}, label_of(j), small) + 14.0;
  }
  s.end_group();
  s.width = std::max(s.width, x + 12.0);
  s.height = y + 14.0;
  return s;
}

void write_traffic_light_plot(const appraisal_spec& spec, const appraisal_check& c, const std::filesystem::path& path) {
  check_ext(path);
  plot::write_plot(traffic_light_scene(spec, c), path);
}

void write_summary_plot(const appraisal_spec& spec, const appraisal_check& c, const std::filesystem::path& path) {
  check_ext(path);
  plot::write_plot(summary_scene(spec, c), path);
}

}  // namespace metasift::diagrams
