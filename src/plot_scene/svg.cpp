// Our own SVG writer. Deterministic by construction: numbers go through one fixed formatter,
// items are written in scene order, clip ids are counters, and nothing depends on time or
// memory addresses. Text is written as <text> with <tspan>s, never converted to paths.
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <variant>

#include "metasift/core/text.hpp"
#include "metasift/plot/render.hpp"
#include "pango_shared.hpp"

namespace metasift::plot {
namespace {

/// Coordinates with at most two decimals (1/7200 inch is far below what any output resolves),
/// trailing zeros dropped, and no "-0".
std::string num(double v) {
  if (!std::isfinite(v)) v = 0.0;
  std::string s = fmt::format("{:.2f}", v);
  std::size_t n = s.size();
  while (n > 0 && s[n - 1] == '0') --n;
  if (n > 0 && s[n - 1] == '.') --n;
  s.resize(n);
  // Returned rather than assigned: GCC 12 at -O3 flags `s = "0"` with a bogus -Wrestrict (PR105329).
  if (s.empty() || s == "-0") return std::string(1, '0');
  return s;
}

std::string hex(const color& c) {
  return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b);
}

/// Escapes text and attribute values. Control characters other than tab are not allowed in XML
/// 1.0 and are replaced by spaces rather than producing an unreadable file.
std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t') ch = ' ';
    metasift::text::append_xml_escaped(out, std::string_view(&ch, 1));
  }
  return out;
}

/// "'DejaVu Sans', 'Noto Sans CJK SC', sans-serif" from "DejaVu Sans, Noto Sans CJK SC".
std::string css_family(std::string_view family) {
  std::string out;
  std::size_t start = 0;
  while (start <= family.size()) {
    std::size_t end = family.find(',', start);
    if (end == std::string_view::npos) end = family.size();
    std::string_view name = family.substr(start, end - start);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (!name.empty()) {
      out += '\'';
      out += esc(name);
      out += "', ";
    }
    start = end + 1;
  }
  return out + "sans-serif";
}

std::string fill_attrs(const std::optional<color>& fill) {
  if (!fill) return " fill=\"none\"";
  std::string out = " fill=\"" + hex(*fill) + "\"";
  if (fill->alpha < 1.0) out += " fill-opacity=\"" + num(fill->alpha) + "\"";
  return out;
}

std::string stroke_attrs(const std::optional<stroke>& s) {
  if (!s) return "";
  std::string out = " stroke=\"" + hex(s->c) + "\" stroke-width=\"" + num(s->width) + "\"";
  if (s->c.alpha < 1.0) out += " stroke-opacity=\"" + num(s->c.alpha) + "\"";
  const detail::dash_pattern p = detail::pattern_of(s->style, s->width);
  if (p.on > 0.0) out += " stroke-dasharray=\"" + num(p.on) + " " + num(p.off) + "\"";
  return out;
}

std::string points_attr(const std::vector<point>& pts) {
  std::string out;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (i > 0) out += ' ';
    out += num(pts[i].x) + "," + num(pts[i].y);
  }
  return out;
}

struct writer {
  std::string out;
  int clip_counter = 0;
  int depth = 1;

  void indent() { out.append(static_cast<std::size_t>(depth) * 2U, ' '); }

