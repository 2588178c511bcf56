// The self-contained HTML report writer (report/html.hpp). Every piece of caller text passes
// through html_escape; figures become data: URIs, so the file has no external resource at all.
#include "metasift/report/html.hpp"

#include <cstddef>
#include <cstdint>

#include "metasift/core/text.hpp"

namespace metasift::report {
namespace {

// Print-friendly style: system fonts only (nothing is downloaded), tables ruled as in journals
// (top, header and bottom rules), figures scaled to the column.
constexpr std::string_view style_sheet = R"css(
:root { color-scheme: light; }
body { font-family: "Noto Serif", "DejaVu Serif", Georgia, "Times New Roman", serif; font-size: 11pt;
  line-height: 1.45; color: #111; background: #fff; margin: 0; }
main { max-width: 54em; margin: 0 auto; padding: 2em 1.5em 3em; }
h1 { font-size: 1.55em; line-height: 1.25; margin: 0 0 .3em; }
h2 { font-size: 1.2em; margin: 2em 0 .6em; padding-bottom: .2em; border-bottom: 1px solid #bbb; }
h3 { font-size: 1.03em; margin: 1.5em 0 .5em; }
p.subtitle { margin: .1em 0; color: #444; font-size: .92em; }
nav { margin: 1.2em 0 0; padding: .6em 1em; background: #f5f5f3; border: 1px solid #e1e1dc; font-size: .92em; }
nav ol { margin: .2em 0; padding-left: 1.4em; columns: 2; }
table { border-collapse: collapse; margin: .8em 0 .3em; font-size: .86em;
  font-family: "Noto Sans", "DejaVu Sans", Arial, Helvetica, sans-serif; width: 100%; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: .4em;
  font-family: "Noto Serif", "DejaVu Serif", Georgia, serif; font-size: 1.08em; }
thead th { border-top: 2px solid #111; border-bottom: 1px solid #111; text-align: left; padding: .3em .5em;
  vertical-align: bottom; }
tbody td { padding: .22em .5em; vertical-align: top; border-bottom: 1px solid #eee; }
tbody tr:last-child td { border-bottom: 2px solid #111; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.em td { font-weight: bold; }
p.note { font-size: .82em; color: #444; margin: .2em 0 1em; }
figure { margin: 1.2em 0; }
figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: .9em; margin-top: .5em; }
figcaption .links { color: #555; }
pre { background: #f5f5f3; border: 1px solid #e1e1dc; padding: .6em .8em; white-space: pre-wrap;
  font-size: .85em; }
footer { margin-top: 3em; font-size: .82em; color: #555; border-top: 1px solid #ccc; padding-top: .6em; }
@media print { nav { display: none; } h2 { break-after: avoid; } figure, table { break-inside: avoid; } }
)css";

void append_escaped(std::string& out, std::string_view text) {
  metasift::text::append_html_escaped(out, text);
}

/// An id safe in an attribute and a fragment: letters, digits, '-' and '_' kept, the rest '-'.
std::string safe_id(std::string_view id) {
  std::string s;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    s += ok ? c : '-';
  }
  return s;
}

void write_block(std::string& out, const html_paragraph& p) {
  out += "<p>";
  if (!p.label.empty()) {
    out += "<strong>";
    append_escaped(out, p.label);
    out += "</strong> ";
  }
  append_escaped(out, p.text);
  out += "</p>\n";
}

void write_block(std::string& out, const html_list& l) {
  out += l.numbered ? "<ol>\n" : "<ul>\n";
  for (const auto& item : l.items) {
    out += "<li>";
    append_escaped(out, item);
    out += "</li>\n";
  }
  out += l.numbered ? "</ol>\n" : "</ul>\n";
}

void write_block(std::string& out, const html_pre& p) {
  out += "<pre>";
  append_escaped(out, p.text);
  out += "</pre>\n";
}

void write_block(std::string& out, const html_table& t) {
  const auto is_num = [&](std::size_t j) { return j < t.numeric.size() && t.numeric[j]; };
  out += "<table";
  if (!t.id.empty()) out += " id=\"" + safe_id(t.id) + "\"";
  out += ">\n";
  if (!t.caption.empty()) {
    out += "<caption>";
    append_escaped(out, t.caption);
    out += "</caption>\n";
  }
  if (!t.header.empty()) {
    out += "<thead><tr>";
    for (std::size_t j = 0; j < t.header.size(); ++j) {
      out += is_num(j) ? "<th class=\"num\">" : "<th>";
      append_escaped(out, t.header[j]);
      out += "</th>";
    }
    out += "</tr></thead>\n";
  }
  out += "<tbody>\n";
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    out += (i < t.emphasis.size() && t.emphasis[i]) ? "<tr class=\"em\">" : "<tr>";
    for (std::size_t j = 0; j < t.rows[i].size(); ++j) {
      out += is_num(j) ? "<td class=\"num\">" : "<td>";
      append_escaped(out, t.rows[i][j]);
      out += "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  for (const auto& n : t.notes) {
    out += "<p class=\"note\">";
    append_escaped(out, n);
    out += "</p>\n";
  }
}

void write_block(std::string& out, const html_figure& f) {
  out += "<figure";
  if (!f.id.empty()) out += " id=\"" + safe_id(f.id) + "\"";
  out += ">\n<img";
  if (!f.id.empty()) out += " id=\"" + safe_id(f.id) + "-image\"";
  out += " alt=\"";
  append_escaped(out, f.alt);
  out += "\"";
  if (f.max_width_em > 0.0) {
    out += " style=\"max-width: min(100%, " + std::to_string(static_cast<int>(f.max_width_em)) + "em)\"";
  }
  // base64 keeps the URI free of characters that would need percent-encoding (RFC 2397).
  out += " src=\"data:image/svg+xml;base64,";
  out += base64_encode(f.svg);
  out += "\">\n";
  if (!f.caption.empty() || !f.links.empty()) {
    out += "<figcaption>";
    append_escaped(out, f.caption);
    if (!f.links.empty()) {
      out += " <span class=\"links\">(";
      for (std::size_t i = 0; i < f.links.size(); ++i) {
        if (i > 0) out += ", ";
        out += "<a href=\"";
        append_escaped(out, f.links[i].second);
        out += "\">";
        append_escaped(out, f.links[i].first);
        out += "</a>";
      }
      out += ")</span>";
    }
    out += "</figcaption>\n";
  }
  out += "</figure>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text);
  return out;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16U) |
                            (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8U) |
                            std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += alphabet[(v >> 18U) & 63U];
    out += alphabet[(v >> 12U) & 63U];
    out += alphabet[(v >> 6U) & 63U];
    out += alphabet[v & 63U];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16U;
    if (rest == 2) v |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8U;
    out += alphabet[(v >> 18U) & 63U];
    out += alphabet[(v >> 12U) & 63U];
    out += rest == 2 ? alphabet[(v >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

std::string format_html(const html_document& doc) {
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"" + safe_id(doc.lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // No resource may be fetched: images only from data: URIs, no scripts, no fonts, no frames.
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
      "style-src 'unsafe-inline'\">\n";
  out += "<title>";
  append_escaped(out, doc.title);
  out += "</title>\n<style>";
  out += style_sheet;
  out += "</style>\n</head>\n<body>\n<main>\n<header>\n<h1>";
  append_escaped(out, doc.title);
  out += "</h1>\n";
  for (const auto& line : doc.subtitle) {
    out += "<p class=\"subtitle\">";
    append_escaped(out, line);
    out += "</p>\n";
  }
  out += "</header>\n<nav aria-label=\"Contents\"><strong>Contents</strong>\n<ol>\n";
  for (const auto& s : doc.sections) {
    if (s.level != 2) continue;
    out += "<li><a href=\"#" + safe_id(s.id) + "\">";
    append_escaped(out, s.title);
    out += "</a></li>\n";
  }
  out += "</ol>\n</nav>\n";
  for (const auto& s : doc.sections) {
    const std::string h = s.level == 3 ? "h3" : "h2";
    out += "<section id=\"" + safe_id(s.id) + "\">\n<" + h + ">";
    append_escaped(out, s.title);
    out += "</" + h + ">\n";
    for (const auto& b : s.blocks) std::visit([&](const auto& x) { write_block(out, x); }, b);
    out += "</section>\n";
  }
  if (!doc.footer.empty()) {
    out += "<footer>";
    append_escaped(out, doc.footer);
    out += "</footer>\n";
  }
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace metasift::report
