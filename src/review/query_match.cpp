// Matching parsed queries against records, the canonical S-expression, and diagnostics text.
#include <algorithm>
#include <array>

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

bool glob(std::string_view p, std::size_t pi, std::string_view w, std::size_t wi) {
  while (pi < p.size()) {
    const char c = p[pi];
    if (c == '*') {
      while (pi < p.size() && p[pi] == '*') ++pi;
      if (pi == p.size()) return true;
      for (std::size_t k = wi; k <= w.size(); ++k) {
        if (glob(p, pi, w, k)) return true;
      }
      return false;
    }
    if (c == '?') {
      if (wi >= w.size()) return false;
      wi += utf8_len(w[wi]);
      ++pi;
      continue;
    }
    if (c == '$') {
      if (glob(p, pi + 1, w, wi)) return true;
      if (wi >= w.size()) return false;
      wi += utf8_len(w[wi]);
      ++pi;
      continue;
    }
    if (wi >= w.size() || w[wi] != c) return false;
    ++pi;
    ++wi;
  }
  return wi == w.size();
}

bool has_wildcard(std::string_view p) noexcept { return p.find_first_of("*?$") != std::string_view::npos; }

bool word_match(std::string_view p, std::string_view w, bool prefix_ok) {
  if (!has_wildcard(p)) return prefix_ok ? w.substr(0, p.size()) == p : p == w;
  return glob(p, 0, w, 0);
}

struct span {
  std::uint32_t start = 0, end = 0;
};

/// Occurrences of a term's words as a phrase in one field.
void term_spans(const query_node& n, const std::vector<std::string>& words, const std::vector<std::uint32_t>& pos,
                bool authors, std::vector<span>* out, bool& found) {
  const auto& p = n.words;
  if (p.empty() || words.size() < p.size()) return;
  for (std::size_t i = 0; i + p.size() <= words.size(); ++i) {
    bool ok = true;
    for (std::size_t k = 0; k < p.size() && ok; ++k) {
      // Author initials truncate (PubMed): "smith j" matches "smith ja".
      const bool prefix = authors && k + 1 == p.size() && k > 0 && p[k].size() <= 3;
      ok = (k == 0 || pos[i + k] == pos[i] + k) && word_match(p[k], words[i + k], prefix);
    }
    if (ok) {
      found = true;
      if (out == nullptr) return;
      out->push_back({pos[i], pos[i + p.size() - 1]});
    }
  }
}

bool near_ok(const span& a, const span& b, int distance, bool ordered) noexcept {
  const auto n = static_cast<std::uint32_t>(std::max(distance, 0));
  if (ordered) return b.start > a.end && b.start - a.end - 1 <= n;
  if (b.start > a.end) return b.start - a.end - 1 <= n;
  if (a.start > b.end) return a.start - b.end - 1 <= n;
  return false;  // overlapping: the same words cannot be both operands
}

void collect_spans(const query_node& n, const query_document& doc, query_field f, std::vector<span>& out) {
  using K = query_node::kind;
  switch (n.k) {
    case K::term: {
      if ((n.fields & f) == 0) return;
      bool found = false;
      term_spans(n, doc.words(f), doc.positions(f), f == field_authors, &out, found);
      return;
    }
    case K::op_or:
      for (const auto& c : n.children) collect_spans(*c, doc, f, out);
      return;
    case K::near: {
      std::vector<span> a, b;
      collect_spans(*n.children[0], doc, f, a);
      if (a.empty()) return;
      collect_spans(*n.children[1], doc, f, b);
      for (const auto& x : a) {
        for (const auto& y : b) {
          if (near_ok(x, y, n.distance, n.ordered)) out.push_back({std::min(x.start, y.start), std::max(x.end, y.end)});
        }
      }
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
}

const std::vector<std::string>& query_document::words(query_field f) const noexcept { return words_[bit_index(f)]; }
const std::vector<std::uint32_t>& query_document::positions(query_field f) const noexcept { return pos_[bit_index(f)]; }

bool query_matches(const query_node& n, const query_document& doc) {
  using K = query_node::kind;
  switch (n.k) {
    case K::term:
      for (std::size_t b = 0; b < 8; ++b) {
        const auto f = static_cast<query_field>(1U << b);
        if ((n.fields & f) == 0) continue;
        bool found = false;
        term_spans(n, doc.words(f), doc.positions(f), f == field_authors, nullptr, found);
        if (found) return true;
      }
      return false;
    case K::op_and:
      return std::all_of(n.children.begin(), n.children.end(), [&](const auto& c) { return query_matches(*c, doc); });
    case K::op_or:
      return std::any_of(n.children.begin(), n.children.end(), [&](const auto& c) { return query_matches(*c, doc); });
    case K::op_not: return !query_matches(*n.children[0], doc);
    case K::and_not:
      if (!query_matches(*n.children[0], doc)) return false;
      return std::none_of(n.children.begin() + 1, n.children.end(), [&](const auto& c) { return query_matches(*c, doc); });
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
