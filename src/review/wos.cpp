// Web of Science exports: "Plain text" / .ciw (tagged) and "Tab-delimited".
//
// Tagged: a tag is two characters at the start of the line followed by a space; continuation
// lines are indented by three spaces. In the name and address tags (AU, AF, BE, CA, CR, C1) every
// continuation line is a new item; elsewhere it is appended with a space. Records run from "PT"
// to a bare "ER"; "FN", "VR" and "EF" frame the file.
// Tab-delimited: the header row holds the same tags; names are separated by "; " within a cell.
// Both go through one tag table, so they normalise identically.

#include <string>
#include <utility>
#include <vector>

#include "import_internal.hpp"

namespace metasift::review::detail {
namespace {

struct entry {
  std::string tag;
  std::string value;
  std::size_t line = 0;
};

bool is_wos_tag(std::string_view l) noexcept {
  return l.size() >= 2 && is_upper(l[0]) && (is_upper(l[1]) || is_digit(l[1])) && (l.size() == 2 || l[2] == ' ');
}

bool is_item_tag(std::string_view t) noexcept {
  return t == "AU" || t == "AF" || t == "BE" || t == "CA" || t == "CR" || t == "C1" || t == "BA" || t == "BF";
}

const std::string* first(const std::vector<entry>& es, std::string_view t) {
  for (const entry& e : es) {
    if (e.tag == t && !trim(e.value).empty()) return &e.value;
  }
  return nullptr;
}

std::string get(const std::vector<entry>& es, std::string_view t) {
  const std::string* v = first(es, t);
  return v != nullptr ? clean_text(*v) : std::string();
}

std::size_t line_of(const std::vector<entry>& es, std::string_view t, std::size_t fallback) {
  for (const entry& e : es) {
    if (e.tag == t) return e.line;
  }
  return fallback;
}

/// Database of a WoS accession number: "WOS:000311971500044" -> Web of Science Core Collection,
/// "ZOOREC:..." -> Zoological Record, and so on for the other WoS-hosted databases.
std::string database_from_ut(std::string_view ut) {
  if (istarts_with(ut, "ZOOREC:")) return "Zoological Record";
  if (istarts_with(ut, "MEDLINE:")) return "MEDLINE";
  if (istarts_with(ut, "BCI:")) return "BIOSIS";
  if (istarts_with(ut, "CABI:")) return "CAB Abstracts";
  if (istarts_with(ut, "SCIELO:")) return "SciELO";
  if (istarts_with(ut, "KJD:")) return "KCI";
  if (istarts_with(ut, "RSCI:")) return "Russian Science Citation Index";
  if (istarts_with(ut, "CSCD:")) return "Chinese Science Citation Database";
  if (istarts_with(ut, "CCC:")) return "Current Contents";
  return "Web of Science";
}

record_type wos_type(const std::vector<entry>& es) {
  const std::string dt = get(es, "DT");
  if (!dt.empty()) {
    std::vector<std::string> parts;
    split_into(dt, ';', parts);
    for (const std::string& p : parts) {
      if (type_from_name(p) == record_type::review) return record_type::review;
    }
    if (!parts.empty()) return type_from_name(parts.front());
  }
  const std::string pt = get(es, "PT");
  const bool conference = first(es, "CT") != nullptr;
  if (pt == "J") return record_type::journal_article;
  if (pt == "B") return conference ? record_type::conference_paper : record_type::book;
  if (pt == "S") return conference ? record_type::conference_paper : record_type::chapter;
  if (pt == "C") return record_type::conference_paper;
  return record_type::other;
}

void build_record(const std::vector<entry>& es, std::size_t start, parse_context& ctx) {
  record& r = ctx.records.emplace_back();
  r.source_line = start;
  r.type = wos_type(es);
  r.title = get(es, "TI");

  const bool full_names = first(es, "AF") != nullptr;
  for (const entry& e : es) {
    if (e.tag != (full_names ? "AF" : "AU")) continue;
    std::string a = clean_author(e.value);
    if (!a.empty()) r.authors.push_back(std::move(a));
  }

  for (const char* t : {"PY", "PD", "EY", "EA"}) {
    const std::string v = get(es, t);
    if (v.empty()) continue;
    r.year = parse_year(v);
    if (r.year != 0) break;
    if (std::string_view(t) == "PY") ctx.warn(line_of(es, "PY", start), "cannot read a year from 'PY " + v + "'");
  }

  r.journal = get(es, "SO");
  r.volume = get(es, "VL");
  r.issue = get(es, "IS");
  r.pages = make_pages(get(es, "BP"), get(es, "EP"));

  std::string doi = get(es, "DI");
  if (doi.empty()) doi = get(es, "D2");
  if (!doi.empty()) {
    r.doi = normalise_doi(doi);
    if (r.doi.empty()) ctx.warn(line_of(es, "DI", start), "not a DOI: '" + doi + "'");
  }
  const std::string pm = get(es, "PM");
  if (all_digits(pm)) r.pmid = pm;
  r.issn = find_issn(get(es, "SN"));
  if (r.issn.empty()) r.issn = find_issn(get(es, "EI"));
  r.abstract = get(es, "AB");
  for (const entry& e : es) {
    if (e.tag == "DE" || e.tag == "ID") add_keywords(e.value, r.keywords, false);
  }
  r.language = get(es, "LA");
  r.url = get(es, "UR");
  const std::string ut = get(es, "UT");
  r.source_id = ut;
  r.database = database_from_ut(ut);
}

class wos_parser {
 public:
  wos_parser(std::string_view text, parse_context& ctx) : text_(text), ctx_(ctx) {}

