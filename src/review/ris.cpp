// RIS, with the vendor variants met in practice (Scopus, WoS, Ovid, EBSCO, ProQuest, Embase,
// Rayyan, Zotero, EndNote, Citavi).
//
// A tag line is exactly "XY  - value" (or "XY  -" when empty): letter, letter or digit, two
// spaces, a dash, then a space or the end of the line. Only "ER  -" ends a record, so text lines
// that begin with "ER" stay text. Any other line inside a record continues the previous tag:
// in list tags (AU, A1-A4, KW, UR) it is a new item (Rayyan writes keywords one per line without
// a tag); elsewhere it is appended with a space. Lines outside records (Ovid's "1.", EBSCO's
// "Record #1 of 2", blank lines) are skipped.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "import_internal.hpp"

namespace metasift::review::detail {
namespace {

constexpr std::uint16_t tag(char a, char b) noexcept {
  return static_cast<std::uint16_t>((static_cast<unsigned>(static_cast<unsigned char>(a)) << 8U) |
                                    static_cast<unsigned char>(b));
}

bool is_tag_line(std::string_view l) noexcept {
  return l.size() >= 5 && is_upper(l[0]) && (is_upper(l[1]) || is_digit(l[1])) && l[2] == ' ' && l[3] == ' ' &&
         l[4] == '-' && (l.size() == 5 || l[5] == ' ');
}

/// A tag's value: a view of the text while it is one line (the common case, no copy); copied into
/// a buffer only when a continuation line is appended. Views stay valid: the text outlives parsing.
class raw_value {
 public:
  [[nodiscard]] std::string_view get() const noexcept { return owned_ ? std::string_view(buf_) : view_; }
  [[nodiscard]] bool empty() const noexcept { return get().empty(); }
  void set(std::string_view v) noexcept {
    view_ = v;
    owned_ = false;
  }
  void append(std::string_view more) {
    if (!owned_) {
      buf_.assign(view_);
      owned_ = true;
    }
    append_text(buf_, more);
  }
  void clear() noexcept {
    view_ = {};
    owned_ = false;
  }

 private:
  std::string_view view_;
  std::string buf_;  ///< keeps its capacity across records
  bool owned_ = false;
};

struct year_candidate {
  raw_value value;
  std::size_t line = 0;
  char name[3] = {0, 0, 0};
};

/// The raw tags of one record. One instance is reused for every record.
struct ris_fields {
  std::size_t line = 0;
  raw_value ty;
  raw_value ti, t1, ct, bt, st;
  raw_value jf, jo, t2, j2, ja, j1;
  std::array<year_candidate, 4> years;  // PY, Y1, DA, Y2
  raw_value sp, ep, vl, is;
  raw_value ab, n2;
  raw_value id, an, c2, dp, db, m3, la, sn;
  raw_value doi;
  std::size_t doi_line = 0;
  // List items never grow (a continuation line is a new item), so views suffice.
  std::vector<std::string_view> au, a1, kw, ur;

  void clear() {
    line = 0;
    for (raw_value* v : {&ty, &ti, &t1, &ct, &bt, &st, &jf, &jo, &t2, &j2, &ja, &j1, &sp, &ep,
                         &vl, &is, &ab, &n2, &id, &an, &c2, &dp, &db, &m3, &la, &sn, &doi}) {
      v->clear();
    }
    for (year_candidate& y : years) {
      y.value.clear();
      y.line = 0;
    }
    doi_line = 0;
    au.clear();
    a1.clear();
    kw.clear();
    ur.clear();
  }
};

std::string_view first_nonempty(std::initializer_list<const raw_value*> list) {
  for (const raw_value* v : list) {
    if (!v->empty()) return v->get();
  }
  return {};
}

class ris_parser {
 public:
  ris_parser(std::string_view text, parse_context& ctx) : text_(text), ctx_(ctx) {
    f_.years[0].name[0] = 'P';
    f_.years[0].name[1] = 'Y';
    f_.years[1].name[0] = 'Y';
    f_.years[1].name[1] = '1';
    f_.years[2].name[0] = 'D';
    f_.years[2].name[1] = 'A';
    f_.years[3].name[0] = 'Y';
    f_.years[3].name[1] = '2';
  }

