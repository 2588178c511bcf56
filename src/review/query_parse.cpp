// Query lexer, parser (precedence climbing with one binding-power table per dialect) and lint.
// Diagnostic codes are listed in docs/review.md ("Query diagnostics"); keep the two in step.
#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <map>

#include "metasift/core/limits.hpp"
#include "metasift/review/dedup_normalize.hpp"
#include "metasift/review/query.hpp"

namespace metasift::review {

const char* to_string(query_dialect d) noexcept {
  switch (d) {
    case query_dialect::generic: return "generic";
    case query_dialect::pubmed: return "pubmed";
    case query_dialect::scopus: return "scopus";
    case query_dialect::wos: return "wos";
  }
  return "generic";
}

std::optional<query_dialect> parse_dialect(std::string_view name) {
  std::string n;
  for (const char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "generic") return query_dialect::generic;
  if (n == "pubmed" || n == "medline") return query_dialect::pubmed;
  if (n == "scopus") return query_dialect::scopus;
  if (n == "wos" || n == "web-of-science" || n == "webofscience" || n == "web of science") return query_dialect::wos;
  return std::nullopt;
}

const char* to_string(query_diagnostic::level l) noexcept {
  switch (l) {
    case query_diagnostic::level::error: return "error";
    case query_diagnostic::level::warning: return "warning";
    case query_diagnostic::level::info: return "info";
  }
  return "info";
}

namespace {

using node_ptr = std::unique_ptr<query_node>;
using level = query_diagnostic::level;

/// Concatenation without operator+ on temporaries (GCC 12 -Wrestrict false positives).
template <class... P>
std::string cat(const P&... parts) {
  std::string s;
  (s.append(std::string_view(parts)), ...);
  return s;
}

enum class tk {
  lparen,
  rparen,
  word,
  phrase,
  op_and,
  op_or,
  op_not,
  op_and_not,
  prox,
  same,
  tag,
  func,
  field_eq,
  cmp,
  colon,
  comma,
  limit,
  end
};

struct token {
  tk kind = tk::end;
  std::string text;      ///< word / phrase content, tag content, function or field name (upper case), cmp
  std::size_t pos = 0;   ///< 1-based character position
  int n = 0;             ///< proximity distance
  bool ordered = false;  ///< PRE/n
  bool exact = false;    ///< {exact phrase}
  bool merged = false;   ///< PubMed: several words before a tag, read as one phrase
  std::string op_name;   ///< "W", "PRE", "NEAR" / "LIMIT-TO", "EXCLUDE"
};

std::string upper(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return o;
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

std::string trim_copy(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Scopus field functions and what they search.
struct func_spec {
  std::string_view name;
  std::uint16_t mask;  ///< 0 = special (see kind)
  char kind;           ///< 't' text, 'l' language, 'y' type, 'u' unsupported
};
constexpr std::array<func_spec, 38> scopus_functions = {{
    {"TITLE-ABS-KEY", field_title | field_abstract | field_keywords, 't'},
    {"TITLE-ABS-KEY-AUTH", field_title | field_abstract | field_keywords | field_authors, 't'},
    {"TITLE-ABS", field_title | field_abstract, 't'},
    {"TITLE", field_title, 't'},
    {"ABS", field_abstract, 't'},
    {"KEY", field_keywords, 't'},
    {"AUTHKEY", field_keywords, 't'},
    {"INDEXTERMS", field_keywords, 't'},
    {"EXACTKEYWORD", field_keywords, 't'},
    {"AUTH", field_authors, 't'},
    {"AUTHOR-NAME", field_authors, 't'},
    {"AUTHLASTNAME", field_authors, 't'},
    {"AUTHFIRST", field_authors, 't'},
    {"SRCTITLE", field_journal, 't'},
    {"EXACTSRCTITLE", field_journal, 't'},
    {"DOI", field_doi, 't'},
    {"PMID", field_pmid, 't'},
    {"ALL", field_all, 't'},
    {"LANGUAGE", 0, 'l'},
    {"DOCTYPE", 0, 'y'},
    {"AFFIL", 0, 'u'},
    {"AFFILCOUNTRY", 0, 'u'},
    {"AFFILORG", 0, 'u'},
    {"AFFILCITY", 0, 'u'},
    {"SUBJAREA", 0, 'u'},
    {"SRCTYPE", 0, 'u'},
    {"FUND-SPONSOR", 0, 'u'},
    {"FUND-ACR", 0, 'u'},
    {"FUND-NO", 0, 'u'},
    {"REF", 0, 'u'},
    {"REFAUTH", 0, 'u'},
    {"REFTITLE", 0, 'u'},
    {"REFSRCTITLE", 0, 'u'},
    {"CHEM", 0, 'u'},
    {"CONF", 0, 'u'},
    {"PUBLISHER", 0, 'u'},
    {"ISSN", 0, 'u'},
    {"ISBN", 0, 'u'},
}};

const func_spec* find_function(std::string_view up) {
  for (const auto& f : scopus_functions) {
    if (f.name == up) return &f;
  }
  return nullptr;
}

// Web of Science field tags.
struct tag_spec {
  std::string_view name;
  std::uint16_t mask;
  char kind;  ///< 't' text, 'p' year, 'l' language, 'y' type, 'u' unsupported
};
constexpr std::array<tag_spec, 33> wos_tags = {{
    {"TS", field_title | field_abstract | field_keywords, 't'},
    {"TOPIC", field_title | field_abstract | field_keywords, 't'},
    {"TI", field_title, 't'},
    {"TITLE", field_title, 't'},
    {"AB", field_abstract, 't'},
    {"ABSTRACT", field_abstract, 't'},
    {"AU", field_authors, 't'},
    {"AUTHOR", field_authors, 't'},
    {"AI", field_authors, 't'},
    {"AK", field_keywords, 't'},
    {"KP", field_keywords, 't'},
    {"SO", field_journal, 't'},
    {"DO", field_doi, 't'},
    {"DOI", field_doi, 't'},
    {"PMID", field_pmid, 't'},
    {"ALL", field_all, 't'},
    {"PY", 0, 'p'},
    {"LA", 0, 'l'},
    {"DT", 0, 'y'},
    {"AD", 0, 'u'},
    {"OG", 0, 'u'},
    {"OO", 0, 'u'},
    {"CU", 0, 'u'},
    {"PS", 0, 'u'},
    {"CI", 0, 'u'},
    {"ZP", 0, 'u'},
    {"WC", 0, 'u'},
    {"SU", 0, 'u'},
    {"FO", 0, 'u'},
    {"FG", 0, 'u'},
    {"ED", 0, 'u'},
    {"UT", 0, 'u'},
    {"GP", 0, 'u'},
}};

const tag_spec* find_wos_tag(std::string_view up) {
  for (const auto& t : wos_tags) {
    if (t.name == up) return &t;
  }
  return nullptr;
}

/// What a field scope does to the terms under it.
struct scope_spec {
  enum class what { text, year, language, type, unsupported } w = what::text;
  std::uint16_t mask = 0;
  int proximity = -1;  ///< PubMed [tiab:~n]
  bool mesh = false;   ///< [mh] and friends (I202)
  std::string label;   ///< as written, for messages
  query_dialect type_table = query_dialect::generic;
};

/// PubMed suffix tags ([tiab], [Title/Abstract], [mh:noexp], [tiab:~3], ...).
std::optional<scope_spec> pubmed_tag(std::string_view raw) {
  std::string t = lower(trim_copy(raw));
  scope_spec s;
  s.label = cat("[", raw, "]");
  if (const auto c = t.find(":~"); c != std::string::npos) {
    int n = 0;
    bool ok = c + 2 < t.size();
    for (std::size_t i = c + 2; i < t.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) {
        ok = false;
      } else if (n < 100000) {
        n = n * 10 + (t[i] - '0');  // a larger distance means "anywhere"; no overflow
      }
    }
    if (!ok) return std::nullopt;
    s.proximity = n;
    t.erase(c);
  }
  if (const auto c = t.find(":noexp"); c != std::string::npos) t.erase(c);
  t = trim_copy(t);
  using w = scope_spec::what;
  auto text = [&](std::uint16_t m) {
    s.w = w::text;
    s.mask = m;
    return s;
  };
  if (t == "tiab" || t == "title/abstract") return text(field_title | field_abstract);
  if (t == "ti" || t == "title") return text(field_title);
  if (t == "ab" || t == "abstract") return text(field_abstract);
  if (t == "au" || t == "author" || t == "fau" || t == "full author name" || t == "1au" || t == "lastau" ||
      t == "author - first" || t == "author - last") {
    return text(field_authors);
  }
  // Long forms as PubMed writes them in Search Details and in its Clinical Queries filters
  // ("therapeutic use[MeSH Subheading]"; PubMed Help, NBK3827, "Search Field Descriptions and Tags").
  if (t == "mh" || t == "mesh" || t == "mesh terms" || t == "majr" || t == "mesh major topic" || t == "sh" ||
      t == "subheading" || t == "mesh subheading") {
    s.mesh = true;
    return text(field_keywords);
  }
  if (t == "ot" || t == "other term" || t == "kw" || t == "keyword" || t == "keywords") return text(field_keywords);
  if (t == "tw" || t == "text word") return text(field_title | field_abstract | field_keywords);
  if (t == "all" || t == "all fields") return text(field_all);
  if (t == "ta" || t == "journal" || t == "jour" || t == "jt") return text(field_journal);
  if (t == "doi" || t == "aid" || t == "lid") return text(field_doi);
  if (t == "pmid" || t == "uid") return text(field_pmid);
  if (t == "dp" || t == "pdat" || t == "date - publication" || t == "publication date" || t == "edat" ||
      t == "date - entry" || t == "crdt" || t == "date - create" || t == "py") {
    s.w = w::year;
    return s;
  }
  if (t == "la" || t == "language" || t == "lang") {
    s.w = w::language;
    return s;
  }
  if (t == "pt" || t == "publication type" || t == "ptyp") {
    s.w = w::type;
    s.type_table = query_dialect::pubmed;
    return s;
  }
  if (t == "ad" || t == "affiliation" || t == "gr" || t == "grant number" || t == "ps" || t == "pl" || t == "sb" ||
      t == "filter" || t == "si" || t == "nm" || t == "rn" || t == "pa" || t == "ir" || t == "ip" || t == "vi" ||
      t == "pg" || t == "is" || t == "cois" || t == "sh:noexp" || t == "jid" || t == "pmcid" ||
      t == "supplementary concept" || t == "pharmacological action" || t == "secondary source id" ||
      t == "place of publication" || t == "investigator" || t == "conflict of interest statement" || t == "subset" ||
      t == "volume" || t == "issue" || t == "pagination") {
    s.w = w::unsupported;
    return s;
  }
  return std::nullopt;
}

std::optional<std::vector<record_type>> map_type(std::string_view raw, query_dialect table) {
  const std::string t = normalize_words(raw);
  using rt = record_type;
  if (table == query_dialect::scopus) {  // DOCTYPE codes
    if (t == "ar" || t == "ip") return std::vector{rt::journal_article};
    if (t == "re" || t == "sh") return std::vector{rt::review};
    if (t == "cp" || t == "cr") return std::vector{rt::conference_paper};
    if (t == "ch") return std::vector{rt::chapter};
    if (t == "bk") return std::vector{rt::book};
    if (t == "ed" || t == "le" || t == "no" || t == "er" || t == "dp" || t == "tb") return std::vector{rt::other};
  }
  if (t == "journal article" || t == "article") {
    return table == query_dialect::pubmed ? std::vector{rt::journal_article, rt::review}
                                          : std::vector{rt::journal_article};
  }
  if (t == "review" || t == "systematic review" || t == "meta analysis" || t == "review article")
    return std::vector{rt::review};
  if (t == "preprint") return std::vector{rt::preprint};
  if (t == "congress" || t == "meeting abstract" || t == "proceedings paper" || t == "conference paper" ||
      t == "clinical conference") {
    return std::vector{rt::conference_paper};
  }
  if (t == "book" || t == "books and documents") return std::vector{rt::book, rt::chapter};
  if (t == "book chapter" || t == "chapter") return std::vector{rt::chapter};
  if (t == "dissertation" || t == "academic dissertation" || t == "thesis") return std::vector{rt::thesis};
  if (t == "technical report" || t == "report") return std::vector{rt::report};
  if (t == "editorial" || t == "editorial material" || t == "letter" || t == "note" || t == "comment" || t == "news" ||
      t == "erratum" || t == "correction") {
    return std::vector{rt::other};
  }
  return std::nullopt;
}

/// The 4-digit years in a term as written: "2000:2026", "2000/01/01:3000", "2000-2010", "2015".
std::optional<std::pair<int, int>> parse_years(std::string_view raw) {
  std::vector<int> years;
  std::size_t i = 0;
  while (i < raw.size()) {
    if (!std::isdigit(static_cast<unsigned char>(raw[i]))) {
      ++i;
      continue;
    }
    std::size_t e = i;
    int v = 0;
    // Only a run of exactly four digits is a year; longer runs are measured, not accumulated
    // (a fuzzed 25-digit run overflowed int here).
    while (e < raw.size() && std::isdigit(static_cast<unsigned char>(raw[e]))) {
      if (e - i < 4) v = v * 10 + (raw[e] - '0');
      ++e;
    }
    if (e - i == 4) {
      years.push_back(v);
    } else if (e - i > 4) {
      return std::nullopt;
    }
    i = e;
  }
  if (years.size() == 1) return std::pair{years[0], years[0]};
  if (years.size() == 2 && years[0] <= years[1]) return std::pair{years[0], years[1]};
  return std::nullopt;
}

struct parse_abort {};

class query_parser {
 public:
  query_parser(std::string_view text, query_dialect d, std::vector<query_diagnostic>& diags)
      : s_(text), d_(d), diags_(diags) {
    cp_.resize(text.size() + 1);
    std::size_t n = 0;
    for (std::size_t b = 0; b < text.size(); ++b) {
      cp_[b] = n;
      if ((static_cast<unsigned char>(text[b]) & 0xC0U) != 0x80U) ++n;
    }
    cp_[text.size()] = n;
  }

  node_ptr run() {
    try {
      lex();
      merge_tagged_runs();
      if (toks_.size() == 1) {
        diag(level::error, 0, "E007", "empty query");
        return nullptr;
      }
      levels_.emplace_back();
      node_ptr root = parse_expr(1);
      if (peek().kind == tk::rparen) {
        diag(level::error, peek().pos, "E001", "unbalanced parentheses: ')' without a matching '('");
        return nullptr;
      }
      if (peek().kind != tk::end) {
        diag(level::error, peek().pos, "E008", "unexpected '" + describe(peek()) + "'");
        return nullptr;
      }
      finalize(*root);
      emit_infos();
      return root;
    } catch (const parse_abort&) {
      return nullptr;
    }
  }

 private:
  // --- diagnostics ------------------------------------------------------------------------
  void diag(level l, std::size_t pos, std::string code, std::string message) {
    diags_.push_back({l, pos, std::move(code), std::move(message)});
  }
  [[noreturn]] void fail(std::size_t pos, std::string code, std::string message) {
    diag(level::error, pos, std::move(code), std::move(message));
    throw parse_abort{};
  }
  [[nodiscard]] std::size_t pos_of(std::size_t byte) const { return cp_[std::min(byte, s_.size())] + 1; }
  [[nodiscard]] bool dialect_is(query_dialect a) const { return d_ == a; }
  [[nodiscard]] bool dialect_any(query_dialect a, query_dialect b) const { return d_ == a || d_ == b; }
  void foreign(std::size_t pos, const std::string& what, const char* home) {
    diag(level::warning, pos, "W106",
         what + " is " + home + " syntax, not " + to_string(d_) + "; read as " + home + " reads it");
  }

  // --- lexer ------------------------------------------------------------------------------
  [[nodiscard]] bool at_curly_quote(std::size_t i) const {
    return i + 2 < s_.size() + 0 && static_cast<unsigned char>(s_[i]) == 0xE2 &&
           static_cast<unsigned char>(s_[i + 1]) == 0x80 &&
           (static_cast<unsigned char>(s_[i + 2]) == 0x9C || static_cast<unsigned char>(s_[i + 2]) == 0x9D);
  }
  [[nodiscard]] bool is_word_char(std::size_t i) const {
    const char c = s_[i];
    if (is_space(c) || c == '(' || c == ')' || c == '"' || c == '[' || c == ']' || c == '{' || c == '}' || c == '=' ||
        c == '<' || c == '>') {
      return false;
    }
    if (c == ',') {  // part of a word only between two word characters ("1,2-diol")
      return i + 1 < s_.size() && !is_space(s_[i + 1]) && s_[i + 1] != '"' && s_[i + 1] != '(' && s_[i + 1] != ')';
    }
    return !at_curly_quote(i);
  }
  [[nodiscard]] std::size_t skip_spaces(std::size_t i) const {
    while (i < s_.size() && is_space(s_[i])) ++i;
    return i;
  }

  void push(tk kind, std::string text, std::size_t byte) {
    token t;
    t.kind = kind;
    t.text = std::move(text);
    t.pos = pos_of(byte);
    toks_.push_back(std::move(t));
  }

  void lex() {
    std::size_t i = 0;
    while (true) {
      i = skip_spaces(i);
      if (i >= s_.size()) break;
      const char c = s_[i];
      const std::size_t start = i;
      if (c == '(') {
        push(tk::lparen, "(", i++);
      } else if (c == ')') {
        push(tk::rparen, ")", i++);
      } else if (c == '"' || at_curly_quote(i)) {
        const std::size_t open_len = c == '"' ? 1 : 3;
        std::size_t j = i + open_len;
        while (j < s_.size() && s_[j] != '"' && !at_curly_quote(j)) ++j;
        if (j >= s_.size()) fail(pos_of(start), "E003", "unterminated quotation mark");
        push(tk::phrase, std::string(s_.substr(i + open_len, j - i - open_len)), start);
        i = j + (s_[j] == '"' ? 1 : 3);
      } else if (c == '{') {
        const std::size_t j = s_.find('}', i + 1);
        if (j == std::string_view::npos) fail(pos_of(start), "E003", "unterminated '{' exact phrase");
        if (!dialect_any(query_dialect::scopus, query_dialect::generic))
          foreign(pos_of(start), "{exact phrase}", "Scopus");
        push(tk::phrase, std::string(s_.substr(i + 1, j - i - 1)), start);
        toks_.back().exact = true;
        i = j + 1;
      } else if (c == '[') {
        const std::size_t j = s_.find(']', i + 1);
        if (j == std::string_view::npos) fail(pos_of(start), "E003", "unterminated '[' field tag");
        push(tk::tag, std::string(s_.substr(i + 1, j - i - 1)), start);
        i = j + 1;
      } else if (c == '}' || c == ']') {
        fail(pos_of(start), "E008", std::string("unexpected '") + c + "'");
      } else if (c == '=' || c == '<' || c == '>') {
        std::string cmp(1, c);
        if ((c == '<' || c == '>') && i + 1 < s_.size() && s_[i + 1] == '=') cmp += '=';
        i += cmp.size();
        push(tk::cmp, std::move(cmp), start);
      } else if (c == ',' && !is_word_char(i)) {
        push(tk::comma, ",", i++);
      } else if (c == ':' && (i + 1 >= s_.size() || is_space(s_[i + 1]) || s_[i + 1] == '"' || s_[i + 1] == '(')) {
        push(tk::colon, ":", i++);
      } else {
        std::size_t j = i;
        while (j < s_.size() && is_word_char(j)) ++j;
        if (j == i) {  // a lone character that starts no token
          fail(pos_of(start), "E008", "unexpected character");
        }
        i = classify_word(s_.substr(i, j - i), start, j);
      }
    }
    push(tk::end, "", s_.size());
  }

  /// Classifies the word s_[start, end) and returns where lexing continues.
  std::size_t classify_word(std::string_view w, std::size_t start, std::size_t end) {
    const std::string up = upper(w);
    const bool pubmed = dialect_is(query_dialect::pubmed);
    const bool exact_case = w == up;
    auto op_case_check = [&]() {
      if (pubmed && !exact_case) {
        diag(level::warning, pos_of(start), "W102",
             cat("PubMed requires upper-case operators; '", w, "' is read as ", up));
      }
    };
    if (up == "AND" || up == "OR" || up == "NOT") {
      op_case_check();
      if (up == "AND" && dialect_is(query_dialect::scopus)) {
        const std::size_t n = skip_spaces(end);
        std::size_t e = n;
        while (e < s_.size() && is_word_char(e)) ++e;
        if (upper(s_.substr(n, e - n)) == "NOT") {
          push(tk::op_and_not, "AND NOT", start);
          return e;
        }
      }
      push(up == "AND" ? tk::op_and : up == "OR" ? tk::op_or : tk::op_not, up, start);
      return end;
    }
    // Proximity: W/n PRE/n NEAR/n, bare NEAR (Web of Science, distance 15).
    for (const std::string_view p : {"W/", "PRE/", "NEAR/"}) {
      if (up.size() > p.size() && up.compare(0, p.size(), p) == 0 &&
          std::all_of(up.begin() + static_cast<std::ptrdiff_t>(p.size()), up.end(),
                      [](char ch) { return ch >= '0' && ch <= '9'; })) {
        // Every distance is an operator; one beyond the cap is an error, never a phrase.
        const std::string_view digits = std::string_view(up).substr(p.size());
        std::size_t n = 0;
        for (const char ch : digits) {
          n = n * 10 + static_cast<std::size_t>(ch - '0');
          if (n > limits::query_max_proximity_distance) {
            fail(pos_of(start), "E010",
                 cat(up, ": the distance exceeds the limit query_max_proximity_distance (",
                     std::to_string(limits::query_max_proximity_distance), ")"));
          }
        }
        push(tk::prox, up, start);
        token& t = toks_.back();
        t.n = static_cast<int>(n);
        t.op_name = std::string(p.substr(0, p.size() - 1));
        t.ordered = t.op_name == "PRE";
        if (t.op_name == "NEAR" && !dialect_any(query_dialect::wos, query_dialect::generic)) {
          foreign(t.pos, up, "Web of Science");
        } else if (t.op_name != "NEAR" && !dialect_any(query_dialect::scopus, query_dialect::generic)) {
          foreign(t.pos, up, "Scopus");
        }
        if (t.op_name == "NEAR" && t.n > 15 && dialect_is(query_dialect::wos)) {
          diag(level::warning, t.pos, "W105",
               "Web of Science accepts NEAR/n up to n = 15; " + up + " is applied as written");
        }
        return end;
      }
    }
    if ((up == "NEAR" && (dialect_is(query_dialect::wos) || (d_ == query_dialect::generic && exact_case))) ||
        (up == "SAME" && (dialect_is(query_dialect::wos) || (d_ == query_dialect::generic && exact_case)))) {
      push(up == "NEAR" ? tk::prox : tk::same, up, start);
      if (up == "NEAR") {
        toks_.back().n = 15;
        toks_.back().op_name = "NEAR";
      }
      return end;
    }
    const std::size_t after = skip_spaces(end);
    const bool paren_follows = after < s_.size() && s_[after] == '(';
    if ((up == "LIMIT-TO" || up == "EXCLUDE") && paren_follows) {
      int depth = 0;
      bool in_quote = false;
      std::size_t j = after;
      for (; j < s_.size(); ++j) {
        if (s_[j] == '"') in_quote = !in_quote;
        if (in_quote) continue;
        if (s_[j] == '(') ++depth;
        if (s_[j] == ')' && --depth == 0) break;
      }
      if (j >= s_.size()) fail(pos_of(after), "E001", "unbalanced parentheses: '(' of " + up + " is never closed");
      push(tk::limit, std::string(s_.substr(after + 1, j - after - 1)), start);
      toks_.back().op_name = up;
      if (!dialect_any(query_dialect::scopus, query_dialect::generic)) foreign(pos_of(start), up + "()", "Scopus");
      return j + 1;
    }
    if (up == "PUBYEAR") {
      std::size_t e = after;
      while (e < s_.size() && is_word_char(e)) ++e;
      const std::string nxt = upper(s_.substr(after, e - after));
      const bool cmp_follows = after < s_.size() && (s_[after] == '>' || s_[after] == '<' || s_[after] == '=');
      if (cmp_follows || nxt == "AFT" || nxt == "BEF" || nxt == "IS") {
        push(tk::func, "PUBYEAR", start);
        if (!dialect_any(query_dialect::scopus, query_dialect::generic)) foreign(pos_of(start), "PUBYEAR", "Scopus");
        return end;
      }
    }
    if (paren_follows && find_function(up) != nullptr) {
      push(tk::func, up, start);
      if (!dialect_any(query_dialect::scopus, query_dialect::generic)) foreign(pos_of(start), up + "()", "Scopus");
      return end;
    }
    if (after < s_.size() && s_[after] == '=' && (after + 1 >= s_.size() || s_[after + 1] != '=')) {
      if (find_wos_tag(up) == nullptr) {
        fail(pos_of(start), "E004", cat("unknown field tag '", w, "='"));
      }
      push(tk::field_eq, up, start);
      if (!dialect_any(query_dialect::wos, query_dialect::generic)) foreign(pos_of(start), up + "=", "Web of Science");
      return after + 1;
    }
    push(tk::word, std::string(w), start);
    return end;
  }

  /// PubMed (and generic): plain words written before a [tag] form one phrase ("rare earth[tiab]",
  /// "smith j[au]"), as PubMed reads them.
  void merge_tagged_runs() {
    if (!dialect_any(query_dialect::pubmed, query_dialect::generic)) return;
    std::vector<token> out;
    for (auto& t : toks_) {
      if (t.kind == tk::tag && !out.empty() && out.back().kind == tk::word) {
        std::size_t b = out.size();
        while (b > 0 && (out[b - 1].kind == tk::word || out[b - 1].kind == tk::comma)) --b;
        while (b < out.size() && out[b].kind == tk::comma) ++b;
        if (out.size() - b >= 2) {
          token merged = out[b];
          merged.merged = true;
          for (std::size_t k = b + 1; k < out.size(); ++k) {
            if (out[k].kind == tk::word) merged.text += " " + out[k].text;
          }
          out.resize(b);
          out.push_back(std::move(merged));
        }
      }
      out.push_back(std::move(t));
    }
    toks_ = std::move(out);
  }

  // --- parser -----------------------------------------------------------------------------
  enum class op { none, op_and, op_or, op_not, and_not, prox, same, implicit };

  [[nodiscard]] const token& peek() const { return toks_[i_]; }
  const token& next() { return toks_[i_++]; }

  [[nodiscard]] int bp(op o) const {
    switch (d_) {
      case query_dialect::pubmed: return o == op::implicit ? 6 : o == op::prox ? 5 : o == op::same ? 4 : 1;
      case query_dialect::scopus:
        switch (o) {
          case op::and_not:
          case op::op_not: return 1;
          case op::op_and: return 2;
          case op::prox: return 3;
          case op::op_or: return 4;
          case op::same: return 2;
          case op::implicit: return 6;
          default: return 0;
        }
      case query_dialect::wos:
      case query_dialect::generic:
        switch (o) {
          case op::op_or: return 1;
          case op::op_and: return 2;
          case op::op_not:
          case op::and_not: return 3;
          case op::same: return 4;
          case op::prox: return 5;
          case op::implicit: return 6;
          default: return 0;
        }
    }
    return 0;
  }
  [[nodiscard]] int unary_not_bp() const { return d_ == query_dialect::pubmed ? 2 : 4; }

  [[nodiscard]] static bool starts_operand(tk k) {
    return k == tk::word || k == tk::phrase || k == tk::lparen || k == tk::func || k == tk::field_eq || k == tk::limit;
  }

  [[nodiscard]] op peek_op() const {
    switch (peek().kind) {
      case tk::op_and: return op::op_and;
      case tk::op_or: return op::op_or;
      case tk::op_not: return op::op_not;
      case tk::op_and_not: return op::and_not;
      case tk::prox: return op::prox;
      case tk::same: return op::same;
      default: return starts_operand(peek().kind) ? op::implicit : op::none;
    }
  }

  static std::string describe(const token& t) {
    switch (t.kind) {
      case tk::end: return "end of query";
      case tk::tag: return "[" + t.text + "]";
      default: return t.text;
    }
  }

  struct level_state {
    int first = -1;  ///< 0 AND, 1 OR, 2 NOT
    bool warned = false;
  };

  void record_op(op o, std::size_t pos) {
    int cls = -1;
    if (o == op::op_and) {
      cls = 0;
    } else if (o == op::op_or) {
      cls = 1;
    } else if (o == op::op_not || o == op::and_not) {
      cls = 2;
    }
    if (cls < 0) return;
    level_state& L = levels_.back();
    if (L.first < 0) {
      L.first = cls;
      return;
    }
    if (L.first != cls && !L.warned) {
      L.warned = true;
      static constexpr std::array<const char*, 3> names = {"AND", "OR", "NOT"};
      std::string rule;
      switch (d_) {
        case query_dialect::pubmed: rule = "PubMed reads operators strictly from left to right"; break;
        case query_dialect::scopus: rule = "Scopus applies OR first, then W/n and PRE/n, then AND, then AND NOT"; break;
        case query_dialect::wos: rule = "Web of Science applies NEAR/n, SAME, NOT, AND, then OR"; break;
        case query_dialect::generic: rule = "generic precedence is NEAR/W/PRE, NOT, AND, then OR"; break;
      }
      diag(level::warning, pos, "W101",
           std::string(names[static_cast<std::size_t>(L.first)]) + " and " + names[static_cast<std::size_t>(cls)] +
               " mixed without parentheses: " + rule + "; add parentheses to make the intent explicit");
    }
  }

  /// Bounds the recursion of the parser (and so the depth of the tree every later pass walks):
  /// one level per parenthesis, field scope, NOT and date range.
  struct depth_guard {
    depth_guard(query_parser& p, std::size_t pos) : parser(p) {
      if (++parser.depth_ > limits::query_max_depth) {
        parser.fail(pos, "E010",
                    cat("the query nests deeper than the limit query_max_depth (",
                        std::to_string(limits::query_max_depth), ")"));
      }
    }
    ~depth_guard() { --parser.depth_; }
    depth_guard(const depth_guard&) = delete;
    depth_guard& operator=(const depth_guard&) = delete;
    query_parser& parser;
  };

  void count_term(std::size_t pos) {
    if (++terms_ > limits::query_max_terms) {
      fail(pos, "E010",
           cat("the query has more search terms than the limit query_max_terms (",
               std::to_string(limits::query_max_terms), ")"));
    }
  }

  void check_word_length(std::string_view w, std::size_t pos) {
    std::size_t chars = 0;
    for (const char c : w) chars += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    if (chars > limits::query_max_word_length) {
      fail(pos, "E010",
           cat("a query word is longer than the limit query_max_word_length (",
               std::to_string(limits::query_max_word_length), " characters)"));
    }
  }

  /// Operands of a proximity chain: a NEAR node counts its operands, anything else is one.
  static std::size_t proximity_operands(const query_node& n) {
    if (n.k != query_node::kind::near) return 1;
    return proximity_operands(*n.children[0]) + proximity_operands(*n.children[1]);
  }
  void check_proximity_operands(std::size_t count, std::size_t pos) {
    if (count > limits::query_max_proximity_operands) {
      fail(pos, "E010",
           cat("a proximity expression has more operands than the limit query_max_proximity_operands (",
               std::to_string(limits::query_max_proximity_operands), ")"));
    }
  }

  static node_ptr make(query_node::kind k, std::size_t pos) {
    auto n = std::make_unique<query_node>();
    n->k = k;
    n->position = pos;
    return n;
  }

  [[nodiscard]] bool proximity_operand_ok(const query_node& n) const {
    if (n.k == query_node::kind::term || n.k == query_node::kind::near) return true;
    if (n.k == query_node::kind::op_or) {
      return std::all_of(n.children.begin(), n.children.end(), [&](const auto& c) { return proximity_operand_ok(*c); });
    }
    return false;
  }

  node_ptr combine(op o, const token& t, node_ptr lhs, node_ptr rhs) {
    using K = query_node::kind;
    switch (o) {
      case op::op_and:
      case op::implicit:
      case op::same: {
        if (lhs->k == K::op_and) {
          lhs->children.push_back(std::move(rhs));
          return lhs;
        }
        auto n = make(K::op_and, lhs->position);
        n->children.push_back(std::move(lhs));
        n->children.push_back(std::move(rhs));
        return n;
      }
      case op::op_or: {
        if (lhs->k == K::op_or) {
          lhs->children.push_back(std::move(rhs));
          return lhs;
        }
        auto n = make(K::op_or, lhs->position);
        n->children.push_back(std::move(lhs));
        n->children.push_back(std::move(rhs));
        return n;
      }
      case op::op_not:
      case op::and_not: {
        if (lhs->k == K::and_not) {
          lhs->children.push_back(std::move(rhs));
          return lhs;
        }
        auto n = make(K::and_not, lhs->position);
        n->children.push_back(std::move(lhs));
        n->children.push_back(std::move(rhs));
        return n;
      }
      case op::prox: {
        if (!proximity_operand_ok(*lhs) || !proximity_operand_ok(*rhs)) {
          fail(t.pos, "E005", t.text + " needs terms, phrases or OR-groups on both sides, not AND or NOT");
        }
        check_proximity_operands(proximity_operands(*lhs) + proximity_operands(*rhs), t.pos);
        auto n = make(K::near, lhs->position);
        n->distance = t.n;
        n->ordered = t.ordered;
        n->children.push_back(std::move(lhs));
        n->children.push_back(std::move(rhs));
        return n;
      }
      case op::none: break;
    }
    return lhs;
  }

  node_ptr parse_expr(int min_bp) {
    node_ptr lhs = parse_unary();
    while (true) {
      const op o = peek_op();
      if (o == op::none || bp(o) < min_bp) break;
      const token t = peek();
      if (o == op::implicit) {
        if (implicit_pos_ == 0) implicit_pos_ = t.pos;
      } else {
        next();
        if (o == op::op_not && dialect_is(query_dialect::scopus)) {
          diag(level::warning, t.pos, "W108",
               "Scopus has no binary NOT; read as AND NOT (its lowest-precedence operator)");
        }
        if (o == op::same && !dialect_any(query_dialect::wos, query_dialect::generic))
          foreign(t.pos, "SAME", "Web of Science");
        if (o == op::same) same_pos_ = same_pos_ == 0 ? t.pos : same_pos_;
        record_op(o, t.pos);
        if (peek().kind == tk::end || peek().kind == tk::rparen) {
          fail(t.pos, "E002", "operator " + t.text + " has no term after it");
        }
      }
      node_ptr rhs = parse_expr(bp(o) + 1);
      lhs = combine(o, t, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  node_ptr parse_unary() {
    if (peek().kind == tk::op_not || peek().kind == tk::op_and_not) {
      const token t = next();
      if (dialect_is(query_dialect::scopus)) {
        diag(level::warning, t.pos, "W108", "a Scopus query cannot start with NOT; read as NOT of what follows");
      }
      if (peek().kind == tk::end || peek().kind == tk::rparen) fail(t.pos, "E002", "NOT has no term after it");
      const depth_guard g(*this, t.pos);
      auto n = make(query_node::kind::op_not, t.pos);
      n->children.push_back(parse_expr(unary_not_bp()));
      return n;
    }
    return parse_postfix(parse_primary());
  }

  node_ptr parse_group(std::size_t open_pos, const std::string& what) {
    if (peek().kind != tk::lparen) fail(peek().pos, "E008", what + " must be followed by '('");
    const depth_guard g(*this, peek().pos);
    next();
    levels_.emplace_back();
    if (peek().kind == tk::rparen) fail(peek().pos, "E002", "empty parentheses");
    node_ptr e = parse_expr(1);
    levels_.pop_back();
    if (peek().kind != tk::rparen) {
      if (peek().kind == tk::end) {
        fail(open_pos, "E001", "unbalanced parentheses: '(' is never closed");
      }
      fail(peek().pos, "E008", "unexpected '" + describe(peek()) + "'");
    }
    next();
    return e;
  }

  node_ptr term_from(const token& t, bool quoted) {
    count_term(t.pos);
    auto n = make(query_node::kind::term, t.pos);
    n->text = t.text;
    n->quoted = quoted || t.merged;
    n->exact = t.exact;
    n->words = t.exact ? fold_words(t.text) : fold_words(t.text, "*?$");
    if (n->words.empty()) {
      // Bare years written as terms are fine ([dp] turns them into years later); symbols are not.
      fail(t.pos, "E009", "term '" + t.text + "' has no letters or digits");
    }
    for (const auto& w : n->words) check_word_length(w, t.pos);
    if (!t.exact) check_wildcards(*n, t.pos);
    if (!quoted) unquoted_pos_ = unquoted_pos_ == 0 ? t.pos : unquoted_pos_;
    // Scopus applies plurals and British/American variants to "loose phrases" too -- only {exact}
    // phrases are taken literally (Scopus search tips, help.scopus.com h_srchtips; UCL, Oulu and
    // KU library guides) -- whereas WoS quotes switch lemmatisation off.
    if (!t.exact) loose_pos_ = loose_pos_ == 0 ? t.pos : loose_pos_;
    return n;
  }

  void check_wildcards(const query_node& n, std::size_t pos) {
    for (const auto& w : n.words) {
      const auto star = w.find('*');
      const auto q = w.find('?');
      const auto dollar = w.find('$');
      if (d_ == query_dialect::pubmed) {
        if (q != std::string::npos || dollar != std::string::npos) {
          diag(level::warning, pos, "W104",
               "PubMed supports only '*' truncation; '?' and '$' in '" + n.text + "' are applied as wildcards here");
        }
        if (star != std::string::npos && star + 1 != w.size()) {
          diag(level::warning, pos, "W112", "PubMed truncates only at the end of a word ('" + n.text + "')");
        }
        if (star != std::string::npos && star < 4) {
          diag(level::warning, pos, "W103", "PubMed needs at least 4 characters before '*' ('" + n.text + "')");
        }
      } else if (d_ == query_dialect::scopus && dollar != std::string::npos) {
        diag(level::warning, pos, "W104", "Scopus has no '$' wildcard; applied as zero or one character here");
      } else if (d_ == query_dialect::wos) {
        const auto first = std::min({star, q, dollar});
        if (first != std::string::npos && first < 3) {
          diag(level::warning, pos, "W103",
               "Web of Science needs at least 3 characters before a right-hand wildcard ('" + n.text + "')");
        }
      }
    }
  }

  node_ptr parse_primary() {
    while (peek().kind == tk::comma) {
      diag(level::warning, peek().pos, "W110", "stray comma ignored");
      next();
    }
    const token& t = peek();
    switch (t.kind) {
      case tk::lparen: {
        const std::size_t open = t.pos;
        return parse_group(open, "(");
      }
      case tk::word: next(); return term_from(toks_[i_ - 1], false);
      case tk::phrase: next(); return term_from(toks_[i_ - 1], true);
      case tk::func: return parse_function();
      case tk::field_eq: return parse_field_eq();
      case tk::limit: return parse_limit();
      case tk::rparen: fail(t.pos, "E001", "unbalanced parentheses: ')' without a matching '('");
      case tk::end: fail(t.pos, "E002", "expected a search term at the end of the query");
      case tk::op_and:
      case tk::op_or:
      case tk::op_and_not:
      case tk::prox:
      case tk::same: fail(t.pos, "E002", "operator " + t.text + " has no term before it");
      case tk::tag: fail(t.pos, "E002", "field tag [" + t.text + "] has no term before it");
      default: fail(t.pos, "E008", "unexpected '" + describe(t) + "'");
    }
  }

  node_ptr parse_postfix(node_ptr n) {
    while (peek().kind == tk::tag) {
      const token t = next();
      const auto spec = pubmed_tag(t.text);
      if (!spec) fail(t.pos, "E004", "unknown field tag [" + t.text + "]");
      if (!dialect_any(query_dialect::pubmed, query_dialect::generic)) foreign(t.pos, "[" + t.text + "]", "PubMed");
      const std::string lt = lower(trim_copy(t.text));
      if (dialect_is(query_dialect::pubmed) && (lt == "ab" || lt == "abstract")) {
        diag(level::warning, t.pos, "W107",
             "PubMed has no abstract-only field tag; [" + t.text + "] searches the abstract here");
      }
      n = apply_scope(std::move(n), *spec, t.pos);
      // PubMed date range written as two tagged dates around a colon.
      if (n->k == query_node::kind::year && peek().kind == tk::colon &&
          dialect_any(query_dialect::pubmed, query_dialect::generic)) {
        const token c = next();
        const depth_guard g(*this, c.pos);
        node_ptr rhs = parse_primary();
        if (peek().kind != tk::tag) fail(c.pos, "E006", "a date range needs a date with a tag after ':'");
        rhs = parse_postfix(std::move(rhs));
        if (rhs->k != query_node::kind::year) fail(c.pos, "E006", "a date range needs dates on both sides of ':'");
        if (rhs->year_max < n->year_min) fail(c.pos, "E006", "the date range ends before it starts");
        n->year_max = rhs->year_max;
      }
    }
    return n;
  }

  node_ptr parse_function() {
    const token t = next();
    if (t.text == "PUBYEAR") return parse_pubyear(t);
    const func_spec* f = find_function(t.text);
    node_ptr inner = parse_group(t.pos, t.text);
    scope_spec s;
    s.label = t.text + "()";
    switch (f->kind) {
      case 't':
        s.w = scope_spec::what::text;
        s.mask = f->mask;
        break;
      case 'l': s.w = scope_spec::what::language; break;
      case 'y':
        s.w = scope_spec::what::type;
        s.type_table = query_dialect::scopus;
        break;
      default: s.w = scope_spec::what::unsupported; break;
    }
    return apply_scope(std::move(inner), s, t.pos);
  }

  node_ptr parse_pubyear(const token& t) {
    std::string cmp;
    if (peek().kind == tk::cmp) {
      cmp = next().text;
    } else if (peek().kind == tk::word) {
      cmp = upper(next().text);
    }
    if (peek().kind != tk::word) fail(t.pos, "E006", "PUBYEAR needs a comparison and a year, e.g. PUBYEAR > 1999");
    const token y = next();
    const auto ys = parse_years(y.text);
    if (!ys || ys->first != ys->second) fail(y.pos, "E006", "'" + y.text + "' is not a year");
    const int v = ys->first;
    auto n = make(query_node::kind::year, t.pos);
    n->year_min = 0;
    n->year_max = 9999;
    if (cmp == ">" || cmp == "AFT") {
      n->year_min = v + 1;
    } else if (cmp == ">=") {
      n->year_min = v;
    } else if (cmp == "<" || cmp == "BEF") {
      n->year_max = v - 1;
    } else if (cmp == "<=") {
      n->year_max = v;
    } else if (cmp == "=" || cmp == "IS") {
      n->year_min = n->year_max = v;
    } else {
      fail(t.pos, "E006", "PUBYEAR needs one of > < = >= <= AFT BEF IS");
    }
    return n;
  }

  node_ptr parse_field_eq() {
    const token t = next();
    const depth_guard g(*this, t.pos);
    const tag_spec* tag = find_wos_tag(t.text);
    node_ptr operand;
    if (tag->kind == 'p') {
      operand = parse_unary();  // PY=2010, PY=(2000-2010), PY=2000-2010
    } else {
      operand = parse_expr(bp(op::implicit));
    }
    scope_spec s;
    s.label = t.text + "=";
    switch (tag->kind) {
      case 't':
        s.w = scope_spec::what::text;
        s.mask = tag->mask;
        break;
      case 'p': s.w = scope_spec::what::year; break;
      case 'l': s.w = scope_spec::what::language; break;
      case 'y':
        s.w = scope_spec::what::type;
        s.type_table = query_dialect::wos;
        break;
      default: s.w = scope_spec::what::unsupported; break;
    }
    return apply_scope(std::move(operand), s, t.pos);
  }

  node_ptr parse_limit() {
    const token t = next();
    std::vector<std::string> args;
    std::string cur;
    bool in_quote = false;
    for (const char c : t.text) {
      if (c == '"') {
        in_quote = !in_quote;
        continue;
      }
      if (c == ',' && !in_quote) {
        args.push_back(trim_copy(cur));
        cur.clear();
      } else {
        cur += c;
      }
    }
    args.push_back(trim_copy(cur));
    if (args.size() < 2 || args[0].empty()) fail(t.pos, "E008", t.op_name + "() needs a field and at least one value");
    const std::string field = upper(args[0]);
    auto any = make(query_node::kind::op_or, t.pos);
    for (std::size_t k = 1; k < args.size(); ++k) {
      node_ptr v;
      if (field == "PUBYEAR") {
        const auto ys = parse_years(args[k]);
        if (!ys) fail(t.pos, "E006", "'" + args[k] + "' is not a year");
        v = make(query_node::kind::year, t.pos);
        v->year_min = ys->first;
        v->year_max = ys->second;
      } else if (field == "DOCTYPE") {
        const auto types = map_type(args[k], query_dialect::scopus);
        if (!types) {
          diag(level::warning, t.pos, "W111",
               "document type '" + args[k] + "' is not kept by the importers; it matches no record");
          v = make(query_node::kind::constant, t.pos);
          v->value = false;
        } else {
          v = make(query_node::kind::type, t.pos);
          v->types = *types;
        }
      } else if (field == "LANGUAGE") {
        v = make(query_node::kind::term, t.pos);
        v->text = args[k];
        v->fields = field_language;
        v->words = {canonical_language(args[k])};
      } else if (field == "EXACTKEYWORD") {
        v = make(query_node::kind::term, t.pos);
        v->text = args[k];
        v->quoted = true;
        v->fields = field_keywords;
        v->words = fold_words(args[k]);
        if (v->words.empty()) fail(t.pos, "E009", "empty keyword in " + t.op_name + "()");
      } else {
        diag(level::warning, t.pos, "W109",
             t.op_name + "(" + args[0] +
                 ", ...) cannot be evaluated offline; the clause is treated as matching every record");
        auto c = make(query_node::kind::constant, t.pos);
        c->value = true;
        return c;
      }
      count_term(t.pos);
      any->children.push_back(std::move(v));
    }
    node_ptr body = any->children.size() == 1 ? std::move(any->children[0]) : std::move(any);
    if (t.op_name == "EXCLUDE") {
      auto n = make(query_node::kind::op_not, t.pos);
      n->children.push_back(std::move(body));
      return n;
    }
    return body;
  }

  /// Applies a field scope to the terms of a subtree that have no field yet.
  node_ptr apply_scope(node_ptr n, const scope_spec& s, std::size_t pos) {
    using K = query_node::kind;
    using W = scope_spec::what;
    if (s.w == W::unsupported) {
      diag(level::warning, pos, "W109",
           s.label + " cannot be evaluated offline; the clause is treated as matching every record");
      auto c = make(K::constant, n->position);
      c->value = true;
      return c;
    }
    if (s.mesh && mesh_pos_ == 0) mesh_pos_ = pos;
    if (n->k != K::term) {
      for (auto& c : n->children) c = apply_scope(std::move(c), s, pos);
      return n;
    }
    if (n->fields != 0) return n;  // an inner scope wins
    switch (s.w) {
      case W::text: {
        n->fields = s.mask;
        if (s.proximity >= 0) {
          if (n->words.size() < 2) {
            diag(level::warning, pos, "W113", "proximity " + s.label + " needs a phrase of two or more words; ignored");
            return n;
          }
          check_proximity_operands(n->words.size(), pos);
          node_ptr acc;
          for (const auto& w : n->words) {
            auto one = make(K::term, n->position);
            one->words = {w};
            one->text = w;
            one->quoted = true;
            one->fields = s.mask;
            if (!acc) {
              acc = std::move(one);
            } else {
              auto near = make(K::near, n->position);
              near->distance = s.proximity;
              near->children.push_back(std::move(acc));
              near->children.push_back(std::move(one));
              acc = std::move(near);
            }
          }
          return acc;
        }
        return n;
      }
      case W::year: {
        const auto ys = parse_years(n->text);
        if (!ys) fail(n->position, "E006", "'" + n->text + "' is not a year or a range of years");
        auto y = make(K::year, n->position);
        y->year_min = ys->first;
        y->year_max = ys->second;
        return y;
      }
      case W::language: {
        n->fields = field_language;
        n->quoted = false;
        n->words = {canonical_language(n->text)};
        return n;
      }
      case W::type: {
        const auto types = map_type(n->text, s.type_table);
        if (!types) {
          diag(level::warning, n->position, "W111",
               "publication type '" + n->text + "' is not kept by the importers; the clause matches no record");
          auto c = make(K::constant, n->position);
          c->value = false;
          return c;
        }
        auto t = make(K::type, n->position);
        t->types = *types;
        return t;
      }
      case W::unsupported: break;
    }
    return n;
  }

  void finalize(query_node& n) {
    if (n.k == query_node::kind::term && n.fields == 0) {
      n.fields = field_text_default;
      if (default_pos_ == 0) default_pos_ = n.position;
    }
    for (auto& c : n.children) finalize(*c);
  }

  void emit_infos() {
    if (implicit_pos_ != 0) {
      diag(level::info, implicit_pos_, "I205",
           "words without an operator between them are joined by AND, which binds tighter than any written operator");
    }
    if (d_ == query_dialect::pubmed && default_pos_ != 0) {
      diag(level::info, default_pos_, "I201",
           "PubMed's Automatic Term Mapping (MeSH and synonym expansion) cannot be reproduced offline: untagged terms "
           "match title, abstract and keywords as written");
    }
    if (mesh_pos_ != 0) {
      diag(level::info, mesh_pos_, "I202",
           "MeSH explosion cannot be reproduced offline: MeSH tags match the record's keywords (headings as imported) "
           "as written");
    }
    if (d_ == query_dialect::wos && unquoted_pos_ != 0) {
      diag(level::info, unquoted_pos_, "I203",
           "Web of Science lemmatisation (mouse/mice, analyse/analyze) cannot be reproduced offline: unquoted terms "
           "match as written");
    }
    if (d_ == query_dialect::scopus && loose_pos_ != 0) {
      diag(level::info, loose_pos_, "I204",
           "Scopus' automatic plural and British/American spelling variants cannot be reproduced offline: terms match "
           "as written");
    }
    if (same_pos_ != 0) {
      diag(level::info, same_pos_, "I206", "SAME (same address/sentence) is read as AND within the record");
    }
  }

  std::string_view s_;
  query_dialect d_;
  std::vector<query_diagnostic>& diags_;
  std::vector<std::size_t> cp_;
  std::vector<token> toks_;
  std::size_t i_ = 0;
  std::vector<level_state> levels_;
  std::size_t implicit_pos_ = 0, default_pos_ = 0, mesh_pos_ = 0, unquoted_pos_ = 0, same_pos_ = 0;
  std::size_t loose_pos_ = 0;  ///< first term that is not a Scopus {exact} phrase
  std::size_t depth_ = 0;      ///< current nesting (depth_guard)
  std::size_t terms_ = 0;      ///< terms so far (count_term)
};

}  // namespace

parsed_query parse_query(std::string_view text, query_dialect dialect) {
  parsed_query q;
  q.text = std::string(text);
  q.dialect = dialect;
  query_parser p(q.text, dialect, q.diagnostics);
  q.root = p.run();
  std::stable_sort(q.diagnostics.begin(), q.diagnostics.end(), [](const auto& a, const auto& b) {
    return a.position != b.position ? a.position < b.position : a.severity < b.severity;
  });
  return q;
}

}  // namespace metasift::review
