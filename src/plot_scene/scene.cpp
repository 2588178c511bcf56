// Scene helpers: adding measured text, plain-text views of runs, text extents.
#include "metasift/plot/scene.hpp"

#include <cmath>

#include "metasift/plot/text.hpp"

namespace metasift::plot {

std::string to_plain(const rich_text& t) {
  std::string out;
  for (const auto& r : t) out += r.text;
  return out;
}

double scene::text(point at, rich_text runs, const font& f, anchor a, color c) {
  for (auto& r : runs) r.text = display_text(r.text);
  const text_extent e = measure_runs(runs, f, font_family);
  // Runs placed at absolute positions define the item's position themselves.
  if (!runs.empty() && std::isfinite(runs.front().x)) {
    at.x = runs.front().x;
    a = anchor::start;
  }
  items.emplace_back(text_item{at, std::move(runs), f, a, c, e.width, false});
  return e.width;
}

double scene::vertical_text(point at, std::string s, const font& f, anchor a, color c) {
  s = display_text(s);
  const text_extent e = measure_text(s, f, font_family);
  items.emplace_back(text_item{at, plain(std::move(s)), f, a, c, e.width, true});
  return e.width;
}

extent horizontal_extent(const text_item& t) noexcept {
  if (t.vertical) return {t.at.x - t.f.size, t.at.x + t.f.size * 0.3};
  double left = t.at.x;
  if (t.a == anchor::middle) left -= t.width / 2.0;
  if (t.a == anchor::end) left -= t.width;
  return {left, left + t.width};
}

}  // namespace metasift::plot
