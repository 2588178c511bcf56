#pragma once
// A self-contained HTML report: one file that opens offline, with its figures embedded as
// data: URIs, its style sheet inline, no scripts and no fonts fetched from anywhere. The writer
// knows nothing about reviews or models: callers (the run module) fill an html_document with
// text, tables and SVG figures, and the writer escapes every piece of text it is given, so a
// record title containing "<script>" is shown as text. Output is deterministic: the same
// document gives the same bytes (no time stamps unless the caller puts one in the text).

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace metasift::report {

/// Escapes the five HTML-special characters (& < > " ') so that `text` is shown as written in
/// element content and in quoted attribute values (HTML Living Standard, 13.1.2.6 and 13.5).
[[nodiscard]] std::string html_escape(std::string_view text);

/// RFC 4648 base64 (standard alphabet, '=' padding), for data: URIs (RFC 2397).
[[nodiscard]] std::string base64_encode(std::string_view bytes);

/// A paragraph of plain text (escaped by the writer). A `label` is set in bold before the text.
struct html_paragraph {
  std::string text;
  std::string label;
};

/// A bulleted (or numbered) list of plain-text items.
struct html_list {
  std::vector<std::string> items;
  bool numbered = false;
};

/// Preformatted text (queries, software output), shown in a monospace block.
struct html_pre {
  std::string text;
};

/// A table of plain-text cells. `numeric` marks right-aligned columns (by index); `emphasis`
/// marks rows set in bold (pooled rows).
struct html_table {
  std::string id;
  std::string caption;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> numeric;
  std::vector<bool> emphasis;
  std::vector<std::string> notes;  ///< small print under the table
};

/// A figure: an SVG document embedded as an <img> with a data: URI (so the report stays one
/// file), a caption, and links to the same figure in other formats next to the report.
struct html_figure {
  std::string id;  ///< element id ("forest", "prisma", ...)
  std::string caption;
  std::string alt;  ///< text alternative
  std::string svg;  ///< the SVG document
  std::vector<std::pair<std::string, std::string>>
      links;                  ///< (label, relative path), e.g. ("PDF", "figures/forest.pdf")
  double max_width_em = 0.0;  ///< 0: the column width
};

using html_block = std::variant<html_paragraph, html_list, html_pre, html_table, html_figure>;

struct html_section {
  std::string id;
  std::string title;
  int level = 2;  ///< 2 for a section, 3 for a subsection
  std::vector<html_block> blocks;
};

struct html_document {
  std::string title;
  std::vector<std::string> subtitle;  ///< lines under the title (software, data, date if injected)
  std::vector<html_section> sections;
  std::string footer;
  std::string lang = "en";
};

/// The whole report as an HTML5 document (UTF-8), with a table of contents built from the level-2
/// sections. Deterministic.
[[nodiscard]] std::string format_html(const html_document& doc);

}  // namespace metasift::report
