#pragma once
// Named caps on hostile input, in one place (docs/hardening.md, "Limits", lists each with what
// happens when it is reached). Every cap ends in a one-line input_error that names the limit and
// the position; none truncates data silently. The values are far above anything a real export or
// search strategy needs, and low enough that time and memory stay bounded.

#include <cstddef>

namespace metasift::limits {

// --- review / query limits ------------------------------------------------------------------

/// Nesting of a search query: parentheses, field functions, NOT and date ranges inside one
/// another. The parser is recursive, so this bounds its stack; real strategies nest < 10 deep.
inline constexpr std::size_t query_max_depth = 200;
/// Search terms in one query (a 10,000-term OR must still answer in seconds).
inline constexpr std::size_t query_max_terms = 10'000;
/// Operands chained by proximity operators (a NEAR/3 b NEAR/3 c has 3; PubMed "a b c"[tiab:~2] too).
inline constexpr std::size_t query_max_proximity_operands = 32;
/// The largest n of NEAR/n, W/n and PRE/n (Web of Science allows 15; Scopus 255).
inline constexpr std::size_t query_max_proximity_distance = 9'999;
/// Characters in one query word or phrase word (wildcard patterns included).
inline constexpr std::size_t query_max_word_length = 256;

/// Bytes of one bibliographic field of an imported record (title, abstract, one author, ...).
/// The longest real abstracts are ~10 KB.
inline constexpr std::size_t record_max_field_bytes = 1U << 20;
/// Bytes of a record's title (titles are one sentence; later stages compare titles pairwise).
inline constexpr std::size_t record_max_title_bytes = 16U << 10;
/// Bytes of a BibTeX @string value after its macros are expanded.
inline constexpr std::size_t bibtex_max_string_bytes = 1U << 20;
/// Bytes produced by all @string expansions of one BibTeX file together.
inline constexpr std::size_t bibtex_max_total_expansion = 64U << 20;
/// Element nesting of an EndNote XML file (libxml2's own default cap; EndNote nests < 10 deep).
inline constexpr std::size_t xml_max_depth = 256;
/// Bytes of one review.toml text value (a query, a reason, a path).
inline constexpr std::size_t review_toml_max_string_bytes = 64U << 10;
/// Bytes of the review title in review.toml (it is drawn in the PRISMA diagram and the report).
inline constexpr std::size_t review_max_title_bytes = 1'000;

}  // namespace metasift::limits