  void run() {
    line_reader lines(text_);
    std::string_view line;
    while (lines.next(line)) {
      if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);  // files concatenated with their BOMs
      const std::size_t n = lines.line_number();
      if (is_tag_line(line)) {
        const std::uint16_t t = tag(line[0], line[1]);
        const std::string_view value = line.size() > 6 ? trim(line.substr(6)) : std::string_view{};
        if (t == tag('T', 'Y')) {
          drop_pending();
          if (in_record_) {
            ctx_.warn(f_.line, "record has no 'ER  -' line; it ends where the next 'TY  -' starts (line " +
                                   std::to_string(n) + ")");
            emit();
          }
          start(n);
          f_.ty.set(value);
          continue;
        }
        if (t == tag('E', 'R')) {
          if (in_record_) {
            emit();
          } else if (!pending_.empty()) {
            // Tag lines closed by ER: a record that lacks only its TY line.
            ctx_.warn(pending_.front().line, "record starts without a 'TY  -' line");
            start(pending_.front().line);
            for (const pending_line& p : pending_) field(p.tag, p.value, p.line);
            pending_.clear();
            emit();
          } else {
            ctx_.warn(n, "'ER  -' line outside a record ignored");
          }
          continue;
        }
        if (!in_record_) {
          // Tag lines outside a record: Ovid writes "NL  - " after "ER  - ". They are held back;
          // when a title or author tag shows that they are a record without its TY line, they
          // become one.
          pending_.push_back(pending_line{t, value, n});
          if (!is_record_tag(t)) continue;
          ctx_.warn(pending_.front().line, "record starts without a 'TY  -' line");
          start(pending_.front().line);
          for (const pending_line& p : pending_) field(p.tag, p.value, p.line);
          pending_.clear();
          continue;
        }
        field(t, value, n);
        continue;
      }
      if (!in_record_) continue;  // junk between records
      const std::string_view more = trim(line);
      if (more.empty()) continue;
      if (cont_list_ != nullptr) {
        cont_list_->push_back(more);
      } else if (cont_text_ != nullptr) {
        cont_text_->append(more);
      }
    }
    if (in_record_) {
      ctx_.warn(f_.line, "record has no 'ER  -' line (end of file)");
      emit();
    }
    drop_pending();
    if (stray_ > 0) {
      ctx_.warn(stray_line_, std::to_string(stray_) + " tag line" + (stray_ == 1 ? "" : "s") +
                                 " outside records ignored (first: '" + stray_tag_ + "  - ')");
    }
  }

 private:
  struct pending_line {
    std::uint16_t tag;
    std::string_view value;
    std::size_t line;
  };

  static bool is_record_tag(std::uint16_t t) noexcept {
    return t == tag('T', 'I') || t == tag('T', '1') || t == tag('A', 'U') || t == tag('A', '1');
  }

  /// Held-back tag lines that turned out not to be a record: counted for one warning per file.
  void drop_pending() {
    if (pending_.empty()) return;
    if (stray_ == 0) {
      stray_line_ = pending_.front().line;
      stray_tag_ = {static_cast<char>(pending_.front().tag >> 8U), static_cast<char>(pending_.front().tag & 0xFFU)};
    }
    stray_ += pending_.size();
    pending_.clear();
  }

  void start(std::size_t line) {
    f_.clear();
    f_.line = line;
    in_record_ = true;
    discard_.clear();
    cont_text_ = &scratch_;
    cont_list_ = nullptr;
  }

  /// Single-valued text tag: the first occurrence wins; later ones (and their continuation lines)
  /// are ignored.
  void text(raw_value& target, std::string_view value) {
    cont_list_ = nullptr;
    if (target.empty()) {
      target.set(value);
      cont_text_ = &target;
    } else {
      scratch_.clear();
      cont_text_ = &scratch_;
    }
  }

  void list(std::vector<std::string_view>& target, std::string_view value) {
    if (!value.empty()) target.push_back(value);
    cont_list_ = &target;
    cont_text_ = nullptr;
  }

