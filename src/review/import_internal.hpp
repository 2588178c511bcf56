#pragma once
// Shared internals of the importers: the line reader, the parse context that collects records and
// located warnings, one parse function per format, and the field normalisers every format uses.

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/core/text.hpp"
#include "metasift/io/table.hpp"
#include "metasift/review/record.hpp"

namespace metasift::review::detail {

// ---------------------------------------------------------------------------------------------
// Lines

/// Lines of a text ending in "\n", "\r\n" or a bare "\r" (all three occur in real exports, even
/// mixed in one file). Lines are returned without their terminator.
class line_reader {
 public:
  explicit line_reader(std::string_view text) noexcept : text_(text) {}

  /// Reads the next line; false at the end of the text.
  bool next(std::string_view& line) noexcept {
    if (pos_ >= text_.size()) return false;
    ++line_number_;
    const char* const b = text_.data() + pos_;
    const std::size_t rest = text_.size() - pos_;
    const void* const nl = std::memchr(b, '\n', rest);
    const std::size_t len = nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - b) : rest;
    if (const void* const cr = std::memchr(b, '\r', len); cr != nullptr) {
      const auto at = static_cast<std::size_t>(static_cast<const char*>(cr) - b);
      line = std::string_view(b, at);
      pos_ += at + 1;
      if (at + 1 == len && nl != nullptr) ++pos_;  // "\r\n"
      return true;
    }
    line = std::string_view(b, len);
    pos_ += len + (nl != nullptr ? 1 : 0);
    return true;
  }

