// Format detection from content (never from the file name).
//
// 1. The first non-blank line starts with '<': PubMed XML when a <PubmedArticleSet> (or a bare
//    <PubmedArticle>) follows, else EndNote XML when a <record> element follows.
// 2. The first non-blank line is a delimited header that names bibliographic columns:
//    "wos-tab" (tab-separated WoS tags PT, AU, TI/UT), "scopus-csv" (Title with Source title or
//    EID), else "csv" (detail::table_format, which also maps the header row of an .xlsx sheet).
// 3. Otherwise the first line with a format's signature decides (junk lines before it are
//    skipped): "TY  - " -> ris, "PMID- " -> medline, "FN " or "PT J" -> wos, "@type{" -> bibtex,
//    "%0 " -> refer (EndNote/Refer tagged), "RT <type>" -> refworks, "{Reference Type}:" ->
//    noteexpress (recognised only to be refused by name).
// 4. Fallbacks for files without those lines: RIS-shaped tags plus an "ER  -" line -> ris;
//    MEDLINE's padded four-character tags ("FAU - ", "AID - ") -> medline; Refer tag lines ("%T ",
//    "%A ") without "%0" -> refer; a delimited first line with as many fields as the second -> csv.

#include <string>
#include <vector>

#include "import_internal.hpp"
#include "metasift/review/import.hpp"

namespace metasift::review {
namespace {

using detail::is_alpha;
using detail::is_digit;
using detail::is_upper;
using detail::name_key;
using detail::trim;

std::vector<std::string> split_header(std::string_view line, char d) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (const char c : line) {
    if (c == '"') {
      quoted = !quoted;
      continue;
    }
    if (c == d && !quoted) {
      cells.emplace_back(trim(cell));
      cell.clear();
      continue;
    }
    cell += c;
  }
  cells.emplace_back(trim(cell));
  return cells;
}

bool is_bibliographic_column(const std::string& name) {
  static const char* const keys[] = {"title",    "primarytitle",    "articletitle", "documenttitle",
                                     "authors",  "author",          "authornames",  "doi",
                                     "abstract", "abstractnote",    "sourcetitle",  "publicationtitle",
                                     "journal",  "publicationyear", "eid"};
  const std::string k = name_key(name);
  for (const char* key : keys) {
    if (k == key) return true;
  }
  return false;
}

bool is_ris_tag(std::string_view l) noexcept {
  return l.size() >= 5 && is_upper(l[0]) && (is_upper(l[1]) || is_digit(l[1])) && l[2] == ' ' && l[3] == ' ' &&
         l[4] == '-' && (l.size() == 5 || l[5] == ' ');
}

/// MEDLINE tags of three or four characters ("FAU - ", "AID - ", "PMID- "), which RIS never has.
bool is_long_medline_tag(std::string_view l) noexcept {
  if (l.size() < 6 || l[4] != '-' || l[5] != ' ') return false;
  if (!is_upper(l[0]) || !is_upper(l[1]) || !(is_upper(l[2]) || is_digit(l[2]))) return false;
  return l[3] == ' ' || is_upper(l[3]) || is_digit(l[3]);
}

bool is_bibtex_start(std::string_view l) noexcept {
  l = trim(l);
  if (l.size() < 3 || l[0] != '@') return false;
  std::size_t i = 1;
  while (i < l.size() && (is_alpha(l[i]) || is_digit(l[i]) || l[i] == '_')) ++i;
  if (i == 1) return false;
  while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
  return i < l.size() && (l[i] == '{' || l[i] == '(');
}

bool is_wos_pt(std::string_view l) noexcept {
  l = trim(l);
  return l.size() == 4 && l.starts_with("PT ") && is_upper(l[3]);
}

/// "%0 Journal Article": the reference-type line that opens an EndNote/Refer tagged record.
bool is_refer_type(std::string_view l) noexcept {
  return l.size() > 3 && l.starts_with("%0 ") && is_alpha(l[3]);
}

/// "RT Journal Article": the reference-type line that opens a RefWorks tagged record.
bool is_refworks_type(std::string_view l) noexcept {
  return l.size() > 3 && l.starts_with("RT ") && is_upper(l[3]);
}

}  // namespace

