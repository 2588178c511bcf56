// Generic CSV/TSV bibliographies (Zotero, EndNote tab-delimited, Embase, rispy/ASReview, ASySD,
// hand-made sheets): columns are recognised by name through a table of synonyms, compared after
// lower-casing and dropping everything but letters and digits ("Publication Year" =
// "publication_year" = "publicationyear").

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "import_internal.hpp"
#include "metasift/core/check.hpp"

namespace metasift::review::detail {
namespace {

char detect_delimiter(std::string_view first_line) {
  std::size_t tabs = 0;
  std::size_t semis = 0;
  std::size_t commas = 0;
  bool quoted = false;
  for (const char c : first_line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    tabs += c == '\t' ? 1 : 0;
    semis += c == ';' ? 1 : 0;
    commas += c == ',' ? 1 : 0;
  }
  if (tabs >= semis && tabs >= commas && tabs > 0) return '\t';
  if (semis >= commas && semis > 0) return ';';
  return ',';
}

/// RFC 4180 with every error recovered: rows of the wrong width are padded or cut (and
/// reported), an unclosed quote runs to the end of the file (and is reported).
io::table tolerant_table(std::string_view text, parse_context& ctx) {
  io::table t;
  t.file = ctx.file;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  const std::size_t first_nl = text.find('\n');
  t.delimiter = detect_delimiter(text.substr(0, first_nl));
  const char d = t.delimiter;

  std::size_t p = 0;
  std::size_t line = 1;
  const auto read_row = [&](std::vector<std::string>& cells, std::size_t& row_line) -> bool {
    if (p >= text.size()) return false;
    row_line = line;
    cells.clear();
    std::string cell;
    bool field_start = true;
    for (;;) {
      if (p >= text.size()) {
        cells.push_back(std::move(cell));
        return true;
      }
      const char c = text[p];
      if (field_start && c == '"') {
        const std::size_t open_line = line;
        ++p;
        for (;;) {
          if (p >= text.size()) {
            ctx.warn(open_line, "quoted field is never closed; it runs to the end of the file");
            break;
          }
          const char q = text[p];
          if (q == '"') {
            if (p + 1 < text.size() && text[p + 1] == '"') {
              cell += '"';
              p += 2;
              continue;
            }
            ++p;
            break;
          }
          if (q == '\n') ++line;
          if (q == '\r') {
            if (p + 1 < text.size() && text[p + 1] == '\n') ++p;
            ++line;
            cell += '\n';
            ++p;
            continue;
          }
          cell += q;
          ++p;
        }
        field_start = false;
        continue;
      }
      if (c == d) {
        cells.push_back(std::move(cell));
        cell.clear();
        field_start = true;
        ++p;
        continue;
      }
      if (c == '\n' || c == '\r') {
        if (c == '\r' && p + 1 < text.size() && text[p + 1] == '\n') ++p;
        ++p;
        ++line;
        cells.push_back(std::move(cell));
        return true;
      }
      cell += c;
      field_start = false;
      ++p;
    }
  };

  std::vector<std::string> cells;
  std::size_t row_line = 0;
  while (read_row(cells, row_line)) {
    bool blank = true;
    for (const std::string& c : cells) blank = blank && trim(c).empty();
    if (blank) continue;
    for (std::string& c : cells) t.names.emplace_back(trim(c));
    break;
  }
  const std::size_t width = t.names.size();
  for (std::size_t j = 1; j < width; ++j) {
    for (std::size_t i = 0; i < j; ++i) {
      if (!t.names[j].empty() && iequals(t.names[i], t.names[j])) {
        ctx.warn(row_line, "duplicate column name '" + t.names[j] + "' (column " + std::to_string(j + 1) +
                               "); the first one (column " + std::to_string(i + 1) + ") is used");
        break;
      }
    }
  }
  while (read_row(cells, row_line)) {
    bool blank = true;
    for (const std::string& c : cells) blank = blank && trim(c).empty();
    if (blank) continue;
    if (cells.size() != width) {
      std::size_t used = cells.size();
      while (used > width && trim(cells[used - 1]).empty()) --used;
      if (used != width) {
        ctx.warn(row_line, "row has " + std::to_string(used) + " fields, header has " + std::to_string(width) +
                               (used > width ? "; the extra fields are ignored" : "; the missing fields are empty"));
      }
      cells.resize(width);
    }
    t.rows.push_back(cells);
    t.row_line.push_back(row_line);
  }
  return t;
}

std::optional<std::size_t> find_column(const io::table& t, std::initializer_list<std::string_view> keys) {
  std::vector<std::string> names;
  names.reserve(t.names.size());
  for (const std::string& n : t.names) names.push_back(name_key(n));
  for (const std::string_view k : keys) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == k) return i;
    }
  }
  return std::nullopt;
}