  void operator()(const line_item& l) {
    indent();
    out += "<line x1=\"" + num(l.a.x) + "\" y1=\"" + num(l.a.y) + "\" x2=\"" + num(l.b.x) + "\" y2=\"" + num(l.b.y) +
           "\"" + stroke_attrs(l.s) + "/>\n";
  }
  void operator()(const polyline_item& p) {
    indent();
    out += "<polyline points=\"" + points_attr(p.points) + "\" fill=\"none\"" + stroke_attrs(p.s) + "/>\n";
  }
  void operator()(const rect_item& r) {
    indent();
    out += "<rect x=\"" + num(r.r.x) + "\" y=\"" + num(r.r.y) + "\" width=\"" + num(r.r.width) + "\" height=\"" +
           num(r.r.height) + "\"" + fill_attrs(r.fill) + stroke_attrs(r.outline) + "/>\n";
  }
  void operator()(const polygon_item& p) {
    indent();
    out += "<polygon points=\"" + points_attr(p.points) + "\"" + fill_attrs(p.fill) + stroke_attrs(p.outline) + "/>\n";
  }
  void operator()(const circle_item& c) {
    indent();
    out += "<circle cx=\"" + num(c.centre.x) + "\" cy=\"" + num(c.centre.y) + "\" r=\"" + num(c.radius) + "\"" +
           fill_attrs(c.fill) + stroke_attrs(c.outline) + "/>\n";
  }
  void operator()(const text_item& t) {
    indent();
    out += "<text x=\"" + num(t.at.x) + "\" y=\"" + num(t.at.y) + "\" font-size=\"" + num(t.f.size) + "\"";
    if (t.f.weight == font_weight::bold) out += " font-weight=\"bold\"";
    if (t.f.slant == font_slant::italic) out += " font-style=\"italic\"";
    if (t.a == anchor::middle) out += " text-anchor=\"middle\"";
    if (t.a == anchor::end) out += " text-anchor=\"end\"";
    if (t.c.r != 0 || t.c.g != 0 || t.c.b != 0) out += " fill=\"" + hex(t.c) + "\"";
    if (t.c.alpha < 1.0) out += " fill-opacity=\"" + num(t.c.alpha) + "\"";
    if (t.vertical) out += " transform=\"rotate(-90 " + num(t.at.x) + " " + num(t.at.y) + ")\"";
    out += ">";
    // Runs become tspans only where they must: an absolute x, or a change of baseline (which
    // SVG expresses as a relative dy that stays in force for the following characters).
    double current = 0.0;
    for (const auto& r : t.runs) {
      const double target = detail::run_offset(t.f, r.shift);
      const bool absolute = std::isfinite(r.x);
      const bool script = r.shift != baseline_shift::none;
      if (!absolute && target == current && !script) {
        out += esc(r.text);
        continue;
      }
      out += "<tspan";
      if (absolute) {
        out += " x=\"" + num(r.x) + "\"";
        if (target != 0.0 || current != 0.0) out += " y=\"" + num(t.at.y + target) + "\"";
      } else if (target != current) {
        out += " dy=\"" + num(target - current) + "\"";
      }
      current = target;
      if (script) out += " font-size=\"" + num(detail::run_size(t.f, r.shift)) + "\"";
      out += '>';
      out += esc(r.text);
      out += "</tspan>";
    }
    out += "</text>\n";
  }
  void operator()(const group_begin& g) {
    std::string clip_attr;
    if (g.clip) {
      const std::string id = fmt::format("clip{}", ++clip_counter);
      indent();
      out += "<clipPath id=\"" + id + "\"><rect x=\"" + num(g.clip->x) + "\" y=\"" + num(g.clip->y) + "\" width=\"" +
             num(g.clip->width) + "\" height=\"" + num(g.clip->height) + "\"/></clipPath>\n";
      clip_attr = " clip-path=\"url(#" + id + ")\"";
    }
    indent();
    out += "<g";
    if (!g.id.empty()) out += " id=\"" + esc(g.id) + "\"";
    out += clip_attr + ">\n";
    ++depth;
  }
  void operator()(const group_end&) {
    if (depth > 1) --depth;
    indent();
    out += "</g>\n";
  }
};

}  // namespace

std::string render_svg(const scene& s) {
  writer w;
  w.out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // Physical size in points so the figure prints at the size it was laid out for; xml:space
  // keeps the spaces inside numbers columns such as "0.70 [ 0.60, 0.80]".
  w.out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + num(s.width) + "pt\" height=\"" +
           num(s.height) + "pt\" viewBox=\"0 0 " + num(s.width) + " " + num(s.height) + "\" font-family=\"" +
           css_family(s.font_family) + "\" xml:space=\"preserve\">\n";
  if (!s.title.empty()) w.out += "  <title>" + esc(s.title) + "</title>\n";
  w.out += "  <rect x=\"0\" y=\"0\" width=\"" + num(s.width) + "\" height=\"" + num(s.height) + "\" fill=\"" +
           hex(s.background) + "\"/>\n";
  for (const auto& it : s.items) std::visit(w, it);
  w.out += "</svg>\n";
  return w.out;
}

}  // namespace metasift::plot