  void run() {
    line_reader lines(text_);
    std::string_view line;
    while (lines.next(line)) {
      const std::size_t n = lines.line_number();
      if (is_wos_tag(line)) {
        const std::string_view t = line.substr(0, 2);
        const std::string_view value = line.size() > 3 ? trim(line.substr(3)) : std::string_view{};
        if (t == "ER") {
          if (in_record_) {
            finish();
          } else {
            ctx_.warn(n, "'ER' line outside a record ignored");
          }
          continue;
        }
        if (!in_record_ && (t == "FN" || t == "VR" || t == "EF")) continue;
        if (t == "PT") {
          if (in_record_) {
            ctx_.warn(start_,
                      "record has no 'ER' line; it ends where the next 'PT' starts (line " + std::to_string(n) + ")");
            finish();
          }
          begin(n);
        } else if (!in_record_) {
          ctx_.warn(n, "record starts without a 'PT' line");
          begin(n);
        }
        entries_.push_back(entry{std::string(t), std::string(value), n});
        continue;
      }
      if (!in_record_) continue;
      const std::string_view more = trim(line);
      if (more.empty() || entries_.empty()) continue;
      entry& last = entries_.back();
      if (is_item_tag(last.tag)) {
        entries_.push_back(entry{last.tag, std::string(more), n});
      } else {
        append_text(last.value, more);
      }
    }
    if (in_record_) {
      ctx_.warn(start_, "record has no 'ER' line (end of file)");
      finish();
    }
  }

 private:
  void begin(std::size_t line) {
    entries_.clear();
    start_ = line;
    in_record_ = true;
  }
  void finish() {
    build_record(entries_, start_, ctx_);
    entries_.clear();
    in_record_ = false;
  }

  std::string_view text_;
  parse_context& ctx_;
  std::vector<entry> entries_;
  std::size_t start_ = 0;
  bool in_record_ = false;
};

void split_tabs(std::string_view line, std::vector<std::string_view>& cells) {
  cells.clear();
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      cells.push_back(line.substr(start));
      return;
    }
    cells.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
}

}  // namespace

void parse_wos(std::string_view text, parse_context& ctx) {
  wos_parser(text, ctx).run();
}

void parse_wos_tab(std::string_view text, parse_context& ctx) {
  // WoS writes the tab-delimited export without quoting, so cells are split on tabs only (an
  // RFC 4180 reader would take a title that starts with '"' for a quoted field).
  line_reader lines(text);
  std::string_view line;
  std::vector<std::string_view> cells;
  io::table t;
  t.file = ctx.file;
  t.delimiter = '\t';
  while (lines.next(line)) {
    if (!trim(line).empty()) {
      split_tabs(line, cells);
      for (const std::string_view c : cells) t.names.emplace_back(trim(c));
      break;
    }
  }
  while (lines.next(line)) {
    const std::size_t n = lines.line_number();
    if (trim(line).empty()) continue;
    split_tabs(line, cells);
    // A trailing tab per row is normal; real extra cells are not.
    std::size_t used = cells.size();
    while (used > t.names.size() && trim(cells[used - 1]).empty()) --used;
    if (used != t.names.size()) {
      ctx.warn(n, "row has " + std::to_string(used) + " fields, header has " + std::to_string(t.names.size()));
    }
    std::vector<std::string>& row = t.rows.emplace_back(t.names.size());
    for (std::size_t c = 0; c < used && c < t.names.size(); ++c) row[c] = std::string(cells[c]);
    t.row_line.push_back(n);
  }
  wos_table_records(t, ctx);
}

