// Matching parsed queries against records, the canonical S-expression, and diagnostics text.
#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>

#include "metasift/core/check.hpp"
#include "metasift/review/dedup_normalize.hpp"
#include "metasift/review/query.hpp"

namespace metasift::review {
namespace {

constexpr std::array<const char*, 8> field_names = {"ti", "ab", "kw", "au", "so", "doi", "la", "pmid"};

std::size_t bit_index(query_field f) noexcept {
  std::size_t i = 0;
  auto v = static_cast<unsigned>(f);
  while (v > 1U) {
    v >>= 1U;
    ++i;
  }
  return i;
}

std::size_t utf8_len(char c) noexcept {
  const auto b = static_cast<unsigned char>(c);
  if (b < 0x80) return 1;
  if ((b & 0xE0U) == 0xC0U) return 2;
  if ((b & 0xF0U) == 0xE0U) return 3;
  if ((b & 0xF8U) == 0xF0U) return 4;
  return 1;
}

/// Wildcard match by simulating the pattern's automaton over the word's characters: `*` any
/// run, `?` one character, `$` zero or one character. The set of live pattern positions is kept,
/// so time is O(|pattern| x |word|) with no backtracking (Thompson 1968; the classic recursive
/// glob is exponential on patterns like *a*a*a*b).
bool glob(std::string_view p, std::string_view w) {
  struct tok {
    char kind;  ///< 'l' literal character, '?', '$', '*'
    std::string_view lit;
  };
  std::vector<tok> t;
  for (std::size_t i = 0; i < p.size();) {
    const char c = p[i];
    if (c == '*' || c == '?' || c == '$') {
      if (!(c == '*' && !t.empty() && t.back().kind == '*')) t.push_back({c, {}});
      ++i;
    } else {
      const std::size_t n = std::min(utf8_len(c), p.size() - i);
      t.push_back({'l', p.substr(i, n)});
      i += n;
    }
  }
  const std::size_t m = t.size();
  std::vector<char> cur(m + 1, 0), nxt(m + 1, 0);
  auto close = [&](std::vector<char>& s) {
    for (std::size_t i = 0; i < m; ++i) {
      if (s[i] != 0 && (t[i].kind == '*' || t[i].kind == '$')) s[i + 1] = 1;
    }
  };
  cur[0] = 1;
  close(cur);
  for (std::size_t wi = 0; wi < w.size();) {
    const std::size_t n = std::min(utf8_len(w[wi]), w.size() - wi);
    const std::string_view ch = w.substr(wi, n);
    wi += n;
    std::fill(nxt.begin(), nxt.end(), 0);
    bool live = false;
    for (std::size_t i = 0; i < m; ++i) {
      if (cur[i] == 0) continue;
      switch (t[i].kind) {
        case '*':
          nxt[i] = 1;
          live = true;
          break;
        case '?':
        case '$':
          nxt[i + 1] = 1;
          live = true;
          break;
        default:
          if (t[i].lit == ch) {
            nxt[i + 1] = 1;
            live = true;
          }
      }
    }
    if (!live) return false;
    close(nxt);
    std::swap(cur, nxt);
  }
  return cur[m] != 0;
}

bool has_wildcard(std::string_view p) noexcept {
  return p.find_first_of("*?$") != std::string_view::npos;
}

struct span {
  std::uint32_t start = 0, end = 0;
};

using occurrence = query_document::occurrence;

/// The sorted positions in field f of the words matching pattern p (a prefix when prefix_ok).
std::vector<std::uint32_t> positions_of(const query_document& doc, query_field f, std::string_view p, bool prefix_ok) {
  const auto& words = doc.words(f);
  const auto& idx = doc.index(f);
  const bool wild = has_wildcard(p);
  // Every candidate starts with the pattern's literal prefix: a range of the sorted index.
  const std::string_view lit = wild ? p.substr(0, p.find_first_of("*?$")) : p;
  auto it = std::lower_bound(idx.begin(), idx.end(), lit,
                             [&](const occurrence& o, std::string_view v) { return words[o.word] < v; });
  std::vector<std::uint32_t> out;
  bool sorted = true;
  while (it != idx.end()) {
    const std::string_view w = words[it->word];
    if (w.substr(0, lit.size()) != lit) break;
    if (!wild && !prefix_ok && w != p) break;
    auto run_end = it;
    while (run_end != idx.end() && words[run_end->word] == w) ++run_end;
    if (!wild || glob(p, w)) {
      if (!out.empty() && out.back() > it->position) sorted = false;
      for (auto k = it; k != run_end; ++k) out.push_back(k->position);
    }
    it = run_end;
  }
  if (!sorted) std::sort(out.begin(), out.end());
  return out;
}

/// True when field f holds a word equal to p (the common single-word term: no allocation).
bool has_word(const query_document& doc, query_field f, std::string_view p) {
  const auto& words = doc.words(f);
  const auto& idx = doc.index(f);
  const auto it = std::lower_bound(idx.begin(), idx.end(), p,
                                   [&](const occurrence& o, std::string_view v) { return words[o.word] < v; });
  return it != idx.end() && words[it->word] == p;
}

/// Start positions of a term's words as a phrase in one field: the start list of the first word
/// intersected, by a merge of sorted lists, with each later word's list shifted back by its offset.
std::vector<std::uint32_t> phrase_starts(const query_node& n, const query_document& doc, query_field f) {
  const auto& p = n.words;
  if (p.empty()) return {};
  const bool authors = f == field_authors;
  std::vector<std::uint32_t> starts = positions_of(doc, f, p[0], false);
  for (std::size_t k = 1; k < p.size() && !starts.empty(); ++k) {
    // Author initials truncate (PubMed): "smith j" matches "smith ja".
    const bool prefix = authors && k + 1 == p.size() && p[k].size() <= 3;
    const std::vector<std::uint32_t> next = positions_of(doc, f, p[k], prefix);
    std::vector<std::uint32_t> kept;
    std::size_t j = 0;
    const auto off = static_cast<std::uint32_t>(k);
    for (const std::uint32_t s0 : starts) {
      while (j < next.size() && next[j] < s0 + off) ++j;
      if (j < next.size() && next[j] == s0 + off) kept.push_back(s0);
    }
    starts = std::move(kept);
  }
  return starts;
}

bool term_found(const query_node& n, const query_document& doc, query_field f) {
  if (n.words.size() == 1 && !has_wildcard(n.words[0])) return has_word(doc, f, n.words[0]);
  return !phrase_starts(n, doc, f).empty();
}

/// Reduces spans to the minimal ones (no span contains another), sorted by start. Minimal
/// intervals are the standard semantics of proximity operators (Clarke, Cormack & Burkowski 1995,
/// "An algebra for structured text search"; Boldi & Vigna 2016): their number is bounded by the
/// field's length, whatever the distance, so chained operators stay linear.
void minimise(std::vector<span>& v) {
  std::sort(v.begin(), v.end(),
            [](const span& a, const span& b) { return a.start != b.start ? a.start > b.start : a.end < b.end; });
  std::vector<span> kept;
  std::uint32_t min_end = UINT32_MAX;
  for (const span& s : v) {
    if (s.end < min_end) {
      kept.push_back(s);
      min_end = s.end;
    }
  }
  std::reverse(kept.begin(), kept.end());
  v = std::move(kept);
}

/// The minimal spans of a proximity operand in one field (terms, OR-groups and nested NEARs).
void collect_spans(const query_node& n, const query_document& doc, query_field f, std::vector<span>& out) {
  using K = query_node::kind;
  switch (n.k) {
    case K::term: {
      if ((n.fields & f) == 0) return;
      const auto len = static_cast<std::uint32_t>(n.words.size());
      for (const std::uint32_t s0 : phrase_starts(n, doc, f)) out.push_back({s0, s0 + len - 1});
      return;
    }
    case K::op_or:
      for (const auto& c : n.children) collect_spans(*c, doc, f, out);
      minimise(out);
      return;
    case K::near: {
      std::vector<span> a, b;
      collect_spans(*n.children[0], doc, f, a);
      minimise(a);
      if (a.empty()) return;
      collect_spans(*n.children[1], doc, f, b);
      minimise(b);
      if (b.empty()) return;
      // a and b are sorted by start and, being minimal, by end too. For each x in a, the only
      // pairs that can give a minimal span are the first y wholly after x and the last y wholly
      // before it; both are found by pointers that only move forward: O(|a| + |b|).
      const auto gap = static_cast<std::uint32_t>(std::max(n.distance, 0));
      std::vector<span> cand;
      std::size_t after = 0, before = 0;
      for (const span& x : a) {
        while (after < b.size() && b[after].start <= x.end) ++after;
        if (after < b.size() && b[after].start - x.end - 1 <= gap) cand.push_back({x.start, b[after].end});
        if (n.ordered) continue;
        while (before < b.size() && b[before].end < x.start) ++before;
        if (before > 0) {
          const span& y = b[before - 1];
          if (x.start - y.end - 1 <= gap) cand.push_back({y.start, x.end});
        }
      }
      minimise(cand);
      out.insert(out.end(), cand.begin(), cand.end());
      return;
    }
    default: return;
  }
}

void append_sexpr(std::string& out, const query_node& n) {
  using K = query_node::kind;
  auto list = [&](const char* head) {
    out += '(';
    out += head;
    for (const auto& c : n.children) {
      out += ' ';
      append_sexpr(out, *c);
    }
    out += ')';
  };
  switch (n.k) {
    case K::term: {
      if (n.fields != field_text_default && n.fields != 0) {
        bool first = true;
        for (std::size_t b = 0; b < field_names.size(); ++b) {
          if ((n.fields & (1U << b)) == 0) continue;
          if (!first) out += ',';
          out += field_names[b];
          first = false;
        }
        out += ':';
      }
      std::string joined;
      for (const auto& w : n.words) {
        if (!joined.empty()) joined += ' ';
        joined += w;
      }
      const bool quote = n.exact || n.words.size() > 1 || n.quoted;
      if (quote) out += n.exact ? '{' : '"';
      out += joined;
      if (quote) out += n.exact ? '}' : '"';
      return;
    }
    case K::op_and: list("AND"); return;
    case K::op_or: list("OR"); return;
    case K::op_not: list("NOT"); return;
    case K::and_not: list("ANDNOT"); return;
    case K::near: {
      std::string head = n.ordered ? "PRE/" : "NEAR/";
      head += std::to_string(n.distance);
      list(head.c_str());
      return;
    }
    case K::year:
      out += "year:";
      out += std::to_string(n.year_min);
      if (n.year_max != n.year_min) {
        out += '-';
        out += std::to_string(n.year_max);
      }
      return;
    case K::type: {
      out += "type:";
      for (std::size_t i = 0; i < n.types.size(); ++i) {
        if (i > 0) out += '|';
        out += to_string(n.types[i]);
      }
      return;
    }
    case K::constant: out += n.value ? "TRUE" : "FALSE"; return;
  }
}

}  // namespace

query_document::query_document(const record& r) : rec_(&r) {
  auto add = [&](query_field f, const std::vector<std::string>& words) {
    const std::size_t b = bit_index(f);
    auto& W = words_[b];
    auto& P = pos_[b];
    std::uint32_t next = P.empty() ? 0 : P.back() + 2;  // a gap between items
    for (const auto& w : words) {
      W.push_back(w);
      P.push_back(next++);
    }
  };
  add(field_title, fold_words(strip_markup(r.title)));
  add(field_abstract, fold_words(strip_markup(r.abstract)));
  for (const auto& k : r.keywords) add(field_keywords, fold_words(k));
  for (const auto& a : r.authors) {
    add(field_authors, fold_words(a));
    if (const auto comma = a.find(','); comma != std::string::npos) {  // "Smith, John A" -> also "smith ja"
      std::vector<std::string> alt = fold_words(std::string_view(a).substr(0, comma));
      std::string initials;
      for (const auto& g : fold_words(std::string_view(a).substr(comma + 1))) initials += g[0];
      if (!initials.empty() && !alt.empty()) {
        alt.push_back(initials);
        add(field_authors, alt);
      }
    }
  }
  add(field_journal, fold_words(r.journal));
  add(field_doi, fold_words(canonical_doi(r.doi)));
  language_ = canonical_language(r.language);
  if (!language_.empty()) add(field_language, {language_});
  std::string pmid;
  for (const char c : r.pmid) {
    if (c >= '0' && c <= '9') pmid += c;
  }
  if (!pmid.empty()) add(field_pmid, {pmid});
  for (std::size_t b = 0; b < field_count; ++b) {
    auto& idx = index_[b];
    const auto& W = words_[b];
    idx.reserve(W.size());
    for (std::size_t i = 0; i < W.size(); ++i) {
      idx.push_back({static_cast<std::uint32_t>(i), pos_[b][i]});
    }
    std::sort(idx.begin(), idx.end(), [&](const occurrence& x, const occurrence& y) {
      const int c = W[x.word].compare(W[y.word]);
      return c != 0 ? c < 0 : x.position < y.position;
    });
  }
}

const std::vector<std::string>& query_document::words(query_field f) const noexcept {
  return words_[bit_index(f)];
}
const std::vector<query_document::occurrence>& query_document::index(query_field f) const noexcept {
  return index_[bit_index(f)];
}
const std::vector<std::uint32_t>& query_document::positions(query_field f) const noexcept {
  return pos_[bit_index(f)];
}

bool query_matches(const query_node& n, const query_document& doc) {
  using K = query_node::kind;
  switch (n.k) {
    case K::term:
      for (std::size_t b = 0; b < 8; ++b) {
        const auto f = static_cast<query_field>(1U << b);
        if ((n.fields & f) == 0) continue;
        if (term_found(n, doc, f)) return true;
      }
      return false;
    case K::op_and:
      return std::all_of(n.children.begin(), n.children.end(), [&](const auto& c) { return query_matches(*c, doc); });
    case K::op_or:
      return std::any_of(n.children.begin(), n.children.end(), [&](const auto& c) { return query_matches(*c, doc); });
    case K::op_not: return !query_matches(*n.children[0], doc);
    case K::and_not:
      if (!query_matches(*n.children[0], doc)) return false;
      return std::none_of(n.children.begin() + 1, n.children.end(),
                          [&](const auto& c) { return query_matches(*c, doc); });
    case K::near:
      for (std::size_t b = 0; b < 8; ++b) {
        std::vector<span> s;
        collect_spans(n, doc, static_cast<query_field>(1U << b), s);
        if (!s.empty()) return true;
      }
      return false;
    case K::year: {
      const int y = doc.source().year;
      return y != 0 && y >= n.year_min && y <= n.year_max;
    }
    case K::type: return std::find(n.types.begin(), n.types.end(), doc.source().type) != n.types.end();
    case K::constant: return n.value;
  }
  return false;
}

std::string to_sexpr(const query_node& node) {
  std::string out;
  append_sexpr(out, node);
  return out;
}

compiled_query::compiled_query(std::string_view text, query_dialect dialect, const source_position& where)
    : parsed_(std::make_shared<parsed_query>(parse_query(text, dialect))) {
  if (parsed_->ok()) return;
  for (const auto& d : parsed_->diagnostics) {
    if (d.severity != query_diagnostic::level::error) continue;
    source_position p = where;
    if (p.line == 0) p.line = 1;
    if (d.position > 0) p.column = (p.column == 0 ? 0 : p.column - 1) + d.position;
    fail_input(p, "", d.code + " " + d.message);
  }
  fail_input(where, "", "the query could not be parsed");
}

bool compiled_query::matches(const query_document& doc) const {
  return parsed_ && parsed_->root && query_matches(*parsed_->root, doc);
}

std::string format_diagnostics(const std::vector<query_diagnostic>& diags, std::string_view label) {
  std::string out;
  for (const auto& d : diags) {
    out.append(label);
    out += ":1";
    if (d.position > 0) {
      out += ':';
      out += std::to_string(d.position);
    }
    out += ": ";
    out += to_string(d.severity);
    out += ' ';
    out += d.code;
    out += ": ";
    out += d.message;
    out += '\n';
  }
  return out;
}

}  // namespace metasift::review
