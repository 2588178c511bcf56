// RefWorks tagged text ("RT Journal Article", "A1 ...", "T1 ..."), the format CNKI, Wanfang and
// CQVIP export.
//
// A tag line is two characters (upper-case letter, then letter or digit), then a space, a
// no-break space (CNKI writes "A1\u00A0...") or the end of the line; CNKI's lower-case "vo" is
// also a tag. "RT" starts a record; blank lines are skipped. Tag lines before the first "RT"
// start a record with a warning (never dropped). An untagged line continues a title or abstract;
// after other tags it is a note (Wanfang's funding line "基金项目:...") and is ignored.
//
// Field meanings (RefWorks tagged format reference): RT reference type, A1/A2 authors (one per
// line, or several separated by ';'), T1 title, T2 secondary title, JF/JO periodical full and
// abbreviated, YR year, FD publication date, VO volume, IS issue, SP start page, OP other pages
// (end page, or the whole range in CNKI), K1 keywords, AB abstract (several AB lines are joined),
// SN ISSN/ISBN, DO DOI, LK/UL links, LA language, DS data source, ID/AN identifiers.

#include <string>
#include <vector>

#include "import_internal.hpp"

namespace metasift::review::detail {
namespace {

/// Length of the tag prefix (tag plus separator) or 0 when the line is not a tag line.
std::size_t refworks_tag_length(std::string_view l) noexcept {
  if (l.size() < 2) return 0;
  const bool upper_tag = is_upper(l[0]) && (is_upper(l[1]) || is_digit(l[1]));
  const bool lower_vo = l[0] == 'v' && l[1] == 'o';
  if (!upper_tag && !lower_vo) return 0;
  if (l.size() == 2) return 2;
  if (l[2] == ' ' || l[2] == '\t') return 3;
  if (l.substr(2).starts_with("\xC2\xA0")) return 4;
  return 0;
}

struct refworks_fields {
  std::size_t line = 0;
  std::string type, title, t2, jf, jo, year, fd, volume, issue, sp, op, abstract, sn, doi, url, language, database, id;
  std::size_t year_line = 0, doi_line = 0;
  std::vector<std::string> authors, keywords;
};

class refworks_parser {
 public:
  refworks_parser(std::string_view text, parse_context& ctx) : text_(text), ctx_(ctx) {}

  void run() {
    line_reader lines(text_);
    std::string_view line;
    while (lines.next(line)) {
      if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
      const std::size_t n = lines.line_number();
      if (trim(line).empty()) continue;
      const std::size_t len = refworks_tag_length(line);
      if (len == 0) {
        if (open_ && cont_ != nullptr) append_text(*cont_, line);
        if (!open_) {
          if (junk_ == 0) junk_line_ = n;
          ++junk_;
        }
        continue;
      }
      const std::string tag{static_cast<char>(line[0] & ~0x20),
                            static_cast<char>(is_digit(line[1]) ? line[1] : line[1] & ~0x20)};
      const std::string_view value = trim(line.substr(len));
      if (tag == "RT") {
        if (open_) emit();
        start(n);
      } else if (!open_) {
        ctx_.warn(n, "record starts without an 'RT' line");
        start(n);
      }
      field(tag, value, n);
    }
    if (open_) emit();
    if (junk_ > 0) {
      ctx_.warn(junk_line_, std::to_string(junk_) + " untagged line" + (junk_ == 1 ? "" : "s") +
                                " before the first record ignored");
    }
  }

 private:
  void start(std::size_t line) {
    f_ = refworks_fields{};
    f_.line = line;
    open_ = true;
    cont_ = nullptr;
  }

  /// Single-valued: the first non-empty value wins.
  void text(std::string& target, std::string_view value, bool continued) {
    cont_ = nullptr;
    if (target.empty()) {
      target.assign(value);
      if (continued) cont_ = &target;
    }
  }

