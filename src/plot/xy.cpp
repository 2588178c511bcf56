// X-y plots: a shared frame (left and bottom axes, tick labels, axis titles, optional legend
// space on the right) and the funnel, bubble and Baujat builders drawn inside it.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "metasift/models/spec.hpp"
#include "metasift/plot/forest.hpp"
#include "metasift/plot/funnel.hpp"
#include "metasift/plot/text.hpp"

namespace metasift::plot {
namespace {

struct frame_request {
  axis_ticks xt, yt;
  bool y_inverted = false;  ///< yt.lo at the top (funnel plots put SE = 0 there)
  std::string title, xlabel, ylabel;
  double right_extra = 0.0;  ///< room right of the panel (legend, labels)
};

struct frame {
  xy_layout layout;
  double tick_len = 0.0;
  double tick_baseline = 0.0;
  double xlabel_baseline = 0.0;
  double ylabel_x = 0.0;
  double title_baseline = 0.0;
};

frame lay_out(scene& s, const frame_request& fr, const xy_style& st) {
  const double fs = st.font_size;
  const font body{fs};
  const font title_font{fs * 1.25, font_weight::bold};
  frame f;
  f.tick_len = 0.4 * fs;
  double ytick_w = 0.0;
  for (const auto& l : fr.yt.labels) ytick_w = std::max(ytick_w, measure_text(l, body, st.font_family).width);
  double left = st.margin;
  if (!fr.ylabel.empty()) {
    f.ylabel_x = left + 0.8 * fs;
    left += 1.6 * fs;
  }
  left += ytick_w + 0.35 * fs + f.tick_len;
  double top = st.margin;
  if (!fr.title.empty()) {
    f.title_baseline = top + title_font.size * 0.95;
    top = f.title_baseline + 1.0 * fs;
  }
  top += 0.6 * fs;  // half a tick label above the top tick
  const rect panel{left, top, st.panel_width, st.panel_height};
  f.tick_baseline = panel.bottom() + f.tick_len + 1.05 * fs;
  f.xlabel_baseline = f.tick_baseline + 1.4 * fs;
  double last_xtick_half = 0.0;
  if (!fr.xt.labels.empty()) last_xtick_half = measure_text(fr.xt.labels.back(), body, st.font_family).width / 2.0;
  s.width = panel.right() + std::max(last_xtick_half, 0.3 * fs) + fr.right_extra + st.margin;
  s.height = (fr.xlabel.empty() ? f.tick_baseline : f.xlabel_baseline) + 0.35 * fs + st.margin;
  if (!fr.title.empty()) {
    s.width = std::max(s.width, measure_text(fr.title, title_font, st.font_family).width + 2.0 * st.margin);
  }
  s.font_family = st.font_family;
  f.layout.panel = panel;
  f.layout.x = {fr.xt.lo, fr.xt.hi, panel.x, panel.right()};
  f.layout.y = fr.y_inverted ? linear_map{fr.yt.lo, fr.yt.hi, panel.y, panel.bottom()}
                             : linear_map{fr.yt.lo, fr.yt.hi, panel.bottom(), panel.y};
  return f;
}

void draw_axes(scene& s, const frame& f, const frame_request& fr, const xy_style& st) {
  const double fs = st.font_size;
  const font body{fs};
  const rect& p = f.layout.panel;
  const stroke ax{st.text, 0.6};
  s.begin_group("axes");
  s.line({p.x, p.bottom()}, {p.right(), p.bottom()}, ax);
  s.line({p.x, p.y}, {p.x, p.bottom()}, ax);
  for (std::size_t i = 0; i < fr.xt.positions.size(); ++i) {
    const double x = f.layout.x(fr.xt.positions[i]);
    s.line({x, p.bottom()}, {x, p.bottom() + f.tick_len}, ax);
    s.text({x, f.tick_baseline}, fr.xt.labels[i], body, anchor::middle, st.text);
  }
  for (std::size_t i = 0; i < fr.yt.positions.size(); ++i) {
    const double y = f.layout.y(fr.yt.positions[i]);
    s.line({p.x - f.tick_len, y}, {p.x, y}, ax);
    s.text({p.x - f.tick_len - 0.35 * fs, y + 0.36 * fs}, fr.yt.labels[i], body, anchor::end, st.text);
  }
  if (!fr.xlabel.empty()) s.text({p.x + p.width / 2.0, f.xlabel_baseline}, fr.xlabel, body, anchor::middle, st.text);
  if (!fr.ylabel.empty()) s.vertical_text({f.ylabel_x, p.y + p.height / 2.0}, fr.ylabel, body, anchor::middle, st.text);
  s.end_group();
  if (!fr.title.empty()) {
    s.begin_group("title");
    s.text({s.width / 2.0, f.title_baseline}, fr.title, {fs * 1.25, font_weight::bold}, anchor::middle, st.text);
    s.end_group();
  }
}

/// Legend entries drawn right of the panel, top-aligned with it.
struct legend_entry {
  enum class kind { swatch, dot, hollow_dot, line, dashed_line } k = kind::swatch;
  color c{};
  std::string label;
};

double legend_width(const std::vector<legend_entry>& entries, const xy_style& st) {
  if (entries.empty()) return 0.0;
  double w = 0.0;
  for (const auto& e : entries) w = std::max(w, measure_text(e.label, {st.font_size}, st.font_family).width);
  return 1.5 * st.font_size + 1.4 * st.font_size + 0.5 * st.font_size + w;
}

void draw_legend(scene& s, const std::vector<legend_entry>& entries, const rect& panel, const xy_style& st) {
  if (entries.empty()) return;
  const double fs = st.font_size;
  const double x = panel.right() + 1.5 * fs;
  double y = panel.y + 0.6 * fs;
  s.begin_group("legend");
  for (const auto& e : entries) {
    const double cy = y;
    switch (e.k) {
      case legend_entry::kind::swatch:
        s.box({x, cy - 0.4 * fs, 1.4 * fs, 0.8 * fs}, e.c, stroke{rgb(0x808080), 0.4});
        break;
      case legend_entry::kind::dot: s.circle({x + 0.7 * fs, cy}, 0.3 * fs, e.c); break;
      case legend_entry::kind::hollow_dot:
        s.circle({x + 0.7 * fs, cy}, 0.3 * fs, rgb(0xFFFFFF), stroke{e.c, 0.7});
        break;
      case legend_entry::kind::line: s.line({x, cy}, {x + 1.4 * fs, cy}, {e.c, 0.8}); break;
      case legend_entry::kind::dashed_line: s.line({x, cy}, {x + 1.4 * fs, cy}, {e.c, 0.6, dash::dashed}); break;
    }
    s.text({x + 1.9 * fs, cy + 0.36 * fs}, e.label, {fs}, anchor::start, st.text);
    y += 1.35 * fs;
  }
  s.end_group();
}

/// Data range with a margin so that points do not sit on the axes.
struct range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  [[nodiscard]] bool empty() const { return !(lo <= hi); }
  /// Widens the range by `fraction` of its span on each side, so that no point sits on an axis.
  void pad(double fraction) {
    const double d = (hi - lo) * fraction;
    lo -= d;
    hi += d;
  }
};

struct box {
  double x0, y0, x1, y1;
  [[nodiscard]] bool overlaps(const box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

axis_ticks ticks_for(axis_scale scale, range r, int max_ticks) {
  if (scale == axis_scale::log) return log_ticks(std::exp(r.lo), std::exp(r.hi), max_ticks);
  return linear_ticks(r.lo, r.hi, max_ticks);
}

/// Axis limits at the (padded) data range with the nice ticks that fall inside it, as R draws
/// scatter plots: extending the axis to the next nice tick can leave a quarter of it empty.
axis_ticks inner_ticks(axis_scale scale, range r, int max_ticks) {
  const axis_ticks all = ticks_for(scale, r, max_ticks);
  axis_ticks t{r.lo, r.hi, {}, {}};
  const double eps = 1e-9 * (r.hi - r.lo);
  for (std::size_t i = 0; i < all.positions.size(); ++i) {
    if (all.positions[i] >= r.lo - eps && all.positions[i] <= r.hi + eps) {
      t.positions.push_back(all.positions[i]);
      t.labels.push_back(all.labels[i]);
    }
  }
  return t.positions.size() >= 2 ? t : all;
}

// Normal quantiles of the contour levels (two-sided p = .10, .05, .01): constants of the figure's
// definition (Peters et al. 2008), not statistics of the data.
constexpr double z_10 = 1.6448536269514722;
constexpr double z_05 = 1.959963984540054;
constexpr double z_01 = 2.5758293035489004;

}  // namespace

funnel_input make_funnel_input(const models::meta_result& r, effects::measure m) {
  funnel_input in;
  const measure_display d = display_of(m);
  in.scale = d.scale;
  for (const auto& s : r.studies) in.points.push_back({s.yi, s.se, false, s.label});
  in.pooled = r.pooled.estimate;
  switch (effects::display_scale_of(m)) {
    case effects::display_scale::exp: in.xlabel = d.effect_header + " (log scale)"; break;
    case effects::display_scale::identity: in.xlabel = d.effect_header; break;
    default: in.xlabel = fmt::format("{} (analysis scale, {})", d.effect_header, effects::to_string(m)); break;
  }
  return in;
}

funnel_input make_funnel_input(const analyses::trimfill_result& r, effects::measure m) {
  funnel_input in = make_funnel_input(r.observed, m);
  for (const auto& f : r.filled) {
    in.points.push_back(
        {f.yi, std::isfinite(f.vi) && f.vi >= 0.0 ? std::sqrt(f.vi) : models::not_available, true, f.label});
  }
  in.pooled = r.adjusted.pooled.estimate;
  in.pooled_label = r.k0 > 0 ? "Adjusted estimate" : "Pooled estimate";
  return in;
}

xy_plot build_funnel(const funnel_input& in, const xy_style& st) {
  range xr;
  range yr;
  bool any_imputed = false;
  for (const auto& p : in.points) {
    if (!std::isfinite(p.yi) || !std::isfinite(p.se) || p.se < 0.0) continue;
    xr.add(p.yi);
    yr.add(p.se);
    any_imputed = any_imputed || p.imputed;
  }
  if (xr.empty()) throw std::invalid_argument("funnel plot: no study with a finite effect and standard error");
  yr.lo = 0.0;
  if (!(yr.hi > 0.0)) yr.hi = 1.0;
  axis_ticks yt = linear_ticks(0.0, yr.hi, 6);
  const double se_hi = yt.hi;
  if (std::isfinite(in.pooled)) {
    xr.add(in.pooled - in.z * se_hi);
    xr.add(in.pooled + in.z * se_hi);
  }
  if (in.contours) xr.add(in.null_value);
  const int max_x_ticks = std::max(3, static_cast<int>(st.panel_width / (4.5 * st.font_size)));
  const axis_ticks xt = ticks_for(in.scale, xr, max_x_ticks);

  std::vector<legend_entry> legend;
  if (in.contours) {
    legend.push_back({legend_entry::kind::swatch, rgb(0xFFFFFF), "p \u2265 0.10"});
    legend.push_back({legend_entry::kind::swatch, rgb(0xEBEBEB), "0.05 \u2264 p < 0.10"});
    legend.push_back({legend_entry::kind::swatch, rgb(0xD5D5D5), "0.01 \u2264 p < 0.05"});
    legend.push_back({legend_entry::kind::swatch, rgb(0xBDBDBD), "p < 0.01"});
  }
  if (in.contours || any_imputed) {
    legend.push_back({legend_entry::kind::dot, st.point, "Studies"});
    if (any_imputed) legend.push_back({legend_entry::kind::hollow_dot, st.point, "Imputed studies"});
    legend.push_back({legend_entry::kind::line, st.line, in.pooled_label});
    legend.push_back({legend_entry::kind::dashed_line, st.line, in.region_label});
  }

  frame_request fr{xt, yt, true, in.title, in.xlabel, in.ylabel, legend_width(legend, st)};
  xy_plot out;
  scene& s = out.drawing;
  s.title = in.title.empty() ? "Funnel plot" : in.title;
  const frame f = lay_out(s, fr, st);
  out.layout = f.layout;
  const rect& p = f.layout.panel;
  const auto& mx = f.layout.x;
  const auto& my = f.layout.y;

  if (in.contours) {
    // Painter's order: the whole panel in the darkest shade (p < .01), then ever narrower
    // triangles around the null for the larger p-values, white innermost.
    s.begin_group("contours", p);
    s.box(p, rgb(0xBDBDBD));
    const std::pair<double, color> bands[] = {{z_01, rgb(0xD5D5D5)}, {z_05, rgb(0xEBEBEB)}, {z_10, rgb(0xFFFFFF)}};
    for (const auto& [z, c] : bands) {
      s.polygon({{mx(in.null_value), my(0.0)},
                 {mx(in.null_value - z * se_hi), my(se_hi)},
                 {mx(in.null_value + z * se_hi), my(se_hi)}},
                c);
    }
    s.end_group();
  }
  if (std::isfinite(in.pooled)) {
    s.begin_group("funnel", p);
    const stroke dashed{st.line, 0.6, dash::dashed};
    s.line({mx(in.pooled), my(0.0)}, {mx(in.pooled - in.z * se_hi), my(se_hi)}, dashed);
    s.line({mx(in.pooled), my(0.0)}, {mx(in.pooled + in.z * se_hi), my(se_hi)}, dashed);
    s.line({mx(in.pooled), my(0.0)}, {mx(in.pooled), my(se_hi)}, {st.line, 0.8});
    s.end_group();
  }
  s.begin_group("studies");
  const double r = 0.3 * st.font_size;
  for (const auto& pt : in.points) {
    if (!std::isfinite(pt.yi) || !std::isfinite(pt.se) || pt.se < 0.0) continue;
    if (pt.imputed) {
      s.circle({mx(pt.yi), my(pt.se)}, r, rgb(0xFFFFFF), stroke{st.point, 0.7});
    } else {
      s.circle({mx(pt.yi), my(pt.se)}, r, st.point);
    }
  }
  s.end_group();
  draw_axes(s, f, fr, st);
  draw_legend(s, legend, p, st);
  return out;
}

bubble_input make_bubble_input(const models::regression_result& r, const models::design& x, std::span<const double> y,
                               std::span<const double> v, const std::vector<std::string>& labels, std::size_t column,
                               effects::measure m) {
  if (y.size() != x.rows || v.size() != x.rows || (!labels.empty() && labels.size() != x.rows)) {
    throw std::invalid_argument("bubble plot: y, v, labels and the design differ in length");
  }
  if (column >= x.cols) throw std::invalid_argument("bubble plot: no such design column");
  bubble_input in;
  const measure_display d = display_of(m);
  in.y_scale = d.scale;
  in.xlabel = column < x.names.size() ? x.names[column] : "moderator";
  in.ylabel = d.effect_header + (d.scale == axis_scale::log ? " (log scale)" : "");
  const double tau2 = std::isfinite(r.tau2) ? r.tau2 : 0.0;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (std::size_t i = 0; i < x.rows; ++i) {
    in.points.push_back({x(i, column), y[i], 1.0 / (v[i] + tau2), labels.empty() ? std::string() : labels[i]});
    lo = std::min(lo, x(i, column));
    hi = std::max(hi, x(i, column));
  }
  // Coefficient j belongs to the design column of the same name (aliased columns have none).
  std::vector<std::size_t> coef_col;
  std::size_t moderator = r.coefficients.size();
  for (std::size_t j = 0; j < r.coefficients.size(); ++j) {
    const auto it = std::find(x.names.begin(), x.names.end(), r.coefficients[j].name);
    if (it == x.names.end()) return in;  // cannot map the coefficients: points only
    coef_col.push_back(static_cast<std::size_t>(it - x.names.begin()));
    if (coef_col.back() == column) moderator = j;
  }
  if (moderator == r.coefficients.size() || !(hi > lo) || r.vcov.empty()) return in;
  std::vector<double> row(coef_col.size());
  for (std::size_t j = 0; j < coef_col.size(); ++j) {
    double sum = 0.0;
    for (std::size_t i = 0; i < x.rows; ++i) sum += x(i, coef_col[j]);
    row[j] = sum / static_cast<double>(x.rows);
  }
  auto at = [&](double value) {
    row[moderator] = value;
    return models::predict(r, row);
  };
  const models::prediction p0 = at(0.0);
  if (!std::isfinite(p0.estimate)) return in;
  in.intercept = p0.estimate;
  in.slope = r.coefficients[moderator].estimate;
  constexpr int samples = 101;
  for (int s = 0; s < samples; ++s) {
    const double xv = lo + (hi - lo) * static_cast<double>(s) / (samples - 1);
    const models::prediction p = at(xv);
    if (!std::isfinite(p.ci_lower) || !std::isfinite(p.ci_upper)) {
      in.band_x.clear();
      in.band_lower.clear();
      in.band_upper.clear();
      break;
    }
    in.band_x.push_back(xv);
    in.band_lower.push_back(p.ci_lower);
    in.band_upper.push_back(p.ci_upper);
  }
  return in;
}

xy_plot build_bubble(const bubble_input& in, const xy_style& st) {
  range xr;
  range yr;
  double w_max = 0.0;
  for (const auto& p : in.points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    xr.add(p.x);
    yr.add(p.y);
    if (std::isfinite(p.weight)) w_max = std::max(w_max, p.weight);
  }
  if (xr.empty()) throw std::invalid_argument("bubble plot: no point with finite x and y");
  const bool has_line = in.intercept && in.slope;
  if (has_line) {
    yr.add(*in.intercept + *in.slope * xr.lo);
    yr.add(*in.intercept + *in.slope * xr.hi);
  }
  for (std::size_t i = 0; i < in.band_x.size() && i < in.band_lower.size() && i < in.band_upper.size(); ++i) {
    yr.add(in.band_lower[i]);
    yr.add(in.band_upper[i]);
  }
  xr.pad(0.05);
  yr.pad(0.05);
  const axis_ticks xt =
      inner_ticks(axis_scale::linear, xr, std::max(3, static_cast<int>(st.panel_width / (4.5 * st.font_size))));
  const axis_ticks yt = inner_ticks(in.y_scale, yr, 6);
  double label_room = 0.0;
  if (in.label_points) {
    for (const auto& p : in.points)
      label_room = std::max(label_room, measure_text(p.label, {st.font_size * 0.85}, st.font_family).width);
  }
  frame_request fr{xt, yt, false, in.title, in.xlabel, in.ylabel, label_room};
  xy_plot out;
  scene& s = out.drawing;
  s.title = in.title.empty() ? "Bubble plot" : in.title;
  const frame f = lay_out(s, fr, st);
  out.layout = f.layout;
  const rect& p = f.layout.panel;
  const auto& mx = f.layout.x;
  const auto& my = f.layout.y;

  if (!in.band_x.empty() && in.band_x.size() == in.band_lower.size() && in.band_x.size() == in.band_upper.size()) {
    std::vector<point> poly;
    for (std::size_t i = 0; i < in.band_x.size(); ++i) poly.push_back({mx(in.band_x[i]), my(in.band_upper[i])});
    for (std::size_t i = in.band_x.size(); i-- > 0;) poly.push_back({mx(in.band_x[i]), my(in.band_lower[i])});
    s.begin_group("band", p);
    s.polygon(std::move(poly), color{st.accent.r, st.accent.g, st.accent.b, 0.15});
    s.end_group();
  }
  // Largest circles first, so that small studies are not hidden under big ones.
  std::vector<const bubble_point*> order;
  for (const auto& pt : in.points) {
    if (std::isfinite(pt.x) && std::isfinite(pt.y)) order.push_back(&pt);
  }
  std::stable_sort(order.begin(), order.end(), [](const bubble_point* a, const bubble_point* b) {
    const double wa = std::isfinite(a->weight) ? a->weight : 0.0;
    const double wb = std::isfinite(b->weight) ? b->weight : 0.0;
    return wa > wb;
  });
  const double r_max = 1.2 * st.font_size;
  const double r_min = 0.2 * st.font_size;
  s.begin_group("studies", p);
  for (const bubble_point* pt : order) {
    double r = r_min;
    if (w_max > 0.0 && std::isfinite(pt->weight) && pt->weight > 0.0)
      r = std::max(r_min, r_max * std::sqrt(pt->weight / w_max));
    s.circle({mx(pt->x), my(pt->y)}, r, color{st.point.r, st.point.g, st.point.b, 0.35}, stroke{st.point, 0.6});
  }
  s.end_group();
  if (has_line) {
    s.begin_group("fit", p);
    s.line({mx(xt.lo), my(*in.intercept + *in.slope * xt.lo)}, {mx(xt.hi), my(*in.intercept + *in.slope * xt.hi)},
           {st.accent, 1.0});
    s.end_group();
  }
  if (in.label_points) {
    s.begin_group("labels");
    for (const auto& pt : in.points) {
      if (!std::isfinite(pt.x) || !std::isfinite(pt.y) || pt.label.empty()) continue;
      s.text({mx(pt.x) + 0.5 * st.font_size, my(pt.y) - 0.3 * st.font_size}, pt.label, {st.font_size * 0.85},
             anchor::start, st.text);
    }
    s.end_group();
  }
  draw_axes(s, f, fr, st);
  return out;
}

baujat_input make_baujat_input(const analyses::influence_result& r) {
  baujat_input in;
  for (const auto& row : r.studies) in.points.push_back({row.baujat_x, row.baujat_y, row.label});
  // metafor's axis titles: Q contributions only in a common-effect model.
  if (models::is_random_effects(r.spec.est)) in.xlabel = "Squared Pearson residual";
  return in;
}

xy_plot build_baujat(const baujat_input& in, const xy_style& st) {
  range xr;
  range yr;
  double label_room = 0.0;
  const font label_font{st.font_size * 0.85};
  for (const auto& p : in.points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    xr.add(p.x);
    yr.add(p.y);
    label_room = std::max(label_room, measure_text(p.label, label_font, st.font_family).width);
  }
  if (xr.empty()) throw std::invalid_argument("Baujat plot: no point with finite coordinates");
  // Both quantities are non-negative; anchoring the axes at 0 shows how far out a study lies.
  xr.add(0.0);
  yr.add(0.0);
  xr.pad(0.04);
  yr.pad(0.05);
  const axis_ticks xt =
      inner_ticks(axis_scale::linear, xr, std::max(3, static_cast<int>(st.panel_width / (4.5 * st.font_size))));
  const axis_ticks yt = inner_ticks(axis_scale::linear, yr, 6);
  frame_request fr{xt, yt, false, in.title, in.xlabel, in.ylabel, label_room};
  xy_plot out;
  scene& s = out.drawing;
  s.title = in.title.empty() ? "Baujat plot" : in.title;
  const frame f = lay_out(s, fr, st);
  out.layout = f.layout;
  const auto& mx = f.layout.x;
  const auto& my = f.layout.y;
  // Labels go right of their point unless that collides with a label or point already placed;
  // then left, above, below, above-right or below-right, in that order.
  const double fs = st.font_size;
  const double dot = 0.22 * fs;
  std::vector<box> taken;
  for (const auto& p : in.points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    taken.push_back({mx(p.x) - dot, my(p.y) - dot, mx(p.x) + dot, my(p.y) + dot});
  }
  s.begin_group("studies");
  for (const auto& p : in.points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    const double cx = mx(p.x);
    const double cy = my(p.y);
    s.circle({cx, cy}, dot, st.point);
    if (p.label.empty()) continue;
    const text_extent e = measure_text(p.label, label_font, st.font_family);
    const double up = 0.72 * label_font.size;  // cap height, roughly
    struct spot {
      double x, baseline;
      anchor a;
    };
    // Above- and below-right come last: they free a label whose point sits on top of another
    // point near the y axis, where the left and centred spots fall outside the panel.
    const spot spots[] = {{cx + 0.45 * fs, cy + up / 2.0, anchor::start},
                          {cx - 0.45 * fs, cy + up / 2.0, anchor::end},
                          {cx, cy - 0.5 * fs, anchor::middle},
                          {cx, cy + 0.5 * fs + up, anchor::middle},
                          {cx + 0.3 * fs, cy - 0.5 * fs, anchor::start},
                          {cx + 0.3 * fs, cy + 0.5 * fs + up, anchor::start}};
    // The first spot that is inside the plot and free wins; when none is, the one that overlaps
    // the fewest labels and points (a label outside the panel counts as the worst).
    const spot* chosen = &spots[0];
    box chosen_box{};
    std::size_t best = std::numeric_limits<std::size_t>::max();
    for (const spot& sp : spots) {
      const double left = sp.a == anchor::start ? sp.x : sp.a == anchor::end ? sp.x - e.width : sp.x - e.width / 2.0;
      const box b{left, sp.baseline - up, left + e.width, sp.baseline + 0.1 * fs};
      const bool inside =
          b.x0 >= f.layout.panel.x + 1.0 && b.x1 <= s.width && b.y0 >= 0.0 && b.y1 <= f.layout.panel.bottom();
      const auto hits = static_cast<std::size_t>(
          std::count_if(taken.begin(), taken.end(), [&](const box& t) { return t.overlaps(b); }));
      const std::size_t score = inside ? hits : taken.size() + 1;
      if (score < best) {
        best = score;
        chosen = &sp;
        chosen_box = b;
      }
      if (score == 0) break;
    }
    taken.push_back(chosen_box);
    s.text({chosen->x, chosen->baseline}, p.label, label_font, chosen->a, st.text);
  }
  s.end_group();
  draw_axes(s, f, fr, st);
  return out;
}

}  // namespace metasift::plot