  void field(std::uint16_t t, std::string_view value, std::size_t line) {
    switch (t) {
      case tag('T', 'I'): text(f_.ti, value); break;
      case tag('T', '1'): text(f_.t1, value); break;
      case tag('C', 'T'): text(f_.ct, value); break;
      case tag('B', 'T'): text(f_.bt, value); break;
      case tag('S', 'T'): text(f_.st, value); break;
      case tag('J', 'F'): text(f_.jf, value); break;
      case tag('J', 'O'): text(f_.jo, value); break;
      case tag('T', '2'): text(f_.t2, value); break;
      case tag('J', '2'): text(f_.j2, value); break;
      case tag('J', 'A'): text(f_.ja, value); break;
      case tag('J', '1'): text(f_.j1, value); break;
      case tag('P', 'Y'): year(0, value, line); break;
      case tag('Y', '1'): year(1, value, line); break;
      case tag('D', 'A'): year(2, value, line); break;
      case tag('Y', '2'): year(3, value, line); break;
      case tag('S', 'P'): text(f_.sp, value); break;
      case tag('E', 'P'): text(f_.ep, value); break;
      case tag('V', 'L'):
      case tag('V', 'O'): text(f_.vl, value); break;
      case tag('I', 'S'): text(f_.is, value); break;
      case tag('A', 'B'):
        // EBSCO writes an abstract as several AB lines: one abstract, joined.
        if (f_.ab.empty()) {
          f_.ab.set(value);
        } else {
          f_.ab.append(value);
        }
        cont_text_ = &f_.ab;
        cont_list_ = nullptr;
        break;
      case tag('N', '2'): text(f_.n2, value); break;
      case tag('I', 'D'): text(f_.id, value); break;
      case tag('A', 'N'): text(f_.an, value); break;
      case tag('C', '2'): text(f_.c2, value); break;
      case tag('D', 'P'): text(f_.dp, value); break;
      case tag('D', 'B'): text(f_.db, value); break;
      case tag('M', '3'): text(f_.m3, value); break;
      case tag('L', 'A'): text(f_.la, value); break;
      case tag('S', 'N'):
        // Several SN lines (print and electronic ISSN, ISBN) are kept together; the first ISSN wins.
        if (f_.sn.empty()) {
          f_.sn.set(value);
        } else {
          f_.sn.append(value);
        }
        cont_text_ = &f_.sn;
        cont_list_ = nullptr;
        break;
      case tag('D', 'O'):
        if (f_.doi.empty()) f_.doi_line = line;
        text(f_.doi, value);
        break;
      case tag('A', 'U'): list(f_.au, value); break;
      case tag('A', '1'): list(f_.a1, value); break;
      case tag('K', 'W'): list(f_.kw, value); break;
      case tag('U', 'R'):
      case tag('L', '2'): list(f_.ur, value); break;
      case tag('A', '2'):
      case tag('A', '3'):
      case tag('A', '4'):
        list(discard_, value);
        discard_.clear();
        break;
      default:
        scratch_.clear();
        cont_text_ = &scratch_;
        cont_list_ = nullptr;
        break;
    }
  }

  void year(std::size_t k, std::string_view value, std::size_t line) {
    year_candidate& y = f_.years[k];
    if (y.value.empty()) y.line = line;
    text(y.value, value);
  }

