// PDF and PNG through cairo, text through pango with the measuring context's settings
// (pango_shared.hpp), so that the drawn text has exactly the widths the layout was built with.
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>

#include "metasift/core/version.hpp"
#include "metasift/plot/render.hpp"
#include "pango_shared.hpp"

namespace metasift::plot {
namespace {

struct surface_deleter {
  void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
};
struct cairo_deleter {
  void operator()(cairo_t* c) const noexcept { cairo_destroy(c); }
};
using surface_ptr = std::unique_ptr<cairo_surface_t, surface_deleter>;
using cairo_ptr = std::unique_ptr<cairo_t, cairo_deleter>;

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void set_color(cairo_t* cr, const color& c) {
  cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, c.alpha);
}

void set_stroke(cairo_t* cr, const stroke& s) {
  set_color(cr, s.c);
  cairo_set_line_width(cr, s.width);
  const detail::dash_pattern p = detail::pattern_of(s.style, s.width);
  if (p.on > 0.0) {
    const std::array<double, 2> d{p.on, p.off};
    cairo_set_dash(cr, d.data(), 2, 0.0);
  } else {
    cairo_set_dash(cr, nullptr, 0, 0.0);
  }
}

/// Fills and/or strokes the current path.
void paint_path(cairo_t* cr, const std::optional<color>& fill, const std::optional<stroke>& outline) {
  if (fill) {
    set_color(cr, *fill);
    if (outline) {
      cairo_fill_preserve(cr);
    } else {
      cairo_fill(cr);
    }
  }
  if (outline) {
    set_stroke(cr, *outline);
    cairo_stroke(cr);
  }
  cairo_new_path(cr);
}

struct painter {
  cairo_t* cr;
  PangoContext* pc;
  const std::string& family;

  void path(const std::vector<point>& pts) {
    for (std::size_t i = 0; i < pts.size(); ++i) {
      if (i == 0) {
        cairo_move_to(cr, pts[i].x, pts[i].y);
      } else {
        cairo_line_to(cr, pts[i].x, pts[i].y);
      }
    }
  }

  void operator()(const line_item& l) {
    cairo_move_to(cr, l.a.x, l.a.y);
    cairo_line_to(cr, l.b.x, l.b.y);
    set_stroke(cr, l.s);
    cairo_stroke(cr);
  }
  void operator()(const polyline_item& p) {
    path(p.points);
    set_stroke(cr, p.s);
    cairo_stroke(cr);
  }
  void operator()(const rect_item& r) {
    cairo_rectangle(cr, r.r.x, r.r.y, r.r.width, r.r.height);
    paint_path(cr, r.fill, r.outline);
  }
  void operator()(const polygon_item& p) {
    path(p.points);
    cairo_close_path(cr);
    paint_path(cr, p.fill, p.outline);
  }
  void operator()(const circle_item& c) {
    cairo_new_sub_path(cr);
    cairo_arc(cr, c.centre.x, c.centre.y, c.radius, 0.0, 2.0 * M_PI);
    paint_path(cr, c.fill, c.outline);
  }
  void operator()(const text_item& t) {
    cairo_save(cr);
    if (t.vertical) {
      cairo_translate(cr, t.at.x, t.at.y);
      cairo_rotate(cr, -M_PI / 2.0);
      cairo_translate(cr, -t.at.x, -t.at.y);
    }
    set_color(cr, t.c);
    double cursor = t.at.x;
    if (t.a == anchor::middle) cursor -= t.width / 2.0;
    if (t.a == anchor::end) cursor -= t.width;
    for (const auto& r : t.runs) {
      if (std::isfinite(r.x)) cursor = r.x;
      const auto desc = detail::make_font_description(family, t.f, detail::run_size(t.f, r.shift));
      const auto layout = detail::make_layout(pc, r.text, desc.get());
      const detail::layout_metrics m = detail::metrics_of(layout.get());
      cairo_move_to(cr, cursor, t.at.y + detail::run_offset(t.f, r.shift) - m.baseline);
      pango_cairo_show_layout(cr, layout.get());
      cursor += m.width;
    }
    cairo_restore(cr);
  }
  void operator()(const group_begin& g) {
    // Every group saves the state, clipped or not, so that group_end can always restore.
    cairo_save(cr);
    if (g.clip) {
      cairo_rectangle(cr, g.clip->x, g.clip->y, g.clip->width, g.clip->height);
      cairo_clip(cr);
    }
  }
  void operator()(const group_end&) { cairo_restore(cr); }
};

void draw_scene(cairo_t* cr, const scene& s) {
  set_color(cr, s.background);
  cairo_rectangle(cr, 0.0, 0.0, s.width, s.height);
  cairo_fill(cr);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
  detail::gobject_ptr<PangoContext> pc(pango_cairo_create_context(cr));
  detail::configure_context(pc.get());
  painter p{cr, pc.get(), s.font_family};
  for (const auto& it : s.items) std::visit(p, it);
}

void check(cairo_status_t st, const char* what) {
  if (st != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(std::string("cairo could not ") + what + ": " + cairo_status_to_string(st));
  }
}

std::uint32_t crc32(const unsigned char* data, std::size_t n, std::uint32_t crc = 0) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1U) : c >> 1U;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ data[i]) & 0xFFU] ^ (crc >> 8U);
  return ~crc;
}

