// The PRISMA flow diagram through the plot scene and its backends (SVG, PDF, PNG).
#include "metasift/diagrams/prisma.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "metasift/core/check.hpp"
#include "metasift/plot/render.hpp"
#include "metasift/plot/text.hpp"
#include "metasift/review/prisma_layout.hpp"

namespace metasift::diagrams {

plot::scene prisma_scene(const review::prisma_counts& c) {
  const auto measure = [](std::string_view text, double size, bool bold) {
    plot::font f;
    f.size = size;
    f.weight = bold ? plot::font_weight::bold : plot::font_weight::normal;
    return plot::measure_text(text, f).width;
  };
  const review::prisma_layout L = review::layout_prisma(c, measure);
  plot::scene s;
  s.width = L.width;
  s.height = L.height;
  s.title = L.title;
  const plot::stroke line{plot::rgb(0x000000), 0.75, plot::dash::solid};
  s.begin_group("boxes");
  for (const auto& b : L.boxes) s.box({b.x, b.y, b.w, b.h}, plot::rgb(b.fill), line);
  s.end_group();
  s.begin_group("arrows");
  for (const auto& a : L.arrows) {
    const double dx = a.x2 - a.x1, dy = a.y2 - a.y1, len = std::hypot(dx, dy);
    if (len <= 0) continue;
    const double ux = dx / len, uy = dy / len, hl = 6.0, hw = 3.0;
    const double bx = a.x2 - ux * hl, by = a.y2 - uy * hl;
    s.line({a.x1, a.y1}, {bx, by}, line);
    s.polygon({{a.x2, a.y2}, {bx - uy * hw, by + ux * hw}, {bx + uy * hw, by - ux * hw}}, plot::rgb(0x000000));
  }
  s.end_group();
  s.begin_group("text");
  for (const auto& l : L.side_labels) {
    plot::font f;
    f.size = l.size;
    f.weight = plot::font_weight::bold;
    s.vertical_text({l.cx + l.size * 0.35, l.cy}, l.text, f, plot::anchor::middle);
  }
  for (const auto& l : L.lines) {
    plot::font f;
    f.size = l.size;
    f.weight = l.bold ? plot::font_weight::bold : plot::font_weight::normal;
    s.text({l.x, l.y}, l.text, f, l.middle ? plot::anchor::middle : plot::anchor::start);
  }
  s.end_group();
  return s;
}

void write_prisma_diagram(const review::prisma_counts& c, const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (ext != ".svg" && ext != ".pdf" && ext != ".png") {
    fail_usage("--prisma", "the diagram file must end in .svg, .pdf or .png, got '" + path.string() + "'");
  }
  plot::write_plot(prisma_scene(c), path);
}

}  // namespace metasift::diagrams
