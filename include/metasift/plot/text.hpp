#pragma once
// Text measurement through pango, with the fonts and font options the PDF and PNG backends draw
// with. Builders measure every label with these functions, and the SVG writer uses the same
// measurements, so that SVG, PDF and PNG have one layout: long labels widen the label column in
// all three.
//
// Measurements are unhinted (cairo hint metrics off): widths scale exactly with the font size
// and do not depend on the output resolution.

#include <string>
#include <string_view>

#include "metasift/plot/scene.hpp"

namespace metasift::plot {

struct text_extent {
  double width = 0.0;      ///< advance width in points
  double ascent = 0.0;     ///< baseline to top of the logical box
  double descent = 0.0;    ///< baseline to bottom of the logical box
  int unknown_glyphs = 0;  ///< characters no installed font has (drawn as boxes, "tofu")
};

/// Text as it is drawn and measured: invalid UTF-8, control characters and Unicode noncharacters
/// (U+FFFE, U+FFFF, U+FDD0..U+FDEF, ...) become U+FFFD, which pango and cairo draw on every
/// surface; bidi embedding, override and isolate controls (U+202A..U+202E, U+2066..U+2069) are
/// removed so that a label cannot reverse the text drawn after it; text longer than
/// limits::max_plot_label_chars code points is cut with an ellipsis (PNG surfaces have a size
/// limit, and a 2,000-character label made the figure fail).
[[nodiscard]] std::string display_text(std::string_view utf8);

/// Measures one run of plain text set in `f` and `family` (a comma-separated list, as
/// default_font_family).
[[nodiscard]] text_extent measure_text(std::string_view utf8, const font& f,
                                       std::string_view family = default_font_family);

/// Measures runs as the backends draw them: script runs at script_scale, runs with an explicit x
/// starting there. The width is from the leftmost start to the rightmost end; ascent and descent
/// include the baseline shifts.
[[nodiscard]] text_extent measure_runs(const rich_text& runs, const font& f,
                                       std::string_view family = default_font_family);

/// Characters in the scene's text that no installed font can draw. Zero means no tofu in the PDF
/// or PNG (e.g. Chinese study names resolve to Noto Sans CJK when fonts-noto-cjk is installed).
[[nodiscard]] int unknown_glyphs(const scene& s);

/// Family name of the font pango picks for the first character of `utf8` (e.g. "Noto Sans CJK SC"
/// for a Chinese character): lets tests and users check which font a label will be drawn in.
[[nodiscard]] std::string resolved_family(std::string_view utf8, const font& f,
                                          std::string_view family = default_font_family);

}  // namespace metasift::plot