void put_be32(std::string& s, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> static_cast<unsigned>(shift)) & 0xFFU);
}

/// Inserts a pHYs chunk after IHDR (cairo writes none): journals and layout programs read the
/// resolution from it, so a 300-dpi figure is placed at its intended size.
void add_resolution(std::string& png, double dpi) {
  constexpr std::size_t ihdr_end = 8 + 4 + 4 + 13 + 4;  // signature, IHDR length, type, data, CRC
  if (png.size() < ihdr_end || png.compare(12, 4, "IHDR") != 0) return;
  const auto ppm = static_cast<std::uint32_t>(std::lround(dpi / 0.0254));
  std::string chunk;
  put_be32(chunk, 9);
  std::string body = "pHYs";
  put_be32(body, ppm);
  put_be32(body, ppm);
  body += static_cast<char>(1);  // unit: metre
  chunk += body;
  put_be32(chunk, crc32(reinterpret_cast<const unsigned char*>(body.data()), body.size()));
  png.insert(ihdr_end, chunk);
}

}  // namespace

std::string render_pdf(const scene& s) {
  std::string out;
  surface_ptr surface(cairo_pdf_surface_create_for_stream(append_to_string, &out, s.width, s.height));
  check(cairo_surface_status(surface.get()), "create a PDF surface");
  if (!s.title.empty()) cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, s.title.c_str());
  const std::string creator = "metasift " + std::string(version());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, creator.c_str());
  // No dates: cairo stamps the creation time by default, which makes two identical runs differ.
  // A value that is not an ISO 8601 date clears the entry, so neither /CreationDate nor /ModDate
  // is written (tests/plot checks that, and tests/run that reruns give identical bytes).
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, "none");
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_MOD_DATE, "none");
  {
    cairo_ptr cr(cairo_create(surface.get()));
    draw_scene(cr.get(), s);
    check(cairo_status(cr.get()), "draw the PDF");
  }
  cairo_surface_finish(surface.get());
  check(cairo_surface_status(surface.get()), "write the PDF");
  return out;
}

std::string render_png(const scene& s, const render_options& opt) {
  if (!(opt.dpi >= 10.0 && opt.dpi <= 2400.0)) throw std::invalid_argument("PNG resolution must lie in [10, 2400] dpi");
  const double k = opt.dpi / 72.0;
  const int w = static_cast<int>(std::ceil(s.width * k - 1e-6));
  const int h = static_cast<int>(std::ceil(s.height * k - 1e-6));
  surface_ptr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, std::max(w, 1), std::max(h, 1)));
  check(cairo_surface_status(surface.get()), "create an image");
  {
    cairo_ptr cr(cairo_create(surface.get()));
    cairo_scale(cr.get(), k, k);
    draw_scene(cr.get(), s);
    check(cairo_status(cr.get()), "draw the PNG");
  }
  cairo_surface_flush(surface.get());
  std::string out;
  check(cairo_surface_write_to_png_stream(surface.get(), append_to_string, &out), "encode the PNG");
  add_resolution(out, opt.dpi);
  return out;
}

}  // namespace metasift::plot
