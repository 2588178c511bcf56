// PubMed MEDLINE format (.nbib, "PubMed format" .txt).
//
// A tag is left-justified in four columns and followed by "- " ("PMID- ", "TI  - ", "FAU - ");
// continuation lines are indented (six spaces). A blank line ends a record, and so does a second
// PMID line (files glued together without the blank line).

#include <string>
#include <utility>
#include <vector>

#include "import_internal.hpp"

namespace metasift::review::detail {
namespace {

bool is_medline_tag(std::string_view l) noexcept {
  if (l.size() < 5 || !is_upper(l[0]) || l[4] != '-' || (l.size() > 5 && l[5] != ' ')) return false;
  bool padding = false;
  for (std::size_t i = 1; i < 4; ++i) {
    const char c = l[i];
    if (c == ' ') {
      padding = true;
    } else if ((is_upper(c) || is_digit(c)) && !padding) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}

struct entry {
  std::string tag;
  std::string value;
  std::size_t line = 0;
};

class medline_parser {
 public:
  medline_parser(std::string_view text, parse_context& ctx) : text_(text), ctx_(ctx) {}

  void run() {
    line_reader lines(text_);
    std::string_view line;
    while (lines.next(line)) {
      const std::size_t n = lines.line_number();
      if (trim(line).empty()) {
        flush();
        continue;
      }
      if (is_medline_tag(line)) {
        const std::string_view t = trim(line.substr(0, 4));
        if (t == "PMID" && has_pmid_) flush();
        if (entries_.empty()) start_ = n;
        if (t == "PMID") has_pmid_ = true;
        entries_.push_back(entry{std::string(t), std::string(line.size() > 6 ? trim(line.substr(6)) : ""), n});
        continue;
      }
      if (entries_.empty()) continue;            // text before the first record
      append_text(entries_.back().value, line);  // an indented (or stray) continuation line
    }
    flush();
  }

 private:
  [[nodiscard]] const std::string* first(std::string_view t) const {
    for (const entry& e : entries_) {
      if (e.tag == t && !e.value.empty()) return &e.value;
    }
    return nullptr;
  }
  [[nodiscard]] std::string get(std::string_view t) const {
    const std::string* v = first(t);
    return v != nullptr ? clean_text(*v) : std::string();
  }

  /// The id in an AID/LID value with the given bracketed kind: "10.1/x [doi]" -> "10.1/x".
  [[nodiscard]] std::string tagged_id(std::string_view t, std::string_view kind) const {
    for (const entry& e : entries_) {
      if (e.tag != t) continue;
      const std::string_view v = trim(e.value);
      if (v.ends_with(kind)) return std::string(trim(v.substr(0, v.size() - kind.size())));
    }
    return {};
  }

  void flush() {
    if (entries_.empty()) return;
    record& r = ctx_.records.emplace_back();
    r.source_line = start_;
    r.database = "PubMed";
    r.pmid = get("PMID");
    r.source_id = r.pmid;
    if (r.pmid.empty()) ctx_.warn(start_, "record has no PMID line");

    const std::string title = get("TI");
    const std::string book_title = get("BTI");
    r.title = !title.empty() ? title : book_title;

    bool any_fau = false;
    for (const entry& e : entries_) any_fau = any_fau || e.tag == "FAU";
    for (const entry& e : entries_) {
      if (e.tag == (any_fau ? "FAU" : "AU")) {
        std::string a = clean_author(e.value);
        if (!a.empty()) r.authors.push_back(std::move(a));
      }
    }

    const std::string dp = get("DP");
    r.year = parse_year(dp);
    if (r.year == 0) {
      const std::string dep = get("DEP");
      r.year = parse_year(dep);
      if (r.year == 0 && !dp.empty()) ctx_.warn(line_of("DP"), "cannot read a year from 'DP  - " + dp + "'");
    }

    r.journal = get("JT");
    if (r.journal.empty()) r.journal = get("TA");
    r.volume = get("VI");
    r.issue = get("IP");
    r.pages = normalise_pages(get("PG"));

    std::string doi = tagged_id("AID", "[doi]");
    if (doi.empty()) doi = tagged_id("LID", "[doi]");
    if (!doi.empty()) {
      r.doi = normalise_doi(doi);
      if (r.doi.empty()) ctx_.warn(line_of("AID"), "not a DOI: '" + doi + "'");
    }

    // ISSN: print, then linking, then electronic, then any.
    for (const std::string_view kind : {"(Print)", "(Linking)", "(Electronic)", ""}) {
      for (const entry& e : entries_) {
        if (e.tag == "IS" && (kind.empty() || e.value.find(kind) != std::string::npos)) {
          r.issn = find_issn(e.value);
          if (!r.issn.empty()) break;
        }
      }
      if (!r.issn.empty()) break;
    }

    r.abstract = get("AB");
    for (const entry& e : entries_) {
      if (e.tag == "OT") add_keywords_one(e.value, r.keywords);
    }
    for (const entry& e : entries_) {
      if (e.tag == "MH") add_keywords_one(e.value, r.keywords);
    }
    r.language = get("LA");

    bool review = false;
    bool preprint = false;
    bool conference = false;
    bool article = false;
    for (const entry& e : entries_) {
      if (e.tag != "PT") continue;
      const record_type t = type_from_name(e.value);
      review = review || t == record_type::review;
      preprint = preprint || t == record_type::preprint;
      conference = conference || t == record_type::conference_paper || icontains(e.value, "conference");
      article = article || t == record_type::journal_article;
    }
    const bool has_journal = first("JT") != nullptr || first("TA") != nullptr;
    if (review) {
      r.type = record_type::review;
    } else if (preprint) {
      r.type = record_type::preprint;
    } else if (conference) {
      r.type = record_type::conference_paper;
    } else if (!book_title.empty() && !has_journal) {
      r.type = title.empty() ? record_type::book : record_type::chapter;
    } else if (article || has_journal) {
      r.type = record_type::journal_article;
    }

    entries_.clear();
    has_pmid_ = false;
  }

  /// MeSH and other-term keywords: one per line, never split (MeSH headings contain commas); the
  /// major-topic star is dropped, as in every other format.
  static void add_keywords_one(std::string_view v, std::vector<std::string>& out) {
    v = trim(v);
    while (!v.empty() && v.front() == '*') v = trim(v.substr(1));
    std::string k = clean_text(v);
    if (!k.empty()) out.push_back(std::move(k));
  }

  [[nodiscard]] std::size_t line_of(std::string_view t) const {
    for (const entry& e : entries_) {
      if (e.tag == t) return e.line;
    }
    return start_;
  }

  std::string_view text_;
  parse_context& ctx_;
  std::vector<entry> entries_;
  std::size_t start_ = 0;
  bool has_pmid_ = false;
};

}  // namespace

void parse_medline(std::string_view text, parse_context& ctx) {
  medline_parser(text, ctx).run();
}

}  // namespace metasift::review::detail
