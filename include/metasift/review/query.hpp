#pragma once
// Boolean search queries as users paste them from PubMed, Scopus and Web of Science, re-applied
// offline to imported records. A query is parsed into an AST with its database's own operator
// precedence, linted (every diagnostic carries a 1-based character position), and matched
// case-insensitively with diacritics folded (see dedup_normalize.hpp for the folding rules).
//
// Dialects (docs/review.md, "Query language"):
//   generic  NEAR/n W/n PRE/n > NOT > AND > OR; every field syntax below; `* ? $`
//   pubmed   AND OR NOT strictly left to right (upper-case only); suffix tags [tiab] [ti] [ab] [au]
//            [dp] [mh] [la] [pt] [ta] ...; `*` truncation; "phrase"[tiab:~n] proximity
//   scopus   OR > W/n PRE/n > AND > AND NOT; TITLE-ABS-KEY() TITLE() ABS() KEY() AUTH() ...;
//            PUBYEAR > < = ; LIMIT-TO(); "loose" and {exact} phrases; `* ?`
//   wos      NEAR/n > SAME > NOT > AND > OR; TS= TI= AB= AU= PY= DO= SO= LA= DT= ...; `* ? $`
// In every dialect words written next to each other without an operator are joined by AND, and
// that implicit AND binds tighter than any written operator (reported as info).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/review/record.hpp"

namespace metasift::review {

enum class query_dialect { generic, pubmed, scopus, wos };
[[nodiscard]] const char* to_string(query_dialect d) noexcept;
/// "generic", "pubmed", "scopus", "wos" (also "web-of-science", "webofscience"); case-insensitive.
[[nodiscard]] std::optional<query_dialect> parse_dialect(std::string_view name);

/// Record fields a term can be searched in (a bit mask).
enum query_field : std::uint16_t {
  field_title = 1U << 0,
  field_abstract = 1U << 1,
  field_keywords = 1U << 2,
  field_authors = 1U << 3,
  field_journal = 1U << 4,
  field_doi = 1U << 5,
  field_language = 1U << 6,
  field_pmid = 1U << 7,
  field_text_default = field_title | field_abstract | field_keywords,
  field_all = field_title | field_abstract | field_keywords | field_authors | field_journal | field_doi | field_pmid,
};

struct query_diagnostic {
  enum class level { error, warning, info } severity = level::info;
  std::size_t position = 0;  ///< 1-based character (code point) position in the query; 0 = whole query
  std::string code;          ///< stable id, e.g. "E001", "W101", "I201" (docs/review.md lists them)
  std::string message;
};
[[nodiscard]] const char* to_string(query_diagnostic::level l) noexcept;

/// One node of the parsed query.
struct query_node {
  enum class kind {
    term,      ///< words (one or more, adjacent), each a folded pattern with * ? $ wildcards
    op_and,    ///< all children
    op_or,     ///< any child
    op_not,    ///< unary: its one child does not match
    and_not,   ///< first child and none of the others (Scopus AND NOT, binary NOT of PubMed/WoS)
    near,      ///< two children within `distance` words of each other (ordered: first before second)
    year,      ///< publication year in [year_min, year_max]
    type,      ///< record type in `types`
    constant,  ///< always `value` (an unsupported filter that is kept out of the logic)
  } k = kind::term;
  std::vector<std::unique_ptr<query_node>> children;
  // term
  std::vector<std::string> words;  ///< folded words; wildcards kept
  std::string text;                ///< the term as written (years and types are read from it)
  bool quoted = false;             ///< written as a "phrase" or {phrase}
  bool exact = false;              ///< Scopus {exact phrase}: wildcards are literal characters
  std::uint16_t fields = 0;        ///< query_field mask; 0 = not yet scoped (the default applies)
  // near
  int distance = 0;
  bool ordered = false;
  // year
  int year_min = 0, year_max = 0;
  // type
  std::vector<record_type> types;
  // constant
  bool value = true;
  std::size_t position = 0;  ///< 1-based character position where the node starts
};

struct parsed_query {
  std::string text;
  query_dialect dialect = query_dialect::generic;
  std::unique_ptr<query_node> root;  ///< null when there is an error
  std::vector<query_diagnostic> diagnostics;
  [[nodiscard]] bool ok() const noexcept { return root != nullptr; }
};

/// Parses and lints. Never throws on bad syntax: errors are diagnostics and root is null.
[[nodiscard]] parsed_query parse_query(std::string_view text, query_dialect dialect);

/// Canonical S-expression of a node, used by the tests and `metasift search --format json`:
///   (AND a b) (OR a b) (NOT a) (ANDNOT a b) (NEAR/3 a b) (PRE/3 a b)
///   ti,ab:"rare earth*"   (default fields print no prefix)   year:2000-2026   type:review   TRUE
[[nodiscard]] std::string to_sexpr(const query_node& node);

/// A record prepared for matching: every field folded into words once.
class query_document {
 public:
  explicit query_document(const record& r);
  [[nodiscard]] const record& source() const noexcept { return *rec_; }
  /// Words of one field (a single query_field bit); authors/keywords items are separated by a gap
  /// of 2 positions so that a phrase never spans two authors or two keywords.
  [[nodiscard]] const std::vector<std::string>& words(query_field f) const noexcept;
  [[nodiscard]] const std::vector<std::uint32_t>& positions(query_field f) const noexcept;
  [[nodiscard]] const std::string& language() const noexcept { return language_; }

  /// One occurrence of a word: the index into words(f) and its position.
  struct occurrence {
    std::uint32_t word = 0;
    std::uint32_t position = 0;
  };
  /// The occurrences of one field sorted by word, then position: a term is looked up by binary
  /// search (a wildcard by its literal prefix) instead of a scan of the field for every term.
  [[nodiscard]] const std::vector<occurrence>& index(query_field f) const noexcept;

 private:
  const record* rec_;
  static constexpr std::size_t field_count = 8;
  std::vector<std::string> words_[field_count];
  std::vector<std::uint32_t> pos_[field_count];
  std::vector<occurrence> index_[field_count];
  std::string language_;
};

/// A parsed, error-free query ready to match.
class compiled_query {
 public:
  compiled_query() = default;
  /// Parses `text`; throws input_error at `where` (its column advanced by the character position
  /// of the first error) when the query has an error. Warnings and infos are kept in diagnostics().
  compiled_query(std::string_view text, query_dialect dialect, const source_position& where);

  [[nodiscard]] bool matches(const query_document& doc) const;
  [[nodiscard]] bool matches(const record& r) const { return matches(query_document(r)); }
  [[nodiscard]] const std::vector<query_diagnostic>& diagnostics() const noexcept { return parsed_->diagnostics; }
  [[nodiscard]] const parsed_query& parsed() const noexcept { return *parsed_; }
  [[nodiscard]] std::string sexpr() const { return to_sexpr(*parsed_->root); }

 private:
  std::shared_ptr<parsed_query> parsed_;
};

/// Matches a parsed tree against a prepared record.
[[nodiscard]] bool query_matches(const query_node& node, const query_document& doc);

/// "query:1:15: warning W101: ..." lines for a query's diagnostics, with `label` in place of "query".
[[nodiscard]] std::string format_diagnostics(const std::vector<query_diagnostic>& diags,
                                             std::string_view label = "query");

}  // namespace metasift::review
