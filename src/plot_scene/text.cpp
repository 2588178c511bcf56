// Text measurement with pango (see text.hpp), and the pango set-up the cairo backend shares.
#include "metasift/plot/text.hpp"

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <variant>

#include "metasift/core/limits.hpp"
#include "metasift/core/text.hpp"
#include "pango_shared.hpp"

namespace metasift::plot {
namespace detail {

void configure_context(PangoContext* ctx) {
  cairo_font_options_t* opts = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(opts, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(opts, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_antialias(opts, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options(ctx, opts);
  cairo_font_options_destroy(opts);
  // Pango >= 1.44 rounds glyph positions to whole device units by default, which would make a
  // width depend on the surface's scale (PNG dpi) and break the one-layout-for-all promise.
  pango_context_set_round_glyph_positions(ctx, FALSE);
  // The language steers fallback font choice; pinning it keeps output independent of the locale.
  pango_context_set_language(ctx, pango_language_from_string("en"));
  pango_context_set_base_dir(ctx, PANGO_DIRECTION_LTR);
}

font_description_ptr make_font_description(std::string_view family, const font& f, double size) {
  font_description_ptr d(pango_font_description_new());
  const std::string fam(family);
  pango_font_description_set_family(d.get(), fam.c_str());
  pango_font_description_set_weight(d.get(), f.weight == font_weight::bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_style(d.get(), f.slant == font_slant::italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
  // Absolute size: points equal user units on every surface, whatever pango's resolution.
  pango_font_description_set_absolute_size(d.get(), size * PANGO_SCALE);
  return d;
}

gobject_ptr<PangoLayout> make_layout(PangoContext* ctx, std::string_view text, const PangoFontDescription* desc) {
  gobject_ptr<PangoLayout> layout(pango_layout_new(ctx));
  pango_layout_set_font_description(layout.get(), desc);
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  return layout;
}

layout_metrics metrics_of(PangoLayout* layout) {
  PangoRectangle logical{};
  pango_layout_get_extents(layout, nullptr, &logical);
  const double scale = PANGO_SCALE;
  return {logical.width / scale, pango_layout_get_baseline(layout) / scale, logical.height / scale};
}

}  // namespace detail

std::string display_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t chars = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    if (chars == limits::max_plot_label_chars) {
      out += "\u2026";
      break;
    }
    const metasift::text::utf8_char c = metasift::text::decode_utf8(s, i);
    std::uint32_t cp = c.cp;
    i += c.size;
    const bool bidi_control = (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    if (bidi_control) continue;
    const bool noncharacter = (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFEU) == 0xFFFEU;
    const bool control = cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
    if (!c.valid || noncharacter || control) cp = metasift::text::replacement_character;
    metasift::text::append_utf8(out, cp);
    ++chars;
  }
  return out;
}

namespace {

/// One measuring context per thread (pango's default font map is per thread), with a cache:
/// builders measure the same strings (headers, numbers) many times.
struct measurer {
  detail::gobject_ptr<PangoContext> ctx;
  std::map<std::tuple<std::string, double, int, int, std::string>, text_extent> cache;

  measurer() : ctx(pango_font_map_create_context(pango_cairo_font_map_get_default())) {
    detail::configure_context(ctx.get());
  }

  text_extent measure(std::string_view utf8, const font& f, std::string_view family) {
    auto key = std::make_tuple(std::string(family), f.size, static_cast<int>(f.weight), static_cast<int>(f.slant),
                               std::string(utf8));
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    const auto desc = detail::make_font_description(family, f, f.size);
    const auto layout = detail::make_layout(ctx.get(), utf8, desc.get());
    const detail::layout_metrics m = detail::metrics_of(layout.get());
    text_extent e{m.width, m.baseline, m.height - m.baseline, pango_layout_get_unknown_glyphs_count(layout.get())};
    cache.emplace(std::move(key), e);
    return e;
  }
};

measurer& this_thread_measurer() {
  thread_local measurer m;
  return m;
}

}  // namespace

text_extent measure_text(std::string_view utf8, const font& f, std::string_view family) {
  // Measured as drawn (scene::text stores display_text), so that the layout fits the drawing.
  return this_thread_measurer().measure(display_text(utf8), f, family);
}

text_extent measure_runs(const rich_text& runs, const font& f, std::string_view family) {
  text_extent out;
  if (runs.empty()) return out;
  double cursor = std::isfinite(runs.front().x) ? runs.front().x : 0.0;
  const double start = cursor;
  double left = cursor;
  double right = cursor;
  for (const auto& r : runs) {
    if (std::isfinite(r.x)) cursor = r.x;
    font rf = f;
    rf.size = detail::run_size(f, r.shift);
    const text_extent e = measure_text(r.text, rf, family);
    const double off = detail::run_offset(f, r.shift);
    left = std::min(left, cursor);
    cursor += e.width;
    right = std::max(right, cursor);
    out.ascent = std::max(out.ascent, e.ascent - off);
    out.descent = std::max(out.descent, e.descent + off);
    out.unknown_glyphs += e.unknown_glyphs;
  }
  // Width counts from the item's start (its first run), so that anchors place the whole item.
  out.width = right - std::min(left, start);
  return out;
}

int unknown_glyphs(const scene& s) {
  int n = 0;
  for (const auto& it : s.items) {
    if (const auto* t = std::get_if<text_item>(&it)) n += measure_runs(t->runs, t->f, s.font_family).unknown_glyphs;
  }
  return n;
}

std::string resolved_family(std::string_view utf8, const font& f, std::string_view family) {
  measurer& m = this_thread_measurer();
  const auto desc = detail::make_font_description(family, f, f.size);
  const auto layout = detail::make_layout(m.ctx.get(), utf8, desc.get());
  PangoLayoutIter* iter = pango_layout_get_iter(layout.get());
  std::string out;
  if (PangoLayoutRun* run = pango_layout_iter_get_run_readonly(iter); run != nullptr && run->item != nullptr) {
    PangoFont* pf = run->item->analysis.font;
    if (pf != nullptr) {
      const detail::font_description_ptr d(pango_font_describe(pf));
      if (const char* fam = pango_font_description_get_family(d.get())) out = fam;
    }
  }
  pango_layout_iter_free(iter);
  return out;
}

}  // namespace metasift::plot
