#pragma once
// Funnel plot: effect on x, standard error on y (inverted, 0 at the top), the pseudo confidence
// region around the pooled estimate, a line at the pooled estimate, optional significance contours
// around the null (Peters et al. 2008) and hollow points for imputed (trim-and-fill) studies.
// Also the x-y plots other analyses draw: bubble plots (meta-regression) and Baujat plots.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "metasift/analyses/influence.hpp"
#include "metasift/analyses/trimfill.hpp"
#include "metasift/effects/measure.hpp"
#include "metasift/models/regression.hpp"
#include "metasift/models/result.hpp"
#include "metasift/plot/axis.hpp"
#include "metasift/plot/scene.hpp"

namespace metasift::plot {

/// Style shared by the x-y plots (funnel, bubble, Baujat).
struct xy_style {
  std::string font_family{default_font_family};
  double font_size = 8.0;
  double panel_width = 260.0;  ///< plot panel (points)
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
  bool imputed = false;  ///< drawn hollow (trim-and-fill)
  std::string label;
};

struct funnel_input {
  std::vector<funnel_point> points;
  double pooled = models::not_available;         ///< analysis scale; the vertical line and the funnel's apex
  std::string pooled_label = "Pooled estimate";  ///< its legend entry
  /// `log`: yi are natural logs of a ratio and tick labels show ratios.
  axis_scale scale = axis_scale::linear;
  /// Half-width of the pseudo confidence region in SEs: the normal quantile of the level
  /// (1.96 for 95%). A constant of the display, not a statistic of the data.
  double z = 1.959963984540054;
  std::string region_label = "Pseudo 95% CI";
  bool contours = false;    ///< shade p < .10, < .05, < .01 around null_value
  double null_value = 0.0;  ///< analysis scale
  std::string title;
  std::string xlabel;
  std::string ylabel = "Standard error";
};

/// Lays out and draws a funnel plot. Points with a non-finite yi or se are skipped.
/// Throws std::invalid_argument when no point is drawable.
[[nodiscard]] xy_plot build_funnel(const funnel_input& in, const xy_style& style = {});

/// The studies and pooled estimate of a fit, on the analysis scale, with the measure's axis.
[[nodiscard]] funnel_input make_funnel_input(const models::meta_result& r, effects::measure m);

/// The funnel plot of a trim-and-fill analysis (Duval & Tweedie 2000; metafor's funnel.rma on a
/// trimfill object): the observed studies filled, the imputed ones hollow (se = sqrt(vi)), and the
/// funnel centred on the adjusted estimate (the fit on observed + filled studies).
[[nodiscard]] funnel_input make_funnel_input(const analyses::trimfill_result& r, effects::measure m);

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

/// The bubble plot of a meta-regression against design column `column` of x (metafor's regplot):
/// one circle per study with area proportional to its weight 1/(v_i + tau^2), the fitted line and
/// its confidence band from models::predict, the other columns held at their means (regplot's
/// default). y and v are the model's (one per row of x). Throws std::invalid_argument when the
/// sizes differ or `column` is not a column of x; no line when that column was dropped as aliased.
[[nodiscard]] bubble_input make_bubble_input(const models::regression_result& r, const models::design& x,
                                             std::span<const double> y, std::span<const double> v,
                                             const std::vector<std::string>& labels, std::size_t column,
                                             effects::measure m);

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

/// The Baujat plot of an influence analysis (Baujat et al. 2002; metafor's baujat.rma): x is each
/// study's squared Pearson residual (its contribution to Q in a common-effect model), y the
/// influence of deleting it on the pooled estimate; axis titles as metafor's.
[[nodiscard]] baujat_input make_baujat_input(const analyses::influence_result& r);

/// Baujat plot: each study's label drawn at its point. Throws std::invalid_argument when no
/// point is drawable.
[[nodiscard]] xy_plot build_baujat(const baujat_input& in, const xy_style& style = {});

}  // namespace metasift::plot