std::vector<std::size_t> find_columns(const io::table& t, std::initializer_list<std::string_view> keys) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < t.names.size(); ++i) {
    const std::string k = name_key(t.names[i]);
    for (const std::string_view s : keys) {
      if (k == s) {
        out.push_back(i);
        break;
      }
    }
  }
  return out;
}

/// Embase's "Source" cell: "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014".
void parse_embase_source(std::string_view s, record& r) {
  s = trim(s);
  std::size_t open = std::string_view::npos;
  for (std::size_t p = s.find(" ("); p != std::string_view::npos; p = s.find(" (", p + 1)) {
    if (p + 7 <= s.size() && all_digits(s.substr(p + 2, 4)) && s[p + 6] == ')') {
      open = p;
      break;
    }
  }
  if (open == std::string_view::npos) {
    r.journal = clean_text(s);
    return;
  }
  r.journal = clean_text(s.substr(0, open));
  r.year = parse_year(s.substr(open + 2, 4));
  std::string_view rest = trim(s.substr(open + 7));
  // "3:3 (152-160). Date of ..."
  const std::size_t paren = rest.find('(');
  const std::string_view vol_issue = trim(rest.substr(0, paren));
  if (!vol_issue.empty() && vol_issue.find(' ') == std::string_view::npos) {
    const std::size_t colon = vol_issue.find(':');
    r.volume = std::string(vol_issue.substr(0, colon));
    if (colon != std::string_view::npos) r.issue = std::string(vol_issue.substr(colon + 1));
  }
  if (paren != std::string_view::npos) {
    const std::size_t close = rest.find(')', paren);
    if (close != std::string_view::npos) r.pages = normalise_pages(rest.substr(paren + 1, close - paren - 1));
  }
}

/// The trimmed cell, or empty for a bare `NA`: R's write.csv (the default of read.csv/write.csv,
/// `na = "NA"`) writes a missing value so, and bibliographic CSVs written from R carry it in every
/// empty field (ASySD's labelled_test_set.csv: 492 DOIs, 544 issues, 200 page ranges). No
/// bibliographic field is legitimately the two letters "NA", so it is read as missing rather than
/// as an abstract, issue or page range "NA".
std::string_view not_na(std::string_view cell) {
  cell = trim(cell);
  return cell == "NA" ? std::string_view{} : cell;
}

}  // namespace

io::table read_table_tolerant(std::string_view text, parse_context& ctx) {
  try {
    return io::parse_table(text, ctx.file);
  } catch (const input_error&) {
    return tolerant_table(text, ctx);
  }
}

void parse_csv_records(std::string_view text, parse_context& ctx) {
  csv_table_records(read_table_tolerant(text, ctx), ctx);
}

