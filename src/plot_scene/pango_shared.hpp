#pragma once
// Pango set-up shared by text measurement (text.cpp) and the cairo backend (cairo_backend.cpp):
// both must shape text identically, or the PDF and PNG would not match the measured layout.
#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <string_view>

#include "metasift/plot/scene.hpp"

namespace metasift::plot::detail {

struct gobject_deleter {
  void operator()(void* p) const noexcept { g_object_unref(p); }
};
struct font_description_deleter {
  void operator()(PangoFontDescription* p) const noexcept { pango_font_description_free(p); }
};
template <class T>
using gobject_ptr = std::unique_ptr<T, gobject_deleter>;
using font_description_ptr = std::unique_ptr<PangoFontDescription, font_description_deleter>;

/// Unhinted metrics, unrounded glyph positions and a fixed language, so that widths are exact
/// multiples of the font size and the same on every surface (measuring context, PDF, PNG at
/// any dpi) and under every locale.
void configure_context(PangoContext* ctx);

/// Font description for `family` (comma-separated list) at an absolute size in points.
[[nodiscard]] font_description_ptr make_font_description(std::string_view family, const font& f, double size);

/// A layout of one run of text in `ctx`.
[[nodiscard]] gobject_ptr<PangoLayout> make_layout(PangoContext* ctx, std::string_view text,
                                                   const PangoFontDescription* desc);

/// Logical width, baseline offset (from the layout's top) and height of a layout, in points.
struct layout_metrics {
  double width = 0.0;
  double baseline = 0.0;
  double height = 0.0;
};
[[nodiscard]] layout_metrics metrics_of(PangoLayout* layout);

/// Font size of a run: script runs are smaller.
[[nodiscard]] inline double run_size(const font& f, baseline_shift s) noexcept {
  return s == baseline_shift::none ? f.size : f.size * script_scale;
}
/// Baseline offset of a run in points (positive: down).
[[nodiscard]] inline double run_offset(const font& f, baseline_shift s) noexcept {
  switch (s) {
    case baseline_shift::sub: return sub_shift * f.size;
    case baseline_shift::super: return -super_shift * f.size;
    case baseline_shift::none: break;
  }
  return 0.0;
}

/// Dash pattern (on, off lengths in points) for a stroke; empty for solid. Shared with the SVG
/// writer so that dashes look the same in every format.
struct dash_pattern {
  double on = 0.0;
  double off = 0.0;
};
[[nodiscard]] inline dash_pattern pattern_of(dash d, double width) noexcept {
  switch (d) {
    case dash::dashed: return {3.0 + 2.0 * width, 2.0 + 1.0 * width};
    case dash::dotted: return {0.8 * width + 0.4, 1.6 + 1.5 * width};
    case dash::solid: break;
  }
  return {};
}

}  // namespace metasift::plot::detail
