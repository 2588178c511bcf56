// Every export of the shared real-world corpus (../shared/fixtures/bibliographic, read-only, not in
// the repository) imports with the expected format, charset, record count and titles. Skipped, with
// a message, when the corpus is absent.
//
// How the expected values were obtained, independently of the importers:
//   * counts: with grep/python on the files themselves --
//       RIS      `grep -c '^ER  -' FILE` (ER lines, not TY lines: a BOM hides the first TY);
//                checked against `grep -c '^TY  -'` (+1 where the file starts with a BOM)
//       MEDLINE  `grep -c '^PMID- ' FILE`, checked against the blank-line-separated blocks
//                (awk 'BEGIN{RS=""}{n++}END{print n}')
//       WoS      `grep -c '^ER$' FILE`, checked against `grep -c '^PT '`
//       BibTeX   `grep -ci '^\s*@[a-z]*{' FILE` (no @string/@comment/@preamble in these files)
//       EndNote  `grep -o '<record>' FILE | wc -l`
//       CSV/TSV  python3 csv.reader data rows (len(rows) - 1), latin-1 for labelled_test_set.csv
//   * charsets: `file FILE` ("UTF-8 (with BOM)", "ISO-8859"), and iconv -f GB18030 for gbk_test.bib;
//   * titles: re-read below by simple line/string scanning written for this test (not the importer
//     code): the first TI/T1 value of each RIS record plus its untagged continuation lines (else
//     its ST short title), the TI
//     of each MEDLINE/WoS record plus its indented lines, the title cell of CSV rows (a small RFC 4180
//     reader here), the braced title of each BibTeX entry and the <title> of each EndNote record.
//     RIS/MEDLINE/WoS/CSV titles must match exactly (after collapsing whitespace); BibTeX and XML
//     titles, which the importer decodes (LaTeX, entities), are compared on their ASCII letters and
//     digits with markup removed.
// A second test checks the committed table tests/review/corpus_expected.tsv (count, first and
// last title of every file), written by tools/review_corpus_expected.py with Python's standard
// library only -- a second derivation in another language, from the same definitions.

#include <gtest/gtest.h>

#include <cctype>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/review/import.hpp"