void csv_table_records(const io::table& t, parse_context& ctx) {
  const auto col = [&](std::initializer_list<std::string_view> keys) { return find_column(t, keys); };
  const auto title = col({"title", "primarytitle", "articletitle", "documenttitle", "ti", "t1"});
  const auto authors =
      col({"authors", "author", "authornames", "authorfullnames", "firstauthors", "au", "creators", "creator"});
  const auto year = col({"year", "publicationyear", "pubyear", "py", "yearpublished", "yearofpublication"});
  const auto date = col({"date", "publicationdate", "datepublished", "da", "dp", "pd"});
  const auto journal = col({"journal", "journaltitle", "sourcetitle", "publicationtitle", "secondarytitle",
                            "publicationname", "periodical", "journalname", "containertitle", "jo", "jf", "t2", "so"});
  // A proceedings paper's container (BibTeX-derived tables: JabRef, Zotero's Better BibTeX).
  const auto book_title = col({"booktitle", "proceedingstitle", "conferencename"});
  const auto abstract = col({"abstract", "abstractnote", "ab", "summary", "n2"});
  const auto doi = col({"doi", "di", "do"});
  const auto volume = col({"volume", "vl", "vol"});
  const auto issue = col({"issue", "number", "is", "no", "ip"});
  const auto pages = col({"pages", "page", "pagerange", "pg", "pagination"});
  const auto start_page = col({"startpage", "pagestart", "firstpage", "sp", "bp"});
  const auto end_page = col({"endpage", "pageend", "lastpage", "ep"});
  const auto keywords =
      find_columns(t, {"keywords", "keyword", "authorkeywords", "manualtags", "automatictags", "tags", "kw", "de"});
  const auto issn = col({"issn", "eissn", "isbnissn", "sn"});
  const auto pmid = col({"pmid", "pubmedid", "pubmed", "pm"});
  const auto url = col({"url", "link", "links", "ur"});
  const auto language = col({"language", "languageoforiginaldocument", "lang", "la"});
  const auto type = col(
      {"itemtype", "documenttype", "referencetype", "typeofreference", "publicationtype", "pt", "ty", "dt", "type"});
  const auto id = col({"id", "recordid", "key"});
  const auto database = col({"database", "nameofdatabase", "sourcedatabase", "db"});

  bool embase = false;
  for (const std::string& n : t.names) embase = embase || istarts_with(n, "Emtree");
  const auto embase_source = embase ? col({"source"}) : std::nullopt;

  if (!title && !authors && !doi && !abstract) {
    fail_input(source_position{ctx.sheet.empty() ? ctx.file : ctx.file + ": " + ctx.sheet, 1, 0}, "",
               "no bibliographic columns found (expected a header with title, author(s), doi or abstract)");
  }

  for (std::size_t row = 0; row < t.rows.size(); ++row) {
    const std::vector<std::string>& cells = t.rows[row];
    const auto cell = [&](const std::optional<std::size_t>& c) -> std::string_view {
      return c && *c < cells.size() ? not_na(cells[*c]) : std::string_view{};
    };
    const std::size_t line = row < t.row_line.size() ? t.row_line[row] : 0;
    record& r = ctx.records.emplace_back();
    r.source_line = line;
    r.title = clean_text(cell(title));
    add_authors_cell(cell(authors), r.authors);

    const std::string_view y = cell(year);
    r.year = parse_year(y);
    if (r.year == 0) r.year = parse_year(cell(date));
    if (r.year == 0 && !y.empty()) ctx.warn(line, "cannot read a year from '" + std::string(y) + "'");

    r.journal = clean_text(cell(journal));
    if (r.journal.empty()) r.journal = clean_text(cell(book_title));
    r.volume = clean_text(cell(volume));
    r.issue = clean_text(cell(issue));
    r.pages = pages ? normalise_pages(cell(pages)) : make_pages(cell(start_page), cell(end_page));
    if (embase_source) parse_embase_source(cell(embase_source), r);

    const std::string_view d = cell(doi);
    if (!d.empty()) {
      r.doi = normalise_doi(d);
      if (r.doi.empty()) ctx.warn(line, "not a DOI: '" + clean_text(d) + "'");
    }
    r.issn = find_issn(cell(issn));
    const std::string_view pm = cell(pmid);
    if (all_digits(pm)) r.pmid = std::string(pm);
    r.abstract = clean_text(cell(abstract));
    for (const std::size_t k : keywords) add_keywords(not_na(cells[k]), r.keywords);
    r.language = clean_text(cell(language));
    r.url = clean_text(cell(url));
    if (r.doi.empty() && !r.url.empty()) r.doi = doi_from_url(r.url);
    r.type = type_from_name(cell(type));
    // Without a type column, a row with a journal is taken for a journal article.
    if (!type && !r.journal.empty()) r.type = record_type::journal_article;
    r.source_id = clean_text(cell(id));
    r.database = clean_text(cell(database));
    if (embase && r.database.empty()) r.database = "Embase";
  }
}

}  // namespace metasift::review::detail
