// The weighted summary plot and the forest plot with risk-of-bias columns, as plot scenes.
// Self-contained: it shares only style_of with appraisal.cpp.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "metasift/core/check.hpp"
#include "metasift/diagrams/appraisal_figures.hpp"
#include "metasift/plot/text.hpp"

namespace metasift::diagrams {

using review::appraisal_check;
using review::appraisal_domain;
using review::appraisal_spec;
using review::appraisal_tool;
using review::appraisal_unit;

namespace {

std::string judgement_label(const std::string& j) {
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

/// MMAT: only the categories in use (as the unweighted plot draws them).
appraisal_tool used_domains(const appraisal_tool& tool, const std::vector<const appraisal_unit*>& units) {
  appraisal_tool t = tool;
  if (t.id != "mmat2018") return t;
  std::set<std::string> groups{"S"};
  for (const auto& d : t.domains) {
    for (const appraisal_unit* u : units) {
      if (u != nullptr && u->domains.count(d.id) != 0) groups.insert(d.group);
    }
  }
  std::vector<appraisal_domain> used;
  for (const auto& d : t.domains) {
    if (groups.count(d.group) != 0) used.push_back(d);
  }
  if (!used.empty()) t.domains = std::move(used);
  return t;
}

/// Every judgement of the tool, overall judgements first, for legends.
std::vector<std::string> scale_of(const appraisal_tool& t) {
  std::vector<std::string> scale = t.overall_judgements;
  for (const auto& d : t.domains) {
    for (const auto& j : d.judgements) {
      if (std::find(scale.begin(), scale.end(), j) == scale.end()) scale.push_back(j);
    }
  }
  return scale;
}

double judgement_legend(plot::scene& s, double x, double y, const std::vector<std::string>& scale, bool boxes) {
  const plot::font small{7.5};
  for (const auto& j : scale) {
    const judgement_style st = style_of(scale, j);
    if (boxes) {
      s.box({x, y - 7.5, 9.0, 9.0}, plot::rgb(st.colour), plot::stroke{plot::rgb(0x333333), 0.5});
      x += 12.0;
    } else {
      s.circle({x + 4.0, y - 2.8}, 5.0, plot::rgb(st.colour), plot::stroke{plot::rgb(0x333333), 0.5});
      x += 13.0;
    }
    x += s.text({x, y}, judgement_label(j), small) + 14.0;
  }
  return x;
}

}  // namespace

plot::scene make_weighted_summary_scene(const appraisal_spec& spec, const appraisal_check& c,
                                        const std::vector<double>& weights) {
  if (weights.size() != c.units.size()) fail_usage("weights", "one weight per assessment is needed");
  std::vector<const appraisal_unit*> in_analysis;
  for (std::size_t i = 0; i < c.units.size(); ++i) {
    if (std::isfinite(weights[i]) && weights[i] > 0) in_analysis.push_back(&c.units[i]);
  }
  const appraisal_tool t = used_domains(spec.tool, in_analysis);
  plot::scene s;
  s.title = "Risk-of-bias summary weighted by the analysis weights: " + t.name;
  const plot::font f{9.0}, small{7.5}, bold{9.0, plot::font_weight::bold};
  struct bar {
    std::string label;
    std::vector<std::string> scale;
    std::map<std::string, double> w;
    double total = 0;
    std::size_t n = 0;
  };
  std::vector<bar> bars;
  const auto add = [&](bar& b, const std::optional<std::string>& j, double w) {
    if (!j || !(std::isfinite(w) && w > 0)) return;
    b.w[*j] += w;
    b.total += w;
    ++b.n;
  };
  for (const auto& d : t.domains) {
    bar b{d.id + ": " + d.name, d.judgements, {}, 0, 0};
    for (std::size_t i = 0; i < c.units.size(); ++i) {
      const auto it = c.units[i].domains.find(d.id);
      add(b, it == c.units[i].domains.end() ? std::nullopt : std::optional<std::string>(it->second), weights[i]);
    }
    bars.push_back(std::move(b));
  }
  if (!t.overall_judgements.empty()) {
    bar b{"Overall", t.overall_judgements, {}, 0, 0};
    for (std::size_t i = 0; i < c.units.size(); ++i) add(b, c.units[i].overall, weights[i]);
    bars.push_back(std::move(b));
  }
  for (auto& b : bars) {
    if (b.n != in_analysis.size()) b.label += " (n = " + std::to_string(b.n) + ")";
  }
  double label_w = 0;
  for (const auto& b : bars) label_w = std::max(label_w, plot::scene{}.text({0, 0}, b.label, f));
  const double left = 12.0 + label_w + 10.0, bar_w = 300.0, bar_h = 16.0, gap = 6.0, top = 34.0;
  s.width = left + bar_w + 20.0;
  s.text({left + bar_w / 2, 18.0},
         "Share of the analysis weight (" + std::to_string(in_analysis.size()) + " assessments)", bold,
         plot::anchor::middle);
  s.begin_group("bars");
  double y = top;
  for (const auto& b : bars) {
    s.text({left - 8.0, y + bar_h / 2 + 3.2}, b.label, b.label.rfind("Overall", 0) == 0 ? bold : f, plot::anchor::end);
    double x = left;
    for (const auto& j : b.scale) {
      const auto it = b.w.find(j);
      if (it == b.w.end() || !(b.total > 0)) continue;
      const double w = bar_w * it->second / b.total;
      s.box({x, y, w, bar_h}, plot::rgb(style_of(b.scale, j).colour), plot::stroke{plot::rgb(0x333333), 0.5});
      x += w;
    }
    if (!(b.total > 0)) {
      s.box({left, y, bar_w, bar_h}, std::nullopt, plot::stroke{plot::rgb(0x999999), 0.5, plot::dash::dashed});
    }
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
  s.begin_group("legend");
  const double x = judgement_legend(s, 12.0, y, scale_of(t), true);
  s.end_group();
  s.width = std::max(s.width, x + 12.0);
  s.height = y + 14.0;
  return s;
}

plot::scene forest_with_rob(const plot::forest_plot& forest, const appraisal_tool& tool,
                            const std::vector<std::pair<std::string, const appraisal_unit*>>& rows) {
  std::vector<const appraisal_unit*> units;
  for (const auto& r : rows) units.push_back(r.second);
  const appraisal_tool t = used_domains(tool, units);
  plot::scene s = forest.drawing;
  const plot::forest_layout& lay = forest.layout;
  // Each study row's baseline: the label text drawn in the left region, matched in order so that
  // two rows with one label take one text each.
  std::vector<double> row_y(rows.size(), std::nan(""));
  std::set<std::size_t> used;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t k = 0; k < s.items.size(); ++k) {
      const auto* ti = std::get_if<plot::text_item>(&s.items[k]);
      if (ti == nullptr || used.count(k) != 0 || ti->at.y <= lay.panel.y || ti->at.y >= lay.panel.bottom()) continue;
      const std::string drawn = plot::to_plain(ti->runs);
      if (ti->at.x > lay.left.right() || (drawn != rows[r].first && drawn != plot::display_text(rows[r].first))) {
        continue;
      }
      row_y[r] = ti->at.y;
      used.insert(k);
      break;
    }
  }
  const bool has_overall = !t.overall_judgements.empty() ||
                           std::any_of(units.begin(), units.end(),
                                       [](const appraisal_unit* u) { return u != nullptr && u->overall.has_value(); });
  const double cell = 15.0, gap = 6.0, x0 = s.width + 4.0;
  const std::size_t ncol = t.domains.size() + (has_overall ? 1U : 0U);
  const auto col_x = [&](std::size_t k) {
    return x0 + cell * (static_cast<double>(k) + 0.5) + (k >= t.domains.size() ? gap : 0.0);
  };
  const double right = x0 + cell * static_cast<double>(ncol) + (has_overall ? gap : 0.0);
  const plot::font head{7.0, plot::font_weight::bold}, sym{7.0, plot::font_weight::bold}, small{7.0};
  const double header_y = lay.panel.y - 4.0;
  s.begin_group("risk-of-bias");
  s.text({(x0 + right) / 2.0, header_y - 10.0}, "Risk of bias", head, plot::anchor::middle);
  for (std::size_t k = 0; k < ncol; ++k) {
    const std::string h = k < t.domains.size() ? t.domains[k].id : "O";
    s.text({col_x(k), header_y}, h, head, plot::anchor::middle);
  }
  s.line({x0, lay.panel.y}, {right, lay.panel.y}, {plot::rgb(0x808080), 0.6});
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const appraisal_unit* u = rows[r].second;
    if (u == nullptr || !std::isfinite(row_y[r])) continue;
    const double cy = row_y[r] - 2.6;
    for (std::size_t k = 0; k < ncol; ++k) {
      std::optional<std::string> j;
      std::vector<std::string> scale;
      if (k < t.domains.size()) {
        if (const auto it = u->domains.find(t.domains[k].id); it != u->domains.end()) j = it->second;
        scale = t.domains[k].judgements;
      } else {
        j = u->overall;
        scale = t.overall_judgements;
      }
      if (!j) continue;
      const judgement_style st = style_of(scale, *j);
      s.circle({col_x(k), cy}, 5.5, plot::rgb(st.colour), plot::stroke{plot::rgb(0x333333), 0.4});
      s.text({col_x(k), cy + 2.5}, st.symbol, sym, plot::anchor::middle,
             plot::rgb(st.colour == 0xE2DF07 ? 0x000000 : 0xFFFFFF));
    }
  }
  // Legend under the plot: the domains, then the judgements.
  double y = s.height + 4.0;
  double legend_right = 0;
  s.text({12.0, y}, "Risk of bias, " + t.name + ":", plot::font{7.0, plot::font_weight::bold});
  for (const auto& d : t.domains) {
    y += 10.0;
    legend_right = std::max(legend_right, 12.0 + s.text({12.0, y}, d.id + ": " + d.name, small));
  }
  if (has_overall) {
    y += 10.0;
    s.text({12.0, y}, "O: overall judgement", small);
  }
  y += 16.0;
  legend_right = std::max(legend_right, judgement_legend(s, 12.0, y, scale_of(t), false));
  s.end_group();
  s.width = std::max({s.width, right + 10.0, legend_right + 12.0});
  s.height = y + 10.0;
  return s;
}

}  // namespace metasift::diagrams
