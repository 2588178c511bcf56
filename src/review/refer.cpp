// EndNote/Refer tagged text (".enw", "%0 Journal Article", "%T ...", "%A ..."), as written by
// EndNote, Google Scholar, library catalogues and CNKI.
//
// A tag line is '%', one printable ASCII character, then a space or the end of the line. "%0"
// starts a record. Blank lines do not end a record: CNKI's thesis abstracts hold blank lines and
// indented paragraphs, and CNKI writes "%W CNKI" after a blank line. Files without "%0" lines
// (plain Refer) are split at blank lines instead; a "%T" after a blank line in a record that
// already has a title also starts a new record (with a warning), so two records are never
// merged into one. Any other line continues the previous tag with a space.
//
// Field meanings: EndNote's tag table ("%0" reference type, "%A" author, "%T" title, "%J"
// journal, "%B" secondary title, "%D" year, "%V" volume, "%N" issue, "%P" pages, "%R" DOI,
// "%@" ISSN/ISBN, "%K" keywords, "%X" abstract, "%U" URL, "%G" language, "%M" accession number,
// "%W" database provider, "%F" label, "%8" date). CNKI separates keywords with ";;" and marks
// line breaks in abstracts with "(#br)".

#include <string>
#include <vector>

#include "import_internal.hpp"

namespace metasift::review::detail {
namespace {

bool is_refer_tag(std::string_view l) noexcept {
  return l.size() >= 2 && l[0] == '%' && l[1] > ' ' && l[1] < 0x7F && (l.size() == 2 || l[2] == ' ' || l[2] == '\t');
}

struct refer_fields {
  std::size_t line = 0;
  std::string type, title, journal, secondary, date, volume, issue, pages, doi, isbn, abstract, url, language,
      accession, database, label, date8;
  std::size_t date_line = 0, doi_line = 0;
  std::vector<std::string> authors, keywords;
};

class refer_parser {
 public:
  refer_parser(std::string_view text, parse_context& ctx) : text_(text), ctx_(ctx) {}

  void run() {
    line_reader lines(text_);
    std::string_view line;
    bool blank_before = true;
    while (lines.next(line)) {
      if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
      const std::size_t n = lines.line_number();
      if (trim(line).empty()) {
        blank_before = true;
        continue;
      }
      if (!is_refer_tag(line)) {
        if (open_ && cont_ != nullptr) {
          append_text(*cont_, line);
        } else if (!open_) {
          if (junk_ == 0) junk_line_ = n;
          ++junk_;
        }
        blank_before = false;
        continue;
      }
      const char t = line[1];
      const std::string_view value = line.size() > 3 ? trim(line.substr(3)) : std::string_view{};
      if (t == '0') {
        if (open_) emit();
        start(n, true);
      } else if (!open_) {
        start(n, false);
      } else if (blank_before && (!has_type_ || (t == 'T' && !f_.title.empty()))) {
        if (has_type_) ctx_.warn(n, "record starts without a '%0' line (a second '%T' after a blank line)");
        emit();
        start(n, false);
      }
      blank_before = false;
      field(t, value, n);
    }
    if (open_) emit();
    if (junk_ > 0) {
      ctx_.warn(junk_line_,
                std::to_string(junk_) + " line" + (junk_ == 1 ? "" : "s") + " before the first tag line ignored");
    }
  }

 private:
  void start(std::size_t line, bool typed) {
    f_ = refer_fields{};
    f_.line = line;
    open_ = true;
    has_type_ = typed;
    cont_ = nullptr;
  }

  void text(std::string& target, std::string_view value) {
    if (target.empty()) {
      target.assign(value);
      cont_ = &target;
    } else {
      scratch_.clear();
      cont_ = &scratch_;
    }
  }