namespace {

namespace fs = std::filesystem;
using metasift::review::import_file;
using metasift::review::import_result;

enum class method { ris, medline, wos, bibtex, xml, csv };

struct corpus_file {
  const char* path;
  const char* format;
  const char* charset;
  std::size_t count;
  method titles;
  const char* title_column = "";  ///< csv: the header of the title column
  char delimiter = ',';           ///< csv
  bool latin1 = false;            ///< csv: bytes are Latin-1
};

// clang-format off
const corpus_file corpus[] = {
    {"asreview/baseline_empty_values.ris", "ris", "utf-8", 4, method::ris},
    {"asreview/duplicate_records.csv", "csv", "utf-8", 14, method::csv, "title", ';'},
    {"asreview/embase.csv", "csv", "utf-8", 6, method::csv, "Title"},
    {"asreview/embase.ris", "ris", "utf-8-bom", 6, method::ris},
    {"asreview/faulty_year.ris", "ris", "utf-8", 1, method::ris},
    {"asreview/generic_semicolon.csv", "csv", "utf-8", 2, method::csv, "title", ';'},
    {"asreview/ovid_psycinfo.ris", "ris", "utf-8", 6, method::ris},
    {"asreview/proquest.ris", "ris", "utf-8", 6, method::ris},
    {"asreview/pubmed_endnote.txt", "ris", "utf-8", 6, method::ris},
    {"asreview/ris_issue_1099.txt", "ris", "utf-8", 7, method::ris},
    {"asreview/ris_issue_992.txt", "ris", "utf-8", 19, method::ris},
    {"asreview/scopus.ris", "ris", "utf-8", 6, method::ris},
    {"asreview/web_of_science.txt", "ris", "utf-8", 10, method::ris},
    {"asysd/labelled_test_set.csv", "csv", "latin-1", 1845, method::csv, "title", ',', true},
    {"asysd/mendeley_export.xml", "endnote-xml", "utf-8", 1233, method::xml},
    {"asysd/ris_export.txt", "ris", "utf-8-bom", 69, method::ris},
    {"asysd/scopus.ris", "ris", "utf-8-bom", 10, method::ris},
    {"asysd/test_export.bib", "bibtex", "utf-8", 3, method::bibtex},
    {"asysd/test_export.csv", "csv", "utf-8", 3, method::csv, "Title"},
    {"asysd/test_export.ris", "ris", "utf-8", 3, method::ris},
    {"asysd/test_export.txt", "csv", "utf-8", 3, method::csv, "Title", '\t'},
    {"asysd/wos_test.ris", "ris", "utf-8-bom", 50, method::ris},
    {"asysd/zotero_export.bib", "bibtex", "utf-8", 1000, method::bibtex},
    {"asysd/zotero_export.csv", "csv", "utf-8-bom", 1233, method::csv, "Title"},
    {"asysd/zotero_export.ris", "ris", "utf-8", 1000, method::ris},
    {"asysd/zotero_export.xml", "endnote-xml", "utf-8", 1233, method::xml},
    {"bibtexparser/gbk_test.bib", "bibtex", "gb18030", 1, method::bibtex},
    {"revtools/restoration_WoS.ciw", "wos", "utf-8", 247, method::wos},
    {"revtools/restoration_pubmed.nbib", "medline", "utf-8", 104, method::medline},
    {"revtools/restoration_scopus.ris", "ris", "utf-8", 286, method::ris},
    {"rispy/example_basic.ris", "ris", "utf-8", 1, method::ris},
    {"rispy/example_bom.ris", "ris", "utf-8-bom", 1, method::ris},
    {"rispy/example_custom_list_tags.ris", "ris", "utf-8", 1, method::ris},
    {"rispy/example_empty_tag.ris", "ris", "utf-8", 1, method::ris},
    {"rispy/example_extraneous_data.ris", "ris", "utf-8", 2, method::ris},
    {"rispy/example_full.ris", "ris", "utf-8", 2, method::ris},
    {"rispy/example_full_without_whitespace.ris", "ris", "utf-8", 2, method::ris},
    {"rispy/example_full_write.ris", "ris", "utf-8", 2, method::ris},
    {"rispy/example_multi_unknown_tags.ris", "ris", "utf-8", 1, method::ris},
    {"rispy/example_multiline.ris", "ris", "utf-8", 3, method::ris},
    {"rispy/example_single_unknown_tag.ris", "ris", "utf-8", 1, method::ris},
    {"rispy/example_starting_newlines.ris", "ris", "utf-8", 1, method::ris},
    {"rispy/example_urls.ris", "ris", "utf-8", 4, method::ris},
    {"rispy/example_utf_chars.ris", "ris", "utf-8-bom", 1, method::ris},
    {"rispy/example_wos.ris", "wos", "utf-8", 2, method::wos},  // WoS tagged despite the name
    {"synthesisr/ASP_ris_example.ris", "ris", "utf-8", 4, method::ris},
    {"synthesisr/Ovid_ris_example.ris", "ris", "utf-8", 4, method::ris},
    {"synthesisr/PubMed_example.txt", "medline", "utf-8", 3, method::medline},
    {"synthesisr/Scopus_bib_example.bib", "bibtex", "utf-8", 3, method::bibtex},
    {"synthesisr/Scopus_ris_example.ris", "ris", "utf-8", 3, method::ris},
    {"synthesisr/WoS_ciw_example.ciw", "wos", "utf-8", 5, method::wos},
    {"synthesisr/WoS_txt_example.txt", "wos", "utf-8", 4, method::wos},
    {"synthesisr/citesource_issue_24.ris", "ris", "utf-8-bom", 17, method::ris},
    {"synthesisr/res_synth_methods.txt", "medline", "utf-8", 2, method::medline},
    {"synthesisr/scopus_extdata.ris", "ris", "utf-8", 92, method::ris},
    {"synthesisr/zoorec_wos.txt", "wos", "utf-8-bom", 134, method::wos},
};
// clang-format on

fs::path corpus_dir() {
  return fs::path(METASIFT_SHARED_DIR) / "fixtures" / "bibliographic";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- independent readers --------------------------------------------------------------------

std::string collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (const char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::vector<std::string> lines_of(std::string text) {
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::vector<std::string> lines;
  std::string cur;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      lines.push_back(cur);
      cur.clear();
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

bool upper_or_digit(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// RIS: the first TI or T1 value of each record (records start at TY) and its untagged lines;
/// a record with neither falls back to its short title ST (rispy/example_utf_chars.ris).
std::vector<std::string> ris_titles(const std::string& text) {
  std::vector<std::string> titles;
  std::vector<std::string> short_titles;
  bool collecting = false;
  for (const std::string& l : lines_of(text)) {
    const bool tag = l.size() >= 5 && l[0] >= 'A' && l[0] <= 'Z' && upper_or_digit(l[1]) && l.compare(2, 3, "  -") == 0;
    if (tag) {
      const std::string name = l.substr(0, 2);
      const std::string value = l.size() > 6 ? l.substr(6) : "";
      collecting = false;
      if (name == "TY") {
        titles.emplace_back();
        short_titles.emplace_back();
      }
      if (name == "ST" && !short_titles.empty() && short_titles.back().empty()) short_titles.back() = value;
      if ((name == "TI" || name == "T1") && !titles.empty() && titles.back().empty()) {
        titles.back() = value;
        collecting = true;
      }
    } else if (collecting) {
      titles.back() += " " + l;
    }
  }
  for (std::size_t i = 0; i < titles.size(); ++i) titles[i] = collapse(titles[i].empty() ? short_titles[i] : titles[i]);
  return titles;
}

/// MEDLINE / WoS: the TI value of each record (records start at `start`) plus indented lines.
std::vector<std::string> tagged_titles(const std::string& text, const std::string& start, const std::string& ti) {
  std::vector<std::string> titles;
  bool collecting = false;
  for (const std::string& l : lines_of(text)) {
    if (l.rfind(start, 0) == 0) titles.emplace_back();
    if (!l.empty() && (l[0] == ' ' || l[0] == '\t')) {
      if (collecting) titles.back() += " " + l;
      continue;
    }
    collecting = l.rfind(ti, 0) == 0 && !titles.empty();
    if (collecting) titles.back() = l.substr(ti.size());
  }
  for (std::string& t : titles) t = collapse(t);
  return titles;
}

/// Lower-case ASCII letters and digits of a title, after dropping XML tags, entities, LaTeX
/// commands (with an accented letter's base) and every non-ASCII byte.
std::string skeleton(std::string_view s, bool markup) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (markup && c == '<') {
      const std::size_t e = s.find('>', i);
      if (e != std::string_view::npos) {
        i = e;
        continue;
      }
    }
    if (markup && c == '&') {
      const std::size_t e = s.find(';', i);
      if (e != std::string_view::npos && e - i < 10) {
        i = e;
        continue;
      }
    }
    if (markup && c == '\\' && i + 1 < s.size()) {
      std::size_t j = i + 1;
      if (std::isalpha(static_cast<unsigned char>(s[j])) != 0) {
        while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j])) != 0) ++j;
      } else {
        ++j;  // \' \" \& ...: the accent and, below, its letter
        if (j < s.size() && s[j] == '{') ++j;
        if (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j])) != 0 &&
            std::string_view("'`^\"~=.").find(s[i + 1]) != std::string_view::npos) {
          ++j;
        }
      }
      i = j - 1;
      continue;
    }
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x80) continue;
    if (std::isalnum(b) != 0) out += static_cast<char>(std::tolower(b));
  }
  return out;
}

