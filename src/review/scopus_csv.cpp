// Scopus CSV export (the web export: "Authors", "Author full names", "Title", "Year",
// "Source title", ..., "EID"). Users choose which columns to export, so every column is found by
// name and may be missing. Multi-valued cells are separated by "; ".

#include <optional>
#include <string>
#include <vector>

#include "import_internal.hpp"

namespace metasift::review::detail {
namespace {

std::optional<std::size_t> column(const io::table& t, std::string_view name) {
  return t.find(name);
}

/// "Unnikrishnan, M.A. (57197735070)" -> "Unnikrishnan, M.A.".
std::string strip_author_id(std::string_view s) {
  s = trim(s);
  if (s.ends_with(')')) {
    const std::size_t open = s.rfind('(');
    if (open != std::string_view::npos && all_digits(s.substr(open + 1, s.size() - open - 2))) s = s.substr(0, open);
  }
  return clean_author(s);
}

}  // namespace

void parse_scopus_csv(std::string_view text, parse_context& ctx) {
  scopus_table_records(read_table_tolerant(text, ctx), ctx);
}

void scopus_table_records(const io::table& t, parse_context& ctx) {
  const auto authors = column(t, "Authors");
  const auto full_names = column(t, "Author full names");
  const auto title = column(t, "Title");
  const auto year = column(t, "Year");
  const auto source = column(t, "Source title");
  const auto volume = column(t, "Volume");
  const auto issue = column(t, "Issue");
  const auto page_start = column(t, "Page start");
  const auto page_end = column(t, "Page end");
  const auto doi = column(t, "DOI");
  const auto link = column(t, "Link");
  const auto abstract = column(t, "Abstract");
  const auto author_kw = column(t, "Author Keywords");
  const auto index_kw = column(t, "Index Keywords");
  const auto issn = column(t, "ISSN");
  const auto pmid = column(t, "PubMed ID");
  const auto language = column(t, "Language of Original Document");
  const auto doc_type = column(t, "Document Type");
  const auto database = column(t, "Source");
  const auto eid = column(t, "EID");

  for (std::size_t row = 0; row < t.rows.size(); ++row) {
    const std::vector<std::string>& cells = t.rows[row];
    const auto cell = [&](const std::optional<std::size_t>& c) -> std::string_view {
      return c && *c < cells.size() ? trim(cells[*c]) : std::string_view{};
    };
    const std::size_t line = row < t.row_line.size() ? t.row_line[row] : 0;
    record& r = ctx.records.emplace_back();
    r.source_line = line;
    r.title = clean_text(cell(title));

    if (!cell(full_names).empty()) {
      std::vector<std::string> names;
      split_into(cell(full_names), ';', names);
      for (const std::string& n : names) r.authors.push_back(strip_author_id(n));
    } else if (const std::string_view a = cell(authors); !a.empty() && !iequals(a, "[No author name available]")) {
      std::vector<std::string> names;
      split_into(a, ';', names);
      for (const std::string& n : names) r.authors.push_back(clean_author(n));
    }

    const std::string_view y = cell(year);
    r.year = parse_year(y);
    if (r.year == 0 && !y.empty()) ctx.warn(line, "cannot read a year from '" + std::string(y) + "'");
    r.journal = clean_text(cell(source));
    r.volume = clean_text(cell(volume));
    r.issue = clean_text(cell(issue));
    r.pages = make_pages(cell(page_start), cell(page_end));

    const std::string_view d = cell(doi);
    if (!d.empty()) {
      r.doi = normalise_doi(d);
      if (r.doi.empty()) ctx.warn(line, "not a DOI: '" + clean_text(d) + "'");
    }
    r.url = clean_text(cell(link));
    if (r.doi.empty() && !r.url.empty()) r.doi = doi_from_url(r.url);
    r.issn = find_issn(cell(issn));
    if (all_digits(cell(pmid))) r.pmid = std::string(cell(pmid));
    r.abstract = clean_text(cell(abstract));
    add_keywords(cell(author_kw), r.keywords, false);
    add_keywords(cell(index_kw), r.keywords, false);
    r.language = clean_text(cell(language));
    const std::string_view dt = cell(doc_type);
    r.type = dt.empty() ? record_type::journal_article : type_from_name(dt);
    r.source_id = clean_text(cell(eid));
    r.database = clean_text(cell(database));
    if (r.database.empty()) r.database = "Scopus";
  }
}

}  // namespace metasift::review::detail
