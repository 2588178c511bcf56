#pragma once
// A backend-neutral drawing: what a plot looks like, decided once, then written by each backend
// (render.hpp: our own SVG writer, cairo + pango for PDF and PNG). Builders (forest.hpp,
// funnel.hpp, ...) lay a plot out into a scene; backends only translate items, never lay out.
//
// Units are PostScript points (1/72 inch), origin top-left, y growing downwards. Text positions
// are baselines. Items are drawn in order (later items on top).

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace metasift::plot {

/// Font families used for every text item, in order of preference: DejaVu Sans for Latin, Greek
/// and the mathematical signs, Noto Sans CJK SC so that Chinese names render instead of boxes.
inline constexpr std::string_view default_font_family = "DejaVu Sans, Noto Sans CJK SC";

struct point {
  double x = 0.0;
  double y = 0.0;
};

struct rect {
  double x = 0.0;
  double y = 0.0;
  double width = 0.0;
  double height = 0.0;
  [[nodiscard]] double right() const noexcept { return x + width; }
  [[nodiscard]] double bottom() const noexcept { return y + height; }
};

/// sRGB colour with opacity (1 = opaque).
struct color {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;
  double alpha = 1.0;
};

/// Colour from 0xRRGGBB.
[[nodiscard]] constexpr color rgb(std::uint32_t hex, double alpha = 1.0) noexcept {
  return {static_cast<std::uint8_t>((hex >> 16U) & 0xFFU), static_cast<std::uint8_t>((hex >> 8U) & 0xFFU),
          static_cast<std::uint8_t>(hex & 0xFFU), alpha};
}

enum class dash { solid, dashed, dotted };

struct stroke {
  color c{};
  double width = 0.5;
  dash style = dash::solid;
};

enum class font_weight { normal, bold };
enum class font_slant { normal, italic };

struct font {
  double size = 8.0;  ///< points
  font_weight weight = font_weight::normal;
  font_slant slant = font_slant::normal;
};

/// Horizontal alignment of a text item at its x position.
enum class anchor { start, middle, end };

/// Sub- and superscript runs are drawn at script_scale of the font size, moved by these fractions
/// of the (unscaled) font size; every backend and the text measurement use the same constants so
/// that SVG, PDF and PNG agree.
enum class baseline_shift { none, sub, super };
inline constexpr double script_scale = 0.7;
inline constexpr double sub_shift = 0.22;    ///< downwards
inline constexpr double super_shift = 0.38;  ///< upwards

/// A piece of a text item. A run with a finite x starts at that absolute position (used to align
/// numbers in columns); otherwise it continues where the previous run ended. When any run has an
/// explicit x the first run must have one too; the item is then placed by its runs, not its anchor.
struct text_run {
  std::string text;  ///< UTF-8
  double x = std::numeric_limits<double>::quiet_NaN();
  baseline_shift shift = baseline_shift::none;
};

/// Text as a list of runs; plain text is one run. Kept as runs (not one string with markup) so
/// that the SVG stays editable text and the same runs drive measurement and every backend.
using rich_text = std::vector<text_run>;

/// One run of plain text.
[[nodiscard]] inline rich_text plain(std::string s) {
  return {text_run{std::move(s)}};
}
/// The characters of all runs, concatenated (what a search in the SVG or PDF finds).
[[nodiscard]] std::string to_plain(const rich_text& t);

struct line_item {
  point a, b;
  stroke s;
};

struct polyline_item {
  std::vector<point> points;
  stroke s;
};

struct rect_item {
  rect r;
  std::optional<color> fill;
  std::optional<stroke> outline;
};

struct polygon_item {
  std::vector<point> points;  ///< closed implicitly
  std::optional<color> fill;
  std::optional<stroke> outline;
};

struct circle_item {
  point centre;
  double radius = 1.0;
  std::optional<color> fill;  ///< none: hollow
  std::optional<stroke> outline;
};

struct text_item {
  point at;  ///< baseline position of the anchor
  rich_text runs;
  font f;
  anchor a = anchor::start;
  color c{};
  double width = 0.0;     ///< measured advance from the leftmost to the rightmost run end (set by scene::text)
  bool vertical = false;  ///< rotated 90 degrees counter-clockwise about `at` (reads bottom to top; y-axis titles)
};

/// Starts a group (an SVG <g>, so that editors can select e.g. all squares at once), optionally
/// clipped to a rectangle. Every group_begin is closed by a group_end.
struct group_begin {
  std::string id;  ///< unique within the scene; empty for none
  std::optional<rect> clip;
};
struct group_end {};

using item =
    std::variant<line_item, polyline_item, rect_item, polygon_item, circle_item, text_item, group_begin, group_end>;

/// A complete drawing of width x height points.
struct scene {
  double width = 0.0;
  double height = 0.0;
  std::string font_family{default_font_family};
  std::string title;  ///< document title (SVG <title>, PDF metadata); not drawn
  color background = rgb(0xFFFFFF);
  std::vector<item> items;

  void line(point a, point b, const stroke& s) { items.emplace_back(line_item{a, b, s}); }
  void polyline(std::vector<point> pts, const stroke& s) { items.emplace_back(polyline_item{std::move(pts), s}); }
  void box(rect r, std::optional<color> fill, std::optional<stroke> outline = std::nullopt) {
    items.emplace_back(rect_item{r, fill, outline});
  }
  void polygon(std::vector<point> pts, std::optional<color> fill, std::optional<stroke> outline = std::nullopt) {
    items.emplace_back(polygon_item{std::move(pts), fill, outline});
  }
  void circle(point c, double r, std::optional<color> fill, std::optional<stroke> outline = std::nullopt) {
    items.emplace_back(circle_item{c, r, fill, outline});
  }
  /// Adds a text item, measuring it with pango in this scene's font family (text.hpp).
  /// Returns its measured width.
  double text(point at, rich_text runs, const font& f, anchor a = anchor::start, color c = {});
  double text(point at, std::string s, const font& f, anchor a = anchor::start, color c = {}) {
    return text(at, plain(std::move(s)), f, a, c);
  }
  /// Adds text rotated to read bottom to top (anchor along the rotated baseline).
  double vertical_text(point at, std::string s, const font& f, anchor a = anchor::middle, color c = {});
  void begin_group(std::string id, std::optional<rect> clip = std::nullopt) {
    items.emplace_back(group_begin{std::move(id), clip});
  }
  void end_group() { items.emplace_back(group_end{}); }
};

/// Horizontal extent [left, right] of a text item from its anchor, x and measured width.
struct extent {
  double left = 0.0;
  double right = 0.0;
};
[[nodiscard]] extent horizontal_extent(const text_item& t) noexcept;

}  // namespace metasift::plot