/// BibTeX: the braced or quoted value of the `title` field of each entry.
std::vector<std::string> bibtex_titles(const std::string& text) {
  std::vector<std::string> titles;
  std::size_t p = 0;
  for (;;) {
    p = text.find('@', p);
    if (p == std::string::npos) break;
    const std::size_t brace = text.find('{', p);
    if (brace == std::string::npos) break;
    std::string type = text.substr(p + 1, brace - p - 1);
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::size_t next = text.find("\n@", brace);
    const std::string entry = text.substr(brace, next == std::string::npos ? std::string::npos : next - brace);
    p = next == std::string::npos ? text.size() : next + 1;
    if (type == "string" || type == "comment" || type == "preamble") continue;
    std::string title;
    for (std::size_t t = entry.find("title"); t != std::string::npos; t = entry.find("title", t + 1)) {
      const char before = t > 0 ? entry[t - 1] : ' ';
      if (std::isalnum(static_cast<unsigned char>(before)) != 0 || before == '_') continue;
      std::size_t q = t + 5;
      while (q < entry.size() && (entry[q] == ' ' || entry[q] == '\t')) ++q;
      if (q >= entry.size() || entry[q] != '=') continue;
      ++q;
      while (q < entry.size() && (entry[q] == ' ' || entry[q] == '\t')) ++q;
      int depth = 0;
      const char open = entry[q];
      for (std::size_t k = q; k < entry.size(); ++k) {
        if (entry[k] == '{') ++depth;
        if (entry[k] == '}') --depth;
        if ((open == '{' && depth == 0) || (open == '"' && k > q && entry[k] == '"' && depth == 0)) {
          title = entry.substr(q + 1, k - q - 1);
          break;
        }
      }
      break;
    }
    titles.push_back(title);
  }
  return titles;
}