  void field(const std::string& t, std::string_view value, std::size_t line) {
    if (t == "RT") {
      text(f_.type, value, false);
    } else if (t == "T1") {
      text(f_.title, value, true);
    } else if (t == "T2") {
      text(f_.t2, value, true);
    } else if (t == "JF") {
      text(f_.jf, value, false);
    } else if (t == "JO") {
      text(f_.jo, value, false);
    } else if (t == "YR") {
      if (f_.year.empty()) f_.year_line = line;
      text(f_.year, value, false);
    } else if (t == "FD") {
      text(f_.fd, value, false);
    } else if (t == "VO") {
      text(f_.volume, value, false);
    } else if (t == "IS") {
      text(f_.issue, value, false);
    } else if (t == "SP") {
      text(f_.sp, value, false);
    } else if (t == "OP") {
      text(f_.op, value, false);
    } else if (t == "AB") {
      append_text(f_.abstract, value);  // several AB lines are one abstract
      cont_ = &f_.abstract;
    } else if (t == "SN") {
      text(f_.sn, value, false);
    } else if (t == "DO") {
      if (f_.doi.empty()) f_.doi_line = line;
      text(f_.doi, value, false);
    } else if (t == "LK" || t == "UL") {
      text(f_.url, value, false);
    } else if (t == "LA") {
      text(f_.language, value, false);
    } else if (t == "DS") {
      text(f_.database, value, false);
    } else if (t == "ID" || t == "AN") {
      text(f_.id, value, false);
    } else if (t == "A1") {
      split_into(value, ';', f_.authors);
      cont_ = nullptr;
    } else if (t == "K1") {
      if (!value.empty()) f_.keywords.emplace_back(value);
      cont_ = nullptr;
    } else {
      cont_ = nullptr;
    }
  }

  void emit() {
    open_ = false;
    cont_ = nullptr;
    record& r = ctx_.records.emplace_back();
    r.source_line = f_.line;
    r.type = type_from_name(trim(f_.type));
    if (r.type == record_type::other && iequals(trim(f_.type), "Journal")) r.type = record_type::journal_article;
    if (r.type == record_type::other && icontains(f_.type, "Conference")) r.type = record_type::conference_paper;
    r.title = clean_text(!f_.title.empty() ? f_.title : f_.t2);
    for (const std::string& a : f_.authors) {
      std::string name = clean_author(a);
      if (!name.empty()) r.authors.push_back(std::move(name));
    }
    r.year = parse_year(f_.year);
    if (r.year == 0) r.year = parse_year(f_.fd);
    if (r.year == 0 && !trim(f_.year).empty()) ctx_.warn(f_.year_line, "cannot read a year from 'YR " + f_.year + "'");
    r.journal = clean_text(!f_.jf.empty() ? f_.jf : f_.jo);
    r.volume = clean_text(f_.volume);
    r.issue = clean_text(f_.issue);
    // CNKI writes the whole range into OP ("OP 1-13"); RefWorks means OP as the end page.
    r.pages = f_.sp.empty() ? normalise_pages(clean_text(f_.op)) : make_pages(f_.sp, f_.op);
    if (!trim(f_.doi).empty()) {
      r.doi = normalise_doi(f_.doi);
      if (r.doi.empty()) ctx_.warn(f_.doi_line, "not a DOI: '" + clean_text(f_.doi) + "'");
    }
    if (r.doi.empty()) r.doi = doi_from_url(f_.url);
    r.issn = find_issn(f_.sn);
    r.abstract = clean_text(f_.abstract);
    for (const std::string& k : f_.keywords) add_keywords(k, r.keywords, true);
    r.language = clean_text(f_.language);
    r.url = clean_text(f_.url);
    r.source_id = clean_text(f_.id);
    r.database = clean_text(f_.database);
  }

  std::string_view text_;
  parse_context& ctx_;
  refworks_fields f_;
  bool open_ = false;
  std::string* cont_ = nullptr;
  std::size_t junk_ = 0, junk_line_ = 0;
};

}  // namespace

void parse_refworks(std::string_view text, parse_context& ctx) {
  refworks_parser(text, ctx).run();
}

}  // namespace metasift::review::detail