  void field(char t, std::string_view value, std::size_t line) {
    switch (t) {
      case '0': text(f_.type, value); break;
      case 'T': text(f_.title, value); break;
      case 'J': text(f_.journal, value); break;
      case 'B': text(f_.secondary, value); break;
      case 'D':
        if (f_.date.empty()) f_.date_line = line;
        text(f_.date, value);
        break;
      case '8': text(f_.date8, value); break;
      case 'V': text(f_.volume, value); break;
      case 'N': text(f_.issue, value); break;
      case 'P': text(f_.pages, value); break;
      case 'R':
        if (f_.doi.empty()) f_.doi_line = line;
        text(f_.doi, value);
        break;
      case '@': text(f_.isbn, value); break;
      case 'X':
        // Several %X lines are one abstract.
        append_text(f_.abstract, value);
        cont_ = &f_.abstract;
        break;
      case 'U': text(f_.url, value); break;
      case 'G': text(f_.language, value); break;
      case 'M': text(f_.accession, value); break;
      case 'W': text(f_.database, value); break;
      case 'F': text(f_.label, value); break;
      case 'A':
        if (!value.empty()) f_.authors.emplace_back(value);
        cont_ = nullptr;
        break;
      case 'K':
        if (!value.empty()) f_.keywords.emplace_back(value);
        cont_ = nullptr;
        break;
      default:
        scratch_.clear();
        cont_ = &scratch_;
        break;
    }
  }

  static std::string without_br(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s.substr(i).starts_with("(#br)")) {
        out += ' ';
        i += 4;
      } else {
        out += s[i];
      }
    }
    return clean_text(out);
  }

  void emit() {
    open_ = false;
    cont_ = nullptr;
    record& r = ctx_.records.emplace_back();
    r.source_line = f_.line;
    r.type = type_from_name(trim(f_.type));
    r.title = clean_text(f_.title);
    for (const std::string& a : f_.authors) {
      // CNKI and some catalogues put several authors on one line, separated by ';'.
      std::vector<std::string> parts;
      split_into(a, ';', parts);
      for (const std::string& p : parts) {
        std::string name = clean_author(p);
        if (!name.empty()) r.authors.push_back(std::move(name));
      }
    }
    r.year = parse_year(f_.date);
    if (r.year == 0) r.year = parse_year(f_.date8);
    if (r.year == 0 && !trim(f_.date).empty()) ctx_.warn(f_.date_line, "cannot read a year from '%D " + f_.date + "'");
    r.journal = clean_text(!f_.journal.empty() ? f_.journal : f_.secondary);
    r.volume = clean_text(f_.volume);
    r.issue = clean_text(f_.issue);
    r.pages = normalise_pages(clean_text(f_.pages));
    if (!trim(f_.doi).empty()) {
      r.doi = normalise_doi(f_.doi);
      if (r.doi.empty()) ctx_.warn(f_.doi_line, "not a DOI: '" + clean_text(f_.doi) + "'");
    }
    if (r.doi.empty()) r.doi = doi_from_url(f_.url);
    r.issn = find_issn(f_.isbn);
    r.abstract = without_br(f_.abstract);
    for (const std::string& k : f_.keywords) {
      // CNKI's ";;" separators as ';' (copied, not replaced in place: GCC 12 reports a false
      // -Wrestrict for std::string::replace here).
      std::string flat;
      flat.reserve(k.size());
      for (std::size_t i = 0; i < k.size(); ++i) {
        flat += k[i];
        if (k[i] == ';' && i + 1 < k.size() && k[i + 1] == ';') ++i;
      }
      add_keywords(flat, r.keywords, false);
    }
    r.language = clean_text(f_.language);
    r.url = clean_text(f_.url);
    const std::string accession = clean_text(f_.accession);
    r.source_id = !accession.empty() ? accession : clean_text(f_.label);
    r.database = clean_text(f_.database);
    if (r.database.empty()) r.database = database_from_url(f_.url);
  }

  std::string_view text_;
  parse_context& ctx_;
  refer_fields f_;
  bool open_ = false;
  bool has_type_ = false;
  std::string* cont_ = nullptr;
  std::string scratch_;
  std::size_t junk_ = 0, junk_line_ = 0;
};

}  // namespace

void parse_refer(std::string_view text, parse_context& ctx) {
  refer_parser(text, ctx).run();
}

}  // namespace metasift::review::detail