/// EndNote XML: the <title> element of each <record>.
std::vector<std::string> xml_titles(const std::string& text) {
  std::vector<std::string> titles;
  for (std::size_t p = text.find("<record>"); p != std::string::npos; p = text.find("<record>", p + 1)) {
    const std::size_t end = text.find("</record>", p);
    const std::size_t t = text.find("<title>", p);
    if (t == std::string::npos || t > end) {
      titles.emplace_back();
      continue;
    }
    const std::size_t e = text.find("</title>", t);
    titles.push_back(text.substr(t + 7, e - t - 7));
  }
  return titles;
}

std::string latin1_to_utf8(const std::string& s) {
  std::string out;
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xC0 | (b >> 6));
      out += static_cast<char>(0x80 | (b & 0x3F));
    }
  }
  return out;
}

/// CSV: the cells of the column named `column` (RFC 4180 quoting).
std::vector<std::string> csv_titles(std::string text, char delimiter, const std::string& column) {
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      rows.back().push_back(cell);
      cell.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      rows.back().push_back(cell);
      cell.clear();
      rows.emplace_back();
    } else {
      cell += c;
    }
  }
  if (!cell.empty() || !rows.back().empty()) rows.back().push_back(cell);
  while (!rows.empty() && (rows.back().empty() || (rows.back().size() == 1 && rows.back()[0].empty()))) rows.pop_back();
  std::size_t col = 0;
  while (col < rows[0].size() && rows[0][col] != column) ++col;
  std::vector<std::string> titles;
  for (std::size_t r = 1; r < rows.size(); ++r) titles.push_back(col < rows[r].size() ? collapse(rows[r][col]) : "");
  return titles;
}

std::string label_of(method m) {
  switch (m) {
    case method::ris: return "RIS";
    case method::medline: return "MEDLINE";
    case method::wos: return "WoS";
    case method::bibtex: return "BibTeX";
    case method::xml: return "EndNote XML";
    case method::csv: return "CSV/TSV";
  }
  return "?";
}

