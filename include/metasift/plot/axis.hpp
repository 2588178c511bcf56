#pragma once
// Axis helpers shared by the plot builders: scales, "nice" tick positions and their labels, and
// clipping of interval lines to a panel (with the arrows forest plots draw where a CI runs past
// the axis).

#include <string>
#include <vector>

#include "metasift/plot/scene.hpp"

namespace metasift::plot {

/// How values map to positions. `log`: the values given to a builder are on the display scale
/// (e.g. odds ratios) and are placed at their natural logarithm; tick labels show display values.
enum class axis_scale { linear, log };

/// Ticks of one axis. `positions` are in plot coordinates (the natural log of the display value
/// for a log axis); lo and hi are the axis limits (the outermost ticks unless limits were fixed).
struct axis_ticks {
  double lo = 0.0;
  double hi = 1.0;
  std::vector<double> positions;
  std::vector<std::string> labels;
};

/// Nice linear ticks (steps of 1, 2, 2.5 or 5 times a power of ten) covering [lo, hi], with at
/// most max_ticks ticks; labels have the decimals the step needs ("-1", "0.5", "0.25").
/// A degenerate range (lo == hi) is widened to +-1 around the value (or +-|value|/2).
[[nodiscard]] axis_ticks linear_ticks(double lo, double hi, int max_ticks = 6);

/// Ticks for a log axis over the display range [lo, hi] (both > 0): 1-2-5 series per decade,
/// thinned to whole decades for wide ranges, and linear display ticks for narrow ranges.
/// Positions are natural logs; labels are display values ("0.1", "0.5", "1", "2").
[[nodiscard]] axis_ticks log_ticks(double lo, double hi, int max_ticks = 7);

/// Ticks for either scale; for `log`, lo and hi are display values.
[[nodiscard]] axis_ticks make_ticks(axis_scale scale, double lo, double hi, int max_ticks);

/// Maps a plot coordinate in [lo, hi] linearly onto [from, to] (pixels may run backwards).
struct linear_map {
  double lo = 0.0, hi = 1.0;
  double from = 0.0, to = 1.0;
  [[nodiscard]] double operator()(double v) const noexcept {
    return hi == lo ? (from + to) / 2.0 : from + (v - lo) / (hi - lo) * (to - from);
  }
};

/// An interval [a, b] in plot coordinates clipped to [lo, hi]: the visible part and whether each
/// end was cut (then drawn as an arrow). visible is false when the interval lies wholly outside.
struct clipped_interval {
  double a = 0.0, b = 0.0;
  bool cut_low = false, cut_high = false;
  bool visible = true;
};
[[nodiscard]] clipped_interval clip_interval(double a, double b, double lo, double hi) noexcept;

/// Adds a horizontal interval line at y from x0 to x1 with an arrowhead at each cut end.
void draw_interval(scene& s, double x0, double x1, double y, bool arrow_left, bool arrow_right, const stroke& st);

/// Formats a display value for a tick label with the shortest form up to 4 significant digits
/// ("0.05", "2", "1000", "-1.5").
[[nodiscard]] std::string tick_label(double v);

}  // namespace metasift::plot
