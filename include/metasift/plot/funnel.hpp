#pragma once
// Funnel plot: effect on x, standard error on y (inverted, 0 at the top), the pseudo confidence
// region around the pooled estimate, a line at the pooled estimate, optional significance contours
// around the null (Peters et al. 2008) and hollow points for imputed (trim-and-fill) studies.
// Also the x-y plots other analyses draw: bubble plots (meta-regression) and Baujat plots.

#include <optional>
#include <string>
#include <vector>

#include "metasift/effects/measure.hpp"
#include "metasift/models/result.hpp"
#include "metasift/plot/axis.hpp"
#include "metasift/plot/scene.hpp"

namespace metasift::plot {

/// Style shared by the x-y plots (funnel, bubble, Baujat).
struct xy_style {
  std::string font_family{default_font_family};
  double font_size = 8.0;
  double panel_width = 260.0;   ///< plot panel (points)
  double panel_height = 200.0;
  double margin = 10.0;
  color point = rgb(0x1C2E4A);
  color line = rgb(0x1A1A1A);
  color accent = rgb(0xB03A2E);
  color text = rgb(0x000000);
};

/// Panel position of a laid-out x-y plot and the maps from plot coordinates to points.
struct xy_layout {
  rect panel;
  linear_map x, y;
};

struct xy_plot {
  scene drawing;
  xy_layout layout;
};

struct funnel_point {
  double yi = models::not_available;  ///< analysis scale (log for ratios)
  double se = models::not_available;
  bool imputed = false;               ///< drawn hollow (trim-and-fill)
  std::string label;
};

struct funnel_input {
  std::vector<funnel_point> points;
  double pooled = models::not_available;  ///< analysis scale; the vertical line and the funnel's apex
  /// `log`: yi are natural logs of a ratio and tick labels show ratios.
  axis_scale scale = axis_scale::linear;
  /// Half-width of the pseudo confidence region in SEs: the normal quantile of the level
  /// (1.96 for 95%). A constant of the display, not a statistic of the data.
  double z = 1.959963984540054;
  std::string region_label = "Pseudo 95% CI";
  bool contours = false;     ///< shade p < .10, < .05, < .01 around null_value
  double null_value = 0.0;   ///< analysis scale
  std::string title;
  std::string xlabel;
  std::string ylabel = "Standard error";
};

/// Lays out and draws a funnel plot. Points with a non-finite yi or se are skipped.
/// Throws std::invalid_argument when no point is drawable.
[[nodiscard]] xy_plot build_funnel(const funnel_input& in, const xy_style& style = {});

/// The studies and pooled estimate of a fit, on the analysis scale, with the measure's axis.
[[nodiscard]] funnel_input make_funnel_input(const models::meta_result& r, effects::measure m);

struct bubble_point {
  double x = models::not_available;       ///< moderator
  double y = models::not_available;       ///< effect (analysis scale)
  double weight = models::not_available;  ///< circle area is proportional to it
  std::string label;
};

struct bubble_input {
  std::vector<bubble_point> points;
  /// Fitted line y = intercept + slope x over the points' x range (meta-regression), if any.
  std::optional<double> intercept, slope;
  /// Optional confidence band of the fitted line, as (x, lower, upper) samples in x order.
  std::vector<double> band_x, band_lower, band_upper;
  axis_scale y_scale = axis_scale::linear;  ///< log: y are natural logs, labels show ratios
  std::string title, xlabel, ylabel;
  bool label_points = false;
};

/// Bubble plot of a meta-regression. Throws std::invalid_argument when no point is drawable.
[[nodiscard]] xy_plot build_bubble(const bubble_input& in, const xy_style& style = {});

struct baujat_point {
  double x = models::not_available;  ///< contribution to the Q statistic
  double y = models::not_available;  ///< influence on the pooled estimate
  std::string label;
};

struct baujat_input {
  std::vector<baujat_point> points;
  std::string title;
  std::string xlabel = "Contribution to overall heterogeneity";
  std::string ylabel = "Influence on overall result";
};

/// Baujat plot: each study's label drawn at its point. Throws std::invalid_argument when no
/// point is drawable.
[[nodiscard]] xy_plot build_baujat(const baujat_input& in, const xy_style& style = {});

}  // namespace metasift::plot