TEST(CorpusImport, EveryFileHasTheExpectedFormatCountAndTitles) {
  const fs::path dir = corpus_dir();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "shared corpus not found at " << dir << "; skipped";

  // The table covers the whole corpus: a new file there must be added here.
  std::size_t on_disk = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename() != "SOURCES.md") ++on_disk;
  }
  EXPECT_EQ(on_disk, std::size(corpus)) << "files in " << dir << " vs. rows of the expected table";

  std::map<std::string, std::pair<std::size_t, std::size_t>> per_format;  // files, records
  std::size_t warnings = 0;
  for (const corpus_file& c : corpus) {
    SCOPED_TRACE(c.path);
    const fs::path path = dir / c.path;
    ASSERT_TRUE(fs::exists(path)) << path;
    const import_result res = import_file(path);
    EXPECT_EQ(res.format, c.format);
    EXPECT_EQ(res.charset, c.charset);
    ASSERT_EQ(res.records.size(), c.count);
    warnings += res.warnings.size();
    auto& [files, records] = per_format[label_of(c.titles) + " (" + c.format + ")"];
    ++files;
    records += res.records.size();

    const std::string bytes = slurp(path);
    std::vector<std::string> expected;
    switch (c.titles) {
      case method::ris: expected = ris_titles(bytes); break;
      case method::medline: expected = tagged_titles(bytes, "PMID-", "TI  - "); break;
      case method::wos: expected = tagged_titles(bytes, "PT ", "TI "); break;
      case method::bibtex: expected = bibtex_titles(bytes); break;
      case method::xml: expected = xml_titles(bytes); break;
      case method::csv:
        expected = csv_titles(c.latin1 ? latin1_to_utf8(bytes) : bytes, c.delimiter, c.title_column);
        break;
    }
    ASSERT_EQ(expected.size(), res.records.size()) << "the independent title reader disagrees on the count";
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < expected.size() && mismatches < 5; ++i) {
      const std::string& got = res.records[i].title;
      const bool markup = c.titles == method::bibtex || c.titles == method::xml;
      if (markup) {
        if (skeleton(got, false) == skeleton(expected[i], true)) continue;
      } else if (got == expected[i]) {
        continue;
      }
      ++mismatches;
      ADD_FAILURE() << "record " << i + 1 << " (line " << res.records[i].source_line << "): title\n  got      '" << got
                    << "'\n  expected '" << expected[i] << "'";
    }
  }
  std::cout << "[ corpus   ] format: files, records\n";
  std::size_t total_files = 0;
  std::size_t total_records = 0;
  for (const auto& [name, fr] : per_format) {
    std::cout << "[ corpus   ]   " << name << ": " << fr.first << ", " << fr.second << "\n";
    total_files += fr.first;
    total_records += fr.second;
  }
  std::cout << "[ corpus   ]   total: " << total_files << ", " << total_records << " (" << warnings << " warnings)\n";
}

/// Splits a line of tests/review/corpus_expected.tsv at its tabs.
std::vector<std::string> tsv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  for (const char c : line) {
    if (c == '\t') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

// The committed table tests/review/corpus_expected.tsv was written by
// tools/review_corpus_expected.py (Python standard library only: end-of-record lines, PMID lines,
// @entries, <record> elements, csv-module rows; first and last title of each file), so its values
// come from neither metasift nor the C++ readers above.
TEST(CorpusImport, CountsAndFirstLastTitlesMatchThePythonDerivedTable) {
  const fs::path dir = corpus_dir();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "shared corpus not found at " << dir << "; skipped";
  const fs::path table = fs::path(METASIFT_REVIEW_FIXTURES).parent_path() / "corpus_expected.tsv";
  std::ifstream in(table);
  ASSERT_TRUE(in) << "cannot read " << table;
  std::size_t rows = 0;
  std::size_t records = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> f = tsv_fields(line);
    ASSERT_EQ(f.size(), 6U) << table << ": " << line;
    const std::string& path = f[0];
    SCOPED_TRACE(path);
    const std::size_t count = std::stoul(f[2]);
    const bool skeleton_compare = f[3] == "skeleton";
    ++rows;
    const import_result res = import_file(dir / path);
    ASSERT_EQ(res.records.size(), count) << "record count";
    records += res.records.size();
    if (count == 0) continue;
    const auto same = [&](const std::string& got, const std::string& want) {
      return skeleton_compare ? skeleton(got, false) == skeleton(want, true) : collapse(got) == want;
    };
    EXPECT_TRUE(same(res.records.front().title, f[4]))
        << "first title\n  got      '" << res.records.front().title << "'\n  expected '" << f[4] << "'";
    EXPECT_TRUE(same(res.records.back().title, f[5]))
        << "last title\n  got      '" << res.records.back().title << "'\n  expected '" << f[5] << "'";
  }
  EXPECT_EQ(rows, std::size(corpus)) << "rows of " << table << " vs. files of the corpus table above";
  std::cout << "[ corpus   ] " << rows << " files, " << records << " records: counts and first/last titles agree with "
            << table.filename().string() << "\n";
}

}  // namespace
