#pragma once
// Layout of the PRISMA 2020 flow diagram ("new systematic reviews which included searches of
// databases and registers only"), computed once and drawn by two emitters: review's self-contained
// SVG writer (prisma_svg) and the diagrams module's plot scene (SVG/PDF/PNG backends), so that the
// review module needs no drawing library. Units are points, origin top-left.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/review/prisma.hpp"

namespace metasift::review {

struct prisma_text_line {
  std::string text;
  double x = 0;  ///< left edge (start anchor) or centre (middle anchor)
  double y = 0;  ///< baseline
  double size = 9;
  bool bold = false;
  bool middle = false;  ///< centred on x
};

struct prisma_box {
  double x = 0, y = 0, w = 0, h = 0;
  unsigned fill = 0xFFFFFF;  ///< 0xRRGGBB
  bool outline = true;
  bool rounded = false;
  std::string id;
};

struct prisma_side_label {
  std::string text;
  double cx = 0, cy = 0;  ///< centre; the text reads bottom to top
  double size = 10;
};

struct prisma_arrow {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;  ///< the head is at (x2, y2)
};

struct prisma_layout {
  double width = 0, height = 0;
  std::string title;
  std::vector<prisma_box> boxes;
  std::vector<prisma_text_line> lines;
  std::vector<prisma_side_label> side_labels;
  std::vector<prisma_arrow> arrows;
};

/// Width in points of `text` at `size` points (bold or not), as the emitter will draw it.
using text_measure = std::function<double(std::string_view text, double size, bool bold)>;

/// A fixed per-character width table (DejaVu Sans-like), used when no font can be measured.
[[nodiscard]] double approximate_text_width(std::string_view text, double size, bool bold);

[[nodiscard]] prisma_layout layout_prisma(const prisma_counts& c, const text_measure& measure);

}  // namespace metasift::review