void wos_table_records(const io::table& t, parse_context& ctx) {
  // Columns named by tag (the tab-delimited export) or by the Excel export's full names.
  std::vector<std::string> tags;
  tags.reserve(t.names.size());
  for (const std::string& name : t.names) {
    const std::string tag = wos_tag_of_column(name);
    tags.push_back(tag.empty() ? std::string(trim(name)) : tag);
  }
  std::vector<entry> es;
  for (std::size_t row = 0; row < t.rows.size(); ++row) {
    const std::vector<std::string>& cells = t.rows[row];
    const std::size_t n = row < t.row_line.size() ? t.row_line[row] : 0;
    es.clear();
    for (std::size_t c = 0; c < cells.size() && c < tags.size(); ++c) {
      const std::string_view v = trim(cells[c]);
      if (v.empty()) continue;
      if (is_item_tag(tags[c])) {
        std::vector<std::string> items;
        split_into(v, ';', items);
        for (std::string& item : items) es.push_back(entry{tags[c], std::move(item), n});
      } else {
        es.push_back(entry{tags[c], std::string(v), n});
      }
    }
    build_record(es, n, ctx);
  }
}

std::string wos_tag_of_column(std::string_view name) {
  // The column headings of Web of Science's Excel export with their field tags (Clarivate,
  // "Web of Science Core Collection field tags"); compared by name_key, so case and punctuation
  // do not matter.
  static const std::pair<const char*, const char*> columns[] = {
      {"publicationtype", "PT"},
      {"authors", "AU"},
      {"bookauthors", "BA"},
      {"bookeditors", "BE"},
      {"bookgroupauthors", "GP"},
      {"authorfullnames", "AF"},
      {"bookauthorfullnames", "BF"},
      {"groupauthors", "CA"},
      {"articletitle", "TI"},
      {"sourcetitle", "SO"},
      {"bookseriestitle", "SE"},
      {"bookseriessubtitle", "BS"},
      {"language", "LA"},
      {"documenttype", "DT"},
      {"conferencetitle", "CT"},
      {"conferencedate", "CY"},
      {"conferencelocation", "CL"},
      {"conferencesponsor", "SP"},
      {"conferencehost", "HO"},
      {"authorkeywords", "DE"},
      {"keywordsplus", "ID"},
      {"abstract", "AB"},
      {"addresses", "C1"},
      {"reprintaddresses", "RP"},
      {"emailaddresses", "EM"},
      {"researcherids", "RI"},
      {"orcids", "OI"},
      {"fundingorgs", "FU"},
      {"fundingtext", "FX"},
      {"citedreferences", "CR"},
      {"citedreferencecount", "NR"},
      {"publisher", "PU"},
      {"publishercity", "PI"},
      {"publisheraddress", "PA"},
      {"issn", "SN"},
      {"eissn", "EI"},
      {"isbn", "BN"},
      {"journalabbreviation", "J9"},
      {"journalisoabbreviation", "JI"},
      {"publicationdate", "PD"},
      {"publicationyear", "PY"},
      {"volume", "VL"},
      {"issue", "IS"},
      {"partnumber", "PN"},
      {"supplement", "SU"},
      {"specialissue", "SI"},
      {"meetingabstract", "MA"},
      {"startpage", "BP"},
      {"endpage", "EP"},
      {"articlenumber", "AR"},
      {"doi", "DI"},
      {"bookdoi", "D2"},
      {"earlyaccessdate", "EA"},
      {"numberofpages", "PG"},
      {"woscategories", "WC"},
      {"webofscienceindex", "WE"},
      {"researchareas", "SC"},
      {"idsnumber", "GA"},
      {"pubmedid", "PM"},
      {"openaccessdesignations", "OA"},
      {"highlycitedstatus", "HC"},
      {"hotpaperstatus", "HP"},
      {"dateofexport", "DA"},
      {"utuniquewosid", "UT"},
  };
  const std::string k = name_key(name);
  for (const auto& [key, tag] : columns) {
    if (k == key) return tag;
  }
  return {};
}

}  // namespace metasift::review::detail