  /// 1-based number of the line last returned by next().
  [[nodiscard]] std::size_t line_number() const noexcept { return line_number_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_number_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Parse context

/// Where parsers put their records and warnings. Parsers fill the bibliographic fields plus
/// source_line, source_id (when the file has one) and database (when the file says); import.cpp
/// fills source_file, source_format, the default source_id and database, and id.
struct parse_context {
  std::string file;
  std::vector<record> records;
  std::vector<std::string> warnings;
  std::vector<std::size_t> warning_lines;  ///< line of each warning, for sorting
  /// Set for a spreadsheet: lines are its rows, said as "file: <sheet> row N: message".
  std::string sheet;

  /// Adds "file:line: message" (or "file: <sheet> row N: message"; just "file: message" for line 0).
  void warn(std::size_t line, std::string_view message);
  /// Adds "file: <where>: message", sorted as if on line `line` (a spreadsheet cell: "Sheet1!C7").
  void warn_at(std::size_t line, std::string_view where, std::string_view message);
};

void parse_ris(std::string_view text, parse_context& ctx);
void parse_medline(std::string_view text, parse_context& ctx);
void parse_wos(std::string_view text, parse_context& ctx);
void parse_wos_tab(std::string_view text, parse_context& ctx);
void parse_scopus_csv(std::string_view text, parse_context& ctx);
void parse_csv_records(std::string_view text, parse_context& ctx);
void parse_bibtex(std::string_view text, parse_context& ctx);
void parse_endnote_xml(std::string_view text, parse_context& ctx);
void parse_pubmed_xml(std::string_view text, parse_context& ctx);
void parse_refer(std::string_view text, parse_context& ctx);
void parse_refworks(std::string_view text, parse_context& ctx);
/// An Excel workbook (.xlsx, a ZIP archive): its first sheet, header row first, is read into a
/// table and mapped by the Scopus, WoS or generic column mapping (table_format decides).
void parse_xlsx(std::string_view bytes, parse_context& ctx);

// The column mappings, shared by the text formats and the spreadsheet reader (rows are records,
// row_line holds each row's line or sheet row).
void scopus_table_records(const io::table& t, parse_context& ctx);
void wos_table_records(const io::table& t, parse_context& ctx);
void csv_table_records(const io::table& t, parse_context& ctx);
/// The WoS field tag of a column of the WoS Excel export ("Article Title" -> "TI",
/// "UT (Unique WOS ID)" -> "UT"); empty for other names.
[[nodiscard]] std::string wos_tag_of_column(std::string_view name);
/// The format a header row names: "wos-tab" (the WoS tags PT, AU and TI/UT), "scopus-csv" (Title
/// with Source title or EID), "csv" (some bibliographic column), else empty. `delimiter` is the
/// text file's ('\t' is required for WoS, ',' for Scopus), or 0 for a spreadsheet (no condition).
[[nodiscard]] std::string table_format(const std::vector<std::string>& header, char delimiter);

/// LaTeX markup of a BibTeX value to plain UTF-8 text (accents, special letters, escapes,
/// dashes, quotes; other commands dropped, braces removed, whitespace collapsed).
[[nodiscard]] std::string latex_to_utf8(std::string_view s);

/// Reads a CSV/TSV table through io::parse_table; when that refuses the file (a row with the wrong
/// number of fields, a duplicate or unnamed header), falls back to a tolerant reader that keeps
/// every row, pads or cuts it to the header width and warns with the line.
[[nodiscard]] io::table read_table_tolerant(std::string_view text, parse_context& ctx);

// ---------------------------------------------------------------------------------------------
// Normalisation helpers (import_normalise.cpp)

[[nodiscard]] inline bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
[[nodiscard]] inline bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
[[nodiscard]] inline bool is_upper(char c) noexcept {
  return c >= 'A' && c <= 'Z';
}
[[nodiscard]] inline bool is_lower(char c) noexcept {
  return c >= 'a' && c <= 'z';
}
[[nodiscard]] inline bool is_alpha(char c) noexcept {
  return is_upper(c) || is_lower(c);
}
[[nodiscard]] inline char to_lower(char c) noexcept {
  return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Removes ASCII whitespace (and a no-break space) at both ends.
[[nodiscard]] std::string_view trim(std::string_view s) noexcept;
/// Trims and collapses every run of whitespace (including line breaks) into one space.
[[nodiscard]] std::string clean_text(std::string_view s);
/// Appends `more` (trimmed) to `field`, separated by one space.
void append_text(std::string& field, std::string_view more);
using metasift::text::iequals;  // ASCII case-insensitive equality (core/text.hpp)
[[nodiscard]] bool istarts_with(std::string_view s, std::string_view prefix) noexcept;
[[nodiscard]] bool icontains(std::string_view haystack, std::string_view needle) noexcept;
[[nodiscard]] std::string lower(std::string_view s);
/// Lower-case letters and digits only: "Source title" -> "sourcetitle". For header matching.
[[nodiscard]] std::string name_key(std::string_view s);
[[nodiscard]] bool all_digits(std::string_view s) noexcept;

/// The DOI in a DOI field ("10.1/x", "doi:10.1/x", "https://doi.org/10.1/x", "10.1/x [doi]",
/// percent-encoded), lower-cased; empty when the text holds no "10.<digits>/..." DOI.
[[nodiscard]] std::string normalise_doi(std::string_view s);
/// A DOI inside a URL: a doi.org link or a "doi=" query parameter; empty when none.
[[nodiscard]] std::string doi_from_url(std::string_view url);
/// The first four-digit year in 1000..2999 standing alone ("2014//", "2017 Nov 15",
/// "2020/11//Nov/Dec2020", "Aug 1 2019"); 0 when there is none ("10 15").
[[nodiscard]] int parse_year(std::string_view s) noexcept;
/// "123--130", "123 – 130" -> "123-130"; an abbreviated end is expanded: "6913-7" -> "6913-6917".
[[nodiscard]] std::string normalise_pages(std::string_view s);
/// Start and end page into "start-end" (just the start when the end is missing, equal, or the
/// start already is a range).
[[nodiscard]] std::string make_pages(std::string_view start, std::string_view end);
/// The first ISSN in a text ("03064530 (ISSN)", "1939-1676 0891-6640"), as "NNNN-NNNX"; empty
/// when there is none (an ISBN is not an ISSN).
[[nodiscard]] std::string find_issn(std::string_view s);
/// Publication type from a type name in any vocabulary ("JOUR", "Journal Article",
/// "journalArticle", "Conference Paper", "inproceedings", "Book Section", "Review", ...).
/// Returns record_type::other for unknown names.
[[nodiscard]] record_type type_from_name(std::string_view name);
/// True when type_from_name knows the name (so an unknown name can be told from "other").
[[nodiscard]] bool known_type_name(std::string_view name);
/// A database name from a vendor URL (scopus.com -> "Scopus", ...); empty when none matches.
[[nodiscard]] std::string database_from_url(std::string_view url);
/// An author name cleaned: whitespace collapsed, trailing separators and a WoS e-mail suffix
/// ("Stillman, Andrew N. (andrew.stillman@uconn.edu)") removed.
[[nodiscard]] std::string clean_author(std::string_view s);
/// Splits on `sep`, trims, drops empty items, appends to out.
void split_into(std::string_view s, char sep, std::vector<std::string>& out);
/// Keywords from one field: split on ';' when present, else (when split_commas) on ',' outside
/// parentheses; a Python-style list "['a', 'b']" is unpacked; a major-topic star ("*athlete" in
/// Embase and MeSH) is removed.
void add_keywords(std::string_view s, std::vector<std::string>& out, bool split_commas = true);
/// Authors from one CSV cell: "A, B; C, D" (split on ';'), "Liu R., Adler D.G." (split on ','
/// when every part has a space), a Python-style list, else one author.
void add_authors_cell(std::string_view s, std::vector<std::string>& out);
/// Appends the UTF-8 encoding of a code point.
using metasift::text::append_utf8;  // core/text.hpp

}  // namespace metasift::review::detail