namespace detail {

std::string table_format(const std::vector<std::string>& header, char delimiter) {
  bool biblio = false;
  bool pt = false;
  bool au = false;
  bool ti_or_ut = false;
  bool title = false;
  bool scopus = false;
  bool wos_names = false;
  for (const std::string& h : header) {
    biblio = biblio || is_bibliographic_column(h);
    pt = pt || h == "PT";
    au = au || h == "AU";
    ti_or_ut = ti_or_ut || h == "TI" || h == "UT";
    title = title || h == "Title";
    scopus = scopus || h == "EID" || h == "Source title";
    // The WoS Excel export names its columns in full; its accession-number column is unique to it.
    wos_names = wos_names || name_key(h) == "utuniquewosid";
  }
  const bool sheet = delimiter == '\0';
  if ((delimiter == '\t' || sheet) && pt && au && ti_or_ut) return "wos-tab";
  if (sheet && wos_names) return "wos-tab";
  if (biblio) return ((delimiter == ',' || sheet) && title && scopus) ? "scopus-csv" : "csv";
  return {};
}

}  // namespace detail

const std::vector<std::string>& import_formats() {
  static const std::vector<std::string> names = {"ris",        "medline",  "wos",         "wos-tab",
                                                 "scopus-csv", "bibtex",   "endnote-xml", "pubmed-xml",
                                                 "refer",      "refworks", "csv",         "xlsx"};
  return names;
}

std::string detect_format(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  detail::line_reader lines(text);
  std::string_view line;
  std::string_view first;
  while (lines.next(line)) {
    if (!trim(line).empty()) {
      first = trim(line);
      break;
    }
  }
  if (first.empty()) return {};

  if (first.front() == '<') {
    if (text.find("<PubmedArticleSet") != std::string_view::npos ||
        text.find("<PubmedArticle>") != std::string_view::npos ||
        text.find("<PubmedBookArticle>") != std::string_view::npos) {
      return "pubmed-xml";
    }
    return text.find("<record") != std::string_view::npos ? "endnote-xml" : std::string();
  }

  // The second non-blank line, to tell a delimited header from prose that has a comma.
  std::string_view second;
  while (lines.next(line)) {
    if (!trim(line).empty()) {
      second = trim(line);
      break;
    }
  }

  const bool tagged_first = is_ris_tag(first) || first.starts_with("PMID-") || is_bibtex_start(first) ||
                            first.starts_with("FN ") || is_wos_pt(first) || is_refer_type(first) ||
                            is_refworks_type(first) || first.starts_with("{Reference Type}:");
  bool delimited = false;
  if (!tagged_first) {
    for (const char d : {'\t', ',', ';'}) {
      const std::vector<std::string> header = split_header(first, d);
      if (header.size() < 2) continue;
      if (second.empty() || split_header(second, d).size() == header.size()) delimited = true;
      if (std::string f = detail::table_format(header, d); !f.empty()) return f;
    }
  }

  // Signature lines (junk before them is skipped): scan from the first line again.
  detail::line_reader scan(text);
  std::size_t ris_tags = 0;
  bool ris_end = false;
  bool medline_tags = false;
  bool refer_title = false;
  std::size_t refer_tags = 0;
  constexpr std::size_t max_lines = 100000;
  while (scan.next(line) && scan.line_number() <= max_lines) {
    if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    if (line.starts_with("TY  -") && is_ris_tag(line)) return "ris";
    if (line.starts_with("PMID-")) return "medline";
    if (line.starts_with("FN ") || is_wos_pt(line)) return "wos";
    if (is_refer_type(line)) return "refer";
    if (is_refworks_type(line)) return "refworks";
    if (line.starts_with("{Reference Type}:")) return "noteexpress";
    if (line.starts_with('@') || (!line.empty() && (line.front() == ' ' || line.front() == '\t'))) {
      if (is_bibtex_start(line)) return "bibtex";
    }
    if (is_ris_tag(line)) {
      ++ris_tags;
      ris_end = ris_end || line.starts_with("ER  -");
    }
    medline_tags = medline_tags || is_long_medline_tag(line);
    if (line.size() >= 3 && line[0] == '%' && is_alpha(line[1]) && line[2] == ' ') {
      ++refer_tags;
      refer_title = refer_title || line[1] == 'T';
    }
  }
  if (medline_tags) return "medline";
  if (ris_tags >= 2 && ris_end) return "ris";
  if (refer_title && refer_tags >= 2) return "refer";  // plain Refer: no %0 lines
  if (delimited) return "csv";
  return {};
}

}  // namespace metasift::review