  void emit() {
    in_record_ = false;
    cont_text_ = nullptr;
    cont_list_ = nullptr;
    record& r = ctx_.records.emplace_back();
    r.source_line = f_.line;

    r.type = type_from_name(f_.ty.get());
    if (!f_.m3.empty() && known_type_name(f_.m3.get())) {
      // Scopus and Embase put the document type in M3 ("Review", "Conference Paper").
      const record_type t3 = type_from_name(f_.m3.get());
      if (t3 == record_type::review ||
          ((r.type == record_type::journal_article || r.type == record_type::other) && t3 != record_type::other)) {
        r.type = t3;
      }
    }
    const raw_value* book_title = r.type == record_type::book ? &f_.bt : &empty_;
    r.title = clean_text(first_nonempty({&f_.ti, &f_.t1, &f_.ct, book_title, &f_.st}));

    for (const std::string_view a : f_.au.empty() ? f_.a1 : f_.au) {
      std::string name = clean_author(a);
      if (!name.empty()) r.authors.push_back(std::move(name));
    }

    const year_candidate* unreadable = nullptr;
    for (const year_candidate& y : f_.years) {
      if (y.value.empty()) continue;
      r.year = parse_year(y.value.get());
      if (r.year != 0) break;
      if (unreadable == nullptr) unreadable = &y;
    }
    if (r.year == 0 && unreadable != nullptr) {
      std::string message = "cannot read a year from '";
      message += unreadable->name;
      message += "  - ";
      message.append(unreadable->value.get());
      message += '\'';
      ctx_.warn(unreadable->line, message);
    }

    r.journal = clean_text(first_nonempty({&f_.jf, &f_.t2, &f_.jo, &f_.j2, &f_.ja, &f_.j1}));
    r.volume = clean_text(f_.vl.get());
    r.issue = clean_text(f_.is.get());
    r.pages = make_pages(f_.sp.get(), f_.ep.get());

    if (!f_.doi.empty()) {
      r.doi = normalise_doi(f_.doi.get());
      if (r.doi.empty()) ctx_.warn(f_.doi_line, "not a DOI: '" + clean_text(f_.doi.get()) + "'");
    }
    if (r.doi.empty()) {
      for (const std::string_view u : f_.ur) {
        r.doi = doi_from_url(u);
        if (!r.doi.empty()) break;
      }
    }

    const std::string_view dp = trim(f_.dp.get());
    const std::string_view db = f_.db.get();
    const std::string_view an = trim(f_.an.get());
    const std::string_view c2 = trim(f_.c2.get());
    const bool nlm = iequals(dp, "NLM") || icontains(db, "pubmed") || icontains(db, "medline");
    if (all_digits(c2) && c2.size() <= 9) {
      r.pmid = std::string(c2);  // Scopus: C2 is the PubMed ID (EndNote uses C2 for the PMCID, not all digits)
    } else if (nlm && all_digits(an) && an.size() <= 9) {
      r.pmid = std::string(an);
    }

    r.issn = find_issn(f_.sn.get());
    r.abstract = clean_text(f_.ab.empty() ? f_.n2.get() : f_.ab.get());
    for (const std::string_view k : f_.kw) add_keywords(k, r.keywords, false);
    r.language = clean_text(f_.la.get());
    if (!f_.ur.empty()) {
      std::string_view u = f_.ur.front();
      if (const std::size_t semi = u.find(';'); semi != std::string_view::npos) u = u.substr(0, semi);
      r.url = clean_text(u);
    }
    r.source_id = clean_text(f_.id.empty() ? f_.an.get() : f_.id.get());

    if (!db.empty()) {
      r.database = clean_text(db);
    } else if (nlm) {
      r.database = "PubMed";
    } else {
      for (const std::string_view u : f_.ur) {
        r.database = database_from_url(u);
        if (!r.database.empty()) break;
      }
      if (r.database.empty() && istarts_with(an, "WOS:")) r.database = "Web of Science";
    }
  }

  std::string_view text_;
  parse_context& ctx_;
  ris_fields f_;
  bool in_record_ = false;
  raw_value* cont_text_ = nullptr;
  std::vector<std::string_view>* cont_list_ = nullptr;
  raw_value scratch_;
  std::vector<std::string_view> discard_;
  std::vector<pending_line> pending_;
  std::size_t stray_ = 0;
  std::size_t stray_line_ = 0;
  std::string stray_tag_;
  const raw_value empty_;
};

}  // namespace

void parse_ris(std::string_view text, parse_context& ctx) {
  // Reserving for the number of ER lines (a memchr-speed count) spares the record vector its
  // repeated growth, which on a large export costs as much as storing the abstracts.
  std::size_t ends = 0;
  for (std::size_t p = text.find("ER  -"); p != std::string_view::npos; p = text.find("ER  -", p + 5)) {
    if (p == 0 || text[p - 1] == '\n' || text[p - 1] == '\r') ++ends;
  }
  ctx.records.reserve(ctx.records.size() + ends + 1);
  ris_parser(text, ctx).run();
}

}  // namespace metasift::review::detail
